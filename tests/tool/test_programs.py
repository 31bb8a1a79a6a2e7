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

from vmbtest import PYTHON, QUICK, Scratch, load_results, one_line, stderr_lines
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


SCRIPT = "x = [str(i) for i in range(100000)]; print(len(x))"


class AnyProgramMeasured(unittest.TestCase):
    """vmbench run --program -- CMD ARGS: the command under glibc and a preloaded allocator."""

    @classmethod
    def setUpClass(cls):
        if sanitized_build() or not os.path.exists(JEMALLOC):
            raise unittest.SkipTest("needs jemalloc and a build without sanitizers")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "results.json")
        cls.proc = run("run", "--program", "-a", "malloc,jemalloc", "--reps", "2", "-q", "--out", cls.path,
                       "--", PYTHON, "-c", SCRIPT)
        assert cls.proc.returncode == 0, cls.proc.stderr
        cls.doc = load_results(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_cell_succeeds_with_its_proof(self):
        self.assertEqual(len(self.doc["cells"]), 4)  # 2 allocators x 2 repetitions
        for c in self.doc["cells"]:
            self.assertEqual(c["status"], "ok", c.get("error"))
            self.assertEqual(c["workload"], "program")
        proofs = {g["allocator"]: g["proof"] for g in self.doc["groups"]}
        self.assertIn("glibc", proofs["malloc"])
        self.assertIn("jemalloc", proofs["jemalloc"])

    def test_the_command_is_recorded(self):
        for g in self.doc["groups"]:
            self.assertEqual(g["workload_params"], {"command": f"{PYTHON} -c '{SCRIPT}'"})

    def test_figures_per_allocator(self):
        for g in self.doc["groups"]:
            f = g["figures"]
            for name in ("wall_s", "cpu_user_s", "peak_rss_bytes", "minor_faults"):
                self.assertEqual(f[name]["n"], 2, (g["key"], name))
            self.assertGreater(f["peak_rss_bytes"]["median"], 1 << 20)

    def test_the_same_output_gives_the_same_checksum(self):
        self.assertEqual(len({g["checksum"] for g in self.doc["groups"]}), 1)
        self.assertEqual(self.doc["cells"][0]["figures"]["program"]["stdout_bytes"], len("100000\n"))

    def test_the_table_shows_no_operation_rate_for_a_program(self):
        self.assertIn("program  (command=", self.proc.stdout)
        row = next(l for l in self.proc.stdout.splitlines() if l.strip().startswith("jemalloc"))
        self.assertEqual(row.split()[3], "-")  # Mops/s: a program's operations are not counted


class ProgramRefusalsAndFailures(Scratch):
    def test_a_command_that_does_not_exist_is_refused_in_one_line(self):
        p = run("run", "--program", "--out", self.out, "--", "no-such-command-here")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(one_line(self, p), "vmbench: command not found: no-such-command-here")
        self.assertFalse(os.path.exists(self.out))

    def test_a_program_that_exits_non_zero_is_a_failed_cell_with_its_status(self):
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--out", self.out, "--",
                "/bin/sh", "-c", "echo broken >&2; exit 3")
        self.assertEqual(p.returncode, 1)
        cell = self.load()["cells"][0]
        self.assertEqual(cell["status"], "failed")
        self.assertEqual(cell["error"], "the program exited with status 3: broken")

    def test_a_program_killed_by_a_signal_says_which(self):
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--out", self.out, "--",
                "/bin/sh", "-c", "kill -SEGV $$")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.load()["cells"][0]["error"], "the program was killed by signal 11 (SIGSEGV)")

    def test_an_allocator_that_cannot_run_a_program_is_refused(self):
        p = run("run", "--program", "-a", "arena", "--out", self.out, "--", "/bin/true")
        self.assertEqual(p.returncode, 2)
        self.assertIn("allocator arena cannot run a program", one_line(self, p))

    def test_a_command_without_program_is_refused(self):
        p = run("run", "--out", self.out, "--", "/bin/true")
        self.assertEqual(p.returncode, 2)
        self.assertIn("to measure a program: vmbench run --program -- CMD ARGS", one_line(self, p))

    def test_the_program_output_stays_apart_from_vmbench_output(self):
        keep = os.path.join(self.dir.name, "out")
        os.mkdir(keep)
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "-f", "json", "--out", self.out,
                "--program-output", keep, "--", "/bin/sh", "-c", "printf 'MARK%s\\n' ER-OUT; printf 'MARK%s\\n' ER-ERR >&2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("MARKER", p.stdout + p.stderr)
        with open(os.path.join(keep, "malloc-rep0.stdout")) as f:
            self.assertEqual(f.read(), "MARKER-OUT\n")
        with open(os.path.join(keep, "malloc-rep0.stderr")) as f:
            self.assertEqual(f.read(), "MARKER-ERR\n")

    def test_syscalls_of_a_program_are_counted(self):
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime")
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "--syscalls", "-q", "--out", self.out, "--",
                PYTHON, "-c", SCRIPT)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = self.load()["cells"][0]["figures"]["syscalls"]
        self.assertIsNotNone(s)
        self.assertGreater(s["commits"], 0)


if __name__ == "__main__":
    unittest.main()
