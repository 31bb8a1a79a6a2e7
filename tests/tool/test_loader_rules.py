"""vmbench's loader (tool/results/results_loader.cpp, behind compare, export, plot and report) and the
plots' loader (scripts/plots/loader.py) keep one set of rules, checked here on one corpus:
tests/fixtures/loader-rules/accept-*.json must load in both, reject-*.json must be refused by both with
one line naming the file (never a crash, a RecursionError or a traceback). The two disagreed on a
byte-order mark, on a trailing NUL and on deep nesting (Python's parser overflowed its stack).
"""
import os
import sys
import unittest

from vmbtest import FIXTURES, SOURCE_DIR, vmbench

sys.path.insert(0, os.path.join(SOURCE_DIR, "scripts", "plots"))
import loader  # noqa: E402

CORPUS = os.path.join(FIXTURES, "loader-rules")


def corpus(prefix):
    names = sorted(n for n in os.listdir(CORPUS) if n.startswith(prefix))
    assert names, f"no {prefix}* file in {CORPUS}"
    return [os.path.join(CORPUS, n) for n in names]


class BothLoadersKeepOneSetOfRules(unittest.TestCase):
    def test_both_accept_the_accepted(self):
        for path in corpus("accept-"):
            with self.subTest(file=os.path.basename(path)):
                p = vmbench("export", path)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIsInstance(loader.load(path), dict)

    def test_both_refuse_the_refused_in_one_line(self):
        for path in corpus("reject-"):
            with self.subTest(file=os.path.basename(path)):
                p = vmbench("export", path)
                self.assertEqual(p.returncode, 2, p.stdout[:200])
                lines = p.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertIn(path + ": ", lines[0])
                with self.assertRaises(loader.UnusableFile) as refused:
                    loader.load(path)
                self.assertTrue(str(refused.exception).startswith(path + ": "), str(refused.exception))
                self.assertNotIn("\n", str(refused.exception))


if __name__ == "__main__":
    unittest.main()
