"""The tool's folders follow the data flow: docs/architecture.md's allowed edges hold for every
include (check_architecture.py), and the checker itself catches an include against the flow."""
import os
import shutil
import tempfile
import unittest

import check_architecture

SOURCE_DIR = os.environ.get("VMB_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


class Architecture(unittest.TestCase):
    def test_every_include_follows_the_allowed_edges(self):
        self.assertEqual(check_architecture.violations(SOURCE_DIR), [])

    def test_an_include_against_the_flow_is_caught(self):
        with tempfile.TemporaryDirectory() as scratch:
            shutil.copytree(os.path.join(SOURCE_DIR, "tool"), os.path.join(scratch, "tool"))
            shutil.copytree(os.path.join(SOURCE_DIR, "docs"), os.path.join(scratch, "docs"))
            # plan/ must not see the runner: the plan comes before anything runs.
            with open(os.path.join(scratch, "tool", "plan", "plan.cpp"), "a", encoding="utf-8") as f:
                f.write('#include "child_process.hpp"\n')
            found = check_architecture.violations(scratch)
            self.assertEqual(len(found), 1)
            self.assertIn("tool/plan/plan.cpp", found[0])
            self.assertIn("runner/", found[0])

    def test_a_folder_missing_from_the_table_is_refused(self):
        with tempfile.TemporaryDirectory() as scratch:
            shutil.copytree(os.path.join(SOURCE_DIR, "tool"), os.path.join(scratch, "tool"))
            shutil.copytree(os.path.join(SOURCE_DIR, "docs"), os.path.join(scratch, "docs"))
            os.mkdir(os.path.join(scratch, "tool", "extra"))
            with self.assertRaises(ValueError):
                check_architecture.violations(scratch)

    def test_tool_holds_folders_only(self):
        tool = os.path.join(SOURCE_DIR, "tool")
        loose = [n for n in os.listdir(tool) if os.path.isfile(os.path.join(tool, n)) and n != "CMakeLists.txt"]
        self.assertEqual(loose, [])


if __name__ == "__main__":
    unittest.main()
