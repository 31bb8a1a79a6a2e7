"""End-to-end tests of the vmbench command line, run by ctest (test vmbench_cli).

They run the real binary as a user would: results are checked against the JSON Schema, every bad
input must give one line on stderr and exit code 2, and injected faults (a crashing or hanging
allocator, an interrupt) must leave a valid results file with everything measured so far.
Environment: VMBENCH (the binary), VMB_SCHEMA (the schema file).
"""
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

import jsonschema

VMBENCH = os.environ["VMBENCH"]
SCHEMA = json.load(open(os.environ["VMB_SCHEMA"]))
QUICK = ["--scale", "ci", "--reps", "1"]


def run(*args, env_extra=None, timeout=300):
    env = dict(os.environ)
    env.pop("VMBENCH_TEST_ALLOCATORS", None)
    env.update(env_extra or {})
    return subprocess.run([VMBENCH, *args], capture_output=True, text=True, env=env, timeout=timeout)


class Scratch(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.dir.name, "r.json")

    def tearDown(self):
        self.dir.cleanup()

    def load(self):
        with open(self.out) as f:
            doc = json.load(f)
        jsonschema.validate(doc, SCHEMA)
        return doc


class RunWritesTrustworthyResults(Scratch):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "suite.json")
        cls.proc = run("run", "--scale", "ci", "--reps", "2", "--out", cls.path, "-a", "arena,pool,malloc,pmr-monotonic,bump")
        assert cls.proc.returncode == 0, cls.proc.stderr
        with open(cls.path) as f:
            cls.doc = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exits_zero_and_prints_a_table_per_workload(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        for w in ("tree", "churn", "strings", "frag"):
            self.assertIn(w + "  (", self.proc.stdout)
        self.assertIn("faster", self.proc.stdout)

    def test_results_match_the_schema_and_are_complete(self):
        jsonschema.validate(self.doc, SCHEMA)
        self.assertTrue(self.doc["complete"])
        self.assertEqual(len(self.doc["cells"]), 4 * 5 * 2)
        self.assertTrue(all(c["status"] == "ok" for c in self.doc["cells"]))

    def test_every_allocator_did_the_same_work(self):
        for w in ("tree", "churn", "strings", "frag"):
            groups = [g for g in self.doc["groups"] if g["workload"] == w]
            self.assertEqual(len({g["checksum"] for g in groups}), 1, w)
            self.assertEqual(len({g["peak_live_bytes"] for g in groups}), 1, w)
            if w != "strings":  # strings: an in-place growth is not an allocation (documented)
                self.assertEqual(len({g["allocations"] for g in groups}), 1, w)
                # every logical death is either a free or a skipped free
                self.assertEqual(len({g["frees"] + g["frees_skipped"] for g in groups}), 1, w)

    def test_repetitions_interleave(self):
        order = [(c["key"], c["rep"]) for c in self.doc["cells"]]
        n = len(order) // 2
        self.assertTrue(all(rep == 0 for _, rep in order[:n]))
        self.assertTrue(all(rep == 1 for _, rep in order[n:]))

    def test_counts_are_deterministic_across_repetitions(self):
        by_key = {}
        for c in self.doc["cells"]:
            f = c["figures"]
            heap = f["heap"] or {}
            by_key.setdefault(c["key"], []).append((f["allocations"], f["frees"], f["checksum"], heap.get("commit_calls")))
        for key, reps in by_key.items():
            self.assertEqual(len(set(reps)), 1, key)

    def test_arena_frees_are_skipped_and_said(self):
        arena = next(g for g in self.doc["groups"] if g["workload"] == "tree" and g["allocator"] == "arena")
        self.assertEqual(arena["frees"], 0)
        self.assertGreater(arena["frees_skipped"], 0)
        self.assertIn("frees skipped", self.proc.stdout)

    def test_context_is_recorded(self):
        ctx = self.doc["context"]
        self.assertEqual(ctx["page_size"], os.sysconf("SC_PAGE_SIZE"))
        self.assertIn("run", ctx["command_line"])
        self.assertEqual(ctx["seed"], 42)

    def test_each_cell_proves_its_allocator(self):
        sanitized = "sanitize" in self.doc["context"]["build_flags"]
        for c in self.doc["cells"]:
            self.assertIn("sanitizer" if sanitized else "glibc", c["figures"]["proof"]["evidence"])


class Sweeps(Scratch):
    def test_commit_step_sweep_changes_commit_calls_as_predicted(self):
        p = run("run", *QUICK, "-w", "frag", "-a", "arena", "-p", "commit_step=4K,64K", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = self.load()
        calls = {g["swept"]["commit_step"]: g["figures"]["heap_commit_calls"]["median"] for g in doc["groups"]}
        # Bytes committed are the same; 16 times smaller steps mean about 16 times more calls.
        self.assertGreater(calls["4K"], 10 * calls["64K"])

    def test_virtual_dispatch_runs_the_same_work(self):
        p = run("run", *QUICK, "-w", "tree", "-a", "arena", "--dispatch", "both", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        g = self.load()["groups"]
        self.assertEqual({x["dispatch"] for x in g}, {"inline", "virtual"})
        self.assertEqual(g[0]["checksum"], g[1]["checksum"])


class Formats(Scratch):
    def test_json_on_stdout_is_the_document(self):
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--format", "json", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        jsonschema.validate(json.loads(p.stdout), SCHEMA)

    def test_csv_has_a_row_per_cell(self):
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc,arena", "--format", "csv", "--out", self.out)
        lines = p.stdout.strip().splitlines()
        self.assertEqual(len(lines), 3)
        self.assertTrue(lines[0].startswith("key,workload,allocator"))

    def test_markdown_has_a_table(self):
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--format", "markdown", "--out", self.out)
        self.assertIn("| allocator |", p.stdout)

    def test_a_pipe_gets_no_progress_bar(self):
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", self.out)
        self.assertNotIn("\r", p.stderr)
        self.assertNotIn("ETA", p.stderr)


class BadInput(Scratch):
    CASES = [
        (["run", "--workload", "nope"], "unknown workload 'nope'"),
        (["run", "--allocator", "nope"], "unknown allocator 'nope'"),
        (["run", "--param", "depth=abc"], "depth=abc"),
        (["run", "--param", "nonsense=1"], "unknown parameter"),
        (["run", "--param", "commit_step=4Q"], "suffix"),
        (["run", "--param", "=3"], "parameter name is missing"),
        (["run", "--reps", "0"], "--reps"),
        (["run", "--reps", "many"], "--reps"),
        (["run", "--timeout", "-1"], "--timeout"),
        (["run", "--scale", "huge"], "--scale"),
        (["run", "--format", "xml"], "--format"),
        (["run", "--seed", "x"], "--seed"),
        (["run", "--dispatch", "sideways"], "--dispatch"),
        (["run", "--out", "/nonexistent-dir/r.json"], "/nonexistent-dir/r.json"),
        (["run", "--bogus-flag"], "bogus-flag"),
        (["fly"], "unknown command 'fly'"),
        ([], "subcommand"),
    ]

    def test_each_bad_input_gives_one_line_and_exit_2(self):
        for args, needle in self.CASES:
            with self.subTest(args=args):
                start = time.monotonic()
                p = run(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                lines = [l for l in p.stderr.splitlines() if l.strip()]
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertIn(needle, lines[0])
                self.assertNotIn("terminate called", p.stderr)
                self.assertLess(time.monotonic() - start, 5, "refused only after measuring")

    def test_an_unwritable_output_is_refused_before_measuring(self):
        os.mkdir(os.path.join(self.dir.name, "adir"))
        p = run("run", "--out", os.path.join(self.dir.name, "adir"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("is a directory", p.stderr)

    def test_a_test_allocator_needs_its_switch(self):
        p = run("run", "-a", "test-crash")
        self.assertEqual(p.returncode, 2)


class Faults(Scratch):
    TEST = {"VMBENCH_TEST_ALLOCATORS": "1"}

    def test_a_crashing_and_a_hanging_cell_do_not_stop_the_run(self):
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc,test-crash,test-hang,arena", "--timeout", "2",
                "--out", self.out, env_extra=self.TEST)
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = self.load()
        status = {c["allocator"]: c for c in doc["cells"]}
        self.assertEqual(status["malloc"]["status"], "ok")
        self.assertEqual(status["arena"]["status"], "ok")
        self.assertIn("SEGV", status["test-crash"]["error"])  # SIGSEGV, or a sanitizer's SEGV report
        self.assertIn("timed out after 2 s", status["test-hang"]["error"])
        self.assertTrue(doc["complete"])

    def test_an_interrupt_keeps_what_was_measured(self):
        env = dict(os.environ, **self.TEST)
        proc = subprocess.Popen([VMBENCH, "run", *QUICK, "-w", "tree", "-a", "malloc,test-hang", "--timeout", "60",
                                 "--out", self.out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until the malloc cell is on disk
            try:
                with open(self.out) as f:
                    if json.load(f)["cells"]:
                        break
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130, err)
        doc = self.load()
        self.assertFalse(doc["complete"])
        self.assertEqual([c["allocator"] for c in doc["cells"]], ["malloc"])
        self.assertEqual(doc["cells"][0]["status"], "ok")
        self.assertIn("partial", err)

    def test_an_existing_results_file_survives_a_refused_run(self):
        with open(self.out, "w") as f:
            f.write("precious")
        run("run", "--workload", "nope", "--out", self.out)
        with open(self.out) as f:
            self.assertEqual(f.read(), "precious")


class OtherCommands(unittest.TestCase):
    def test_list_names_every_workload_and_allocator(self):
        p = run("list")
        self.assertEqual(p.returncode, 0)
        for name in ("tree", "churn", "strings", "frag", "arena", "pool", "malloc", "jemalloc", "bump",
                     "commit_step"):
            self.assertIn(name, p.stdout)
        self.assertNotIn("test-crash", p.stdout)

    def test_version(self):
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^\d+\.\d+\.\d+ \(")

    def test_help_has_examples(self):
        p = run("run", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("Examples", p.stdout)


if __name__ == "__main__":
    unittest.main()
