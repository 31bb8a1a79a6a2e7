"""End-to-end tests of real programs, run by ctest (test vmbench_test_programs): your own allocator by
path (-a NAME=PATH), any program measured (run --program), allocation traces recorded (record) and
replayed (-w replay).

Known answers only: which allocator a cell proved, exit statuses, the one line of every refusal,
allocation counts and checksums. Environment: VMBENCH, VMB_SCHEMA, VMB_SOURCE_DIR, VMB_PYTHON.
"""
import functools
import os
import shutil
import subprocess
import tempfile
import unittest

from vmbtest import QUICK, Scratch, one_line, stderr_lines
from vmbtest import vmbench as run

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
MIMALLOC = "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"
LIBZ = "/usr/lib/x86_64-linux-gnu/libz.so.1"


@functools.lru_cache(maxsize=None)
def sanitized_build():
    """Nothing can be preloaded before a sanitizer's runtime: the preloading tests skip there."""
    p = run("--version")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "-q", "--out", out)
        assert p.returncode == 0, p.stderr
        with open(out) as f:
            import json
            return "sanitize" in json.load(f)["context"]["build_flags"]


def needs(*paths):
    missing = [p for p in paths if not os.path.exists(p)]
    return unittest.skipIf(missing, f"not installed here: {', '.join(missing)}")


class OwnAllocatorByPath(Scratch):
    """-a NAME=PATH: any preloadable malloc replacement, proven like the built-in ones."""

    def setUp(self):
        super().setUp()
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime")

    @needs(JEMALLOC)
    def test_builtin_and_own_library_are_both_measured_with_their_proofs(self):
        p = run("run", *QUICK, "-w", "churn", "-a", f"jemalloc,mine={JEMALLOC}", "-q", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = self.load()
        proofs = {g["allocator"]: g["proof"] for g in doc["groups"]}
        self.assertEqual(set(proofs), {"jemalloc", "mine"})
        self.assertIn("mallctl version", proofs["jemalloc"])
        self.assertIn(f"mine: malloc in {JEMALLOC}", proofs["mine"])
        self.assertIn("(jemalloc 5.", proofs["mine"])  # its version, from the library's own mallctl
        # the same work on both: one checksum
        self.assertEqual(len({g["checksum"] for g in doc["groups"]}), 1)

    def skipped_line(self, spec):
        """Runs malloc beside a bad NAME=PATH: the bad one is skipped in one line, malloc still runs."""
        p = run("run", *QUICK, "-w", "churn", "-a", f"malloc,{spec}", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [l for l in stderr_lines(p.stderr) if "skipping" in l]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertEqual([g["allocator"] for g in self.load()["groups"]], ["malloc"])
        self.assertIn("skipped_allocators", self.load()["plan"])
        return lines[0]

    def test_a_missing_file_is_skipped(self):
        line = self.skipped_line("gone=/nonexistent/libgone.so")
        self.assertEqual(line, "vmbench: skipping allocator gone: /nonexistent/libgone.so: No such file or directory")

    def test_a_text_file_is_skipped(self):
        text = os.path.join(self.dir.name, "notes.so")
        with open(text, "w") as f:
            f.write("not a library\n")
        line = self.skipped_line(f"notes={text}")
        self.assertEqual(line, f"vmbench: skipping allocator notes: {text}: not a shared object (no ELF header)")

    @needs(LIBZ)
    def test_a_library_without_malloc_is_skipped(self):
        line = self.skipped_line(f"zlib={LIBZ}")
        self.assertTrue(line.startswith(f"vmbench: skipping allocator zlib: {LIBZ}: does not define malloc"), line)
        self.assertTrue(line.endswith("not a malloc replacement"), line)

    def test_nothing_left_to_run_is_refused(self):
        p = run("run", *QUICK, "-w", "churn", "-a", "gone=/nonexistent/libgone.so", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no allocator left to run: gone: /nonexistent/libgone.so", one_line(self, p))
        self.assertFalse(os.path.exists(self.out))

    def test_a_builtin_name_cannot_be_taken(self):
        p = run("run", *QUICK, "-a", f"arena={LIBZ}", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("'arena' is a built-in allocator's name", one_line(self, p))

    @needs(MIMALLOC)
    def test_the_dynamic_loader_finds_builtin_libraries_on_ld_library_path(self):
        lib_dir = os.path.join(self.dir.name, "lib")
        os.mkdir(lib_dir)
        shutil.copy(MIMALLOC, lib_dir)
        p = run("list", env_extra={"LD_LIBRARY_PATH": lib_dir})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"LD_PRELOAD={lib_dir}/libmimalloc.so.2 (found by the dynamic loader)", p.stdout)
        # and a run proves it is that copy that answers malloc
        p = run("run", *QUICK, "-w", "tree", "-a", "mimalloc", "-q", "--out", self.out,
                env_extra={"LD_LIBRARY_PATH": lib_dir})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("mimalloc", self.load()["groups"][0]["proof"])


if __name__ == "__main__":
    unittest.main()
