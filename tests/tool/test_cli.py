"""End-to-end tests of the vmbench command line, run by ctest (test vmbench_cli).

They run the real binary as a user would: results are checked against the JSON Schema, every bad
input must give one line on stderr and exit code 2, and injected faults (a crashing or hanging
allocator, an interrupt) must leave a valid results file with everything measured so far.
Environment: VMBENCH (the binary), VMB_SCHEMA (the schema file).
"""
import functools
import json
import os
import re
import resource
import random
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import jsonschema

from vmbtest import QUICK, TEST_ALLOCATORS, VMBENCH, Scratch, planned_cells, schema, stderr_lines
from vmbtest import vmbench as run


@functools.lru_cache(maxsize=None)
def sanitized_build():
    """AddressSanitizer maps terabytes of shadow memory at start-up: no memory limit can apply to it."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", out)
        assert p.returncode == 0, p.stderr
        with open(out) as f:
            return "sanitize" in json.load(f)["context"]["build_flags"]


class RunWritesTrustworthyResults(Scratch):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "suite.json")
        cls.proc = run("run", "--scale", "ci", "--reps", "2", "--out", cls.path, "-a", "arena,pool,malloc,pmr-monotonic,bump,oracle")
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
        self.assertRegex(self.proc.stdout, r"\d\.\d\dx (faster|slower)")  # the ratio's form, not its verdict

    def test_results_match_the_schema_and_are_complete(self):
        jsonschema.validate(self.doc, schema())
        self.assertTrue(self.doc["complete"])
        self.assertEqual(len(self.doc["cells"]), planned_cells(self.doc))
        # every workload x the 6 allocators asked for, less the pool and the oracle on xfer and larson,
        # which run on two threads: the pool's free lists cannot take another thread's frees, and the
        # oracle replays one thread's addresses (the plan says so in a warning)
        self.assertEqual(self.doc["plan"]["combinations"], 6 * 6 - 4)
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

    def test_the_oracle_replays_the_pools_addresses_and_does_the_same_work(self):
        for w in ("tree", "churn", "strings", "frag"):
            by = {g["allocator"]: g for g in self.doc["groups"] if g["workload"] == w}
            oracle, pool = by["oracle"], by["pool"]
            self.assertEqual(oracle["checksum"], pool["checksum"], w)
            self.assertEqual(oracle["frees"], pool["frees"], w)  # it runs the pool's code path, frees included
            # its tape is every allocation of one run, set-up included (tree's ageing)
            replayed = int(re.search(r"pool's (\d+) addresses replayed", oracle["heap_note"]).group(1))
            self.assertGreaterEqual(replayed, pool["allocations"], w)
            self.assertLessEqual(replayed, pool["allocations"] + 10000 + 1, w)

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
        jsonschema.validate(json.loads(p.stdout), schema())

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
        (["run", "--memory-limit", "64Q"], "--memory-limit 64Q: unknown suffix"),
        (["run", "--memory-limit", "lots"], "--memory-limit lots: not a number"),
        (["run", "--memory-limit", "0"], "--memory-limit"),
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
                lines = stderr_lines(p.stderr)
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
    """Injected faults: a crashing or hanging cell, an interrupt, memory running out in a cell, the
    output location filling up or disappearing. Each leaves a valid results file (or a rescue file)
    with everything measured so far, and never replaces a good file with a partial one."""
    TEST = TEST_ALLOCATORS

    # churn on the arena keeps every dead object until the end: about 32 MiB committed at --scale ci.
    # tree on the arena, and both workloads on malloc, stay below 8 MiB. The limit sits between.
    MEMORY_LIMIT = "16M"
    MEMORY_LIMIT_SAID = "(--memory-limit 16 MiB reached)"
    MIN_OBJECT_BYTES = 16       # the smallest object churn allocates (vmbench list)
    COMMIT_STEP_BYTES = 64 << 10  # the arena's commit step, given explicitly as 64K below

    def setUp(self):
        super().setUp()
        self.tmp = os.path.join(self.dir.name, "tmp")  # $TMPDIR of vmbench: where a rescue file goes
        os.mkdir(self.tmp)

    def skip_if_sanitized(self):
        if sanitized_build():
            self.skipTest("a sanitizer build cannot run under a memory limit")

    def wait_for_first_cell(self, path, deadline_s=30):
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            try:
                with open(path) as f:
                    if json.load(f)["cells"]:
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        self.fail("no cell reached " + path)

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

    def interrupt_during_the_hanging_cell(self, *signals):
        """Runs malloc then a hanging cell, sends `signals` during the second; exit code and stderr."""
        env = dict(os.environ, **self.TEST)
        if os.path.exists(self.out):
            os.remove(self.out)  # a previous subtest's file would pass for this run's first cell
        seed = str(random.randrange(10**12, 10**13))  # marks this run's cell processes
        proc = subprocess.Popen([VMBENCH, "run", *QUICK, "-w", "tree", "-a", "malloc,test-hang", "--timeout", "60",
                                 "--seed", seed, "--out", self.out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.wait_for_first_cell(self.out)  # the malloc cell
        time.sleep(0.3)
        for sig in signals:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        self.assert_no_cell_process_left(seed)
        return proc.returncode, err

    def assert_no_cell_process_left(self, seed):
        """The hanging cell must die with the run, however the run ended."""
        deadline = time.monotonic() + 5
        while True:
            left = []
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        cmdline = f.read()
                except OSError:
                    continue
                if b"__cell" in cmdline and seed.encode() in cmdline:
                    left.append(pid)
            if not left:
                return
            if time.monotonic() > deadline:
                self.fail(f"cell processes still running after the run ended: {left}")
            time.sleep(0.1)

    def assert_partial_with_the_malloc_cell(self):
        doc = self.load()
        self.assertFalse(doc["complete"])
        self.assertEqual([c["allocator"] for c in doc["cells"]], ["malloc"])
        self.assertEqual(doc["cells"][0]["status"], "ok")

    def test_an_interrupt_keeps_what_was_measured(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=sig.name):
                code, err = self.interrupt_during_the_hanging_cell(sig)
                self.assertEqual(code, 130, err)
                self.assert_partial_with_the_malloc_cell()
                self.assertIn("partial", err)

    def test_vmbench_killed_outright_keeps_the_cells_on_disk_and_leaves_no_cell_running(self):
        # SIGKILL cannot be handled: what is on disk is what was written after the last cell, and
        # the hanging cell must die with its parent (PR_SET_PDEATHSIG), not hold a core forever.
        code, _ = self.interrupt_during_the_hanging_cell(signal.SIGKILL)
        self.assertEqual(code, -signal.SIGKILL)
        self.assert_partial_with_the_malloc_cell()

    def test_an_existing_results_file_survives_a_refused_run(self):
        with open(self.out, "w") as f:
            f.write("precious")
        run("run", "--workload", "nope", "--out", self.out)
        with open(self.out) as f:
            self.assertEqual(f.read(), "precious")

    def test_a_cell_over_the_memory_limit_fails_mid_run_and_the_others_pass(self):
        self.skip_if_sanitized()
        p = run("run", *QUICK, "-w", "tree,churn", "-a", "arena,malloc", "-p", "commit_step=64K",
                "--memory-limit", self.MEMORY_LIMIT, "--out", self.out)
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = self.load()
        self.assertTrue(doc["complete"])
        self.assertEqual(doc["plan"]["memory_limit_bytes"], 16 << 20)
        cells = {c["key"]: c for c in doc["cells"]}
        self.assertEqual(len(cells), doc["plan"]["cells_planned"])
        failed = cells.pop("churn/arena/inline")
        self.assertEqual(failed["status"], "failed")
        self.assertIn(self.MEMORY_LIMIT_SAID, failed["error"])
        # Mid-run: the arena was created and had handed out more bytes than one commit step holds, so
        # commits had succeeded before one was refused.
        made = re.search(r"^allocation of \d+ bytes failed after (\d+) successful ones", failed["error"])
        self.assertIsNotNone(made, failed["error"])
        self.assertGreater(int(made.group(1)) * self.MIN_OBJECT_BYTES, self.COMMIT_STEP_BYTES, failed["error"])
        self.assertEqual({k: c["status"] for k, c in cells.items()}, {k: "ok" for k in cells})
        self.assertIn(self.MEMORY_LIMIT_SAID, p.stderr)

    def test_an_address_space_limit_fails_the_arena_reservation_and_malloc_runs(self):
        self.skip_if_sanitized()
        reserve_bytes = 64 << 30  # the arena's reservation per region, given explicitly as 64G below
        limit = reserve_bytes // 2  # far above what a malloc cell maps, below one reservation

        def limit_address_space():
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        p = run("run", *QUICK, "-w", "tree", "-a", "arena,malloc", "-p", "reserve=64G", "--out", self.out,
                preexec_fn=limit_address_space)
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = self.load()
        self.assertTrue(doc["complete"])
        status = {c["allocator"]: c for c in doc["cells"]}
        self.assertEqual(status["malloc"]["status"], "ok")
        self.assertEqual(status["arena"]["status"], "failed")
        self.assertEqual(status["arena"]["error"], "allocator 'arena' could not be created: reserving 64 GiB of "
                                                   "address space failed: Cannot allocate memory")

    def test_an_output_directory_deleted_mid_run_leaves_the_cells_in_a_rescue_file(self):
        out_dir = os.path.join(self.dir.name, "out")
        os.mkdir(out_dir)
        out = os.path.join(out_dir, "r.json")
        env = dict(os.environ, TMPDIR=self.tmp, **self.TEST)
        # The hanging cell holds the run until its 3 s timeout, whatever the machine's speed, while
        # the directory goes; the poll notices the first cell within a tenth of a second.
        proc = subprocess.Popen([VMBENCH, "run", *QUICK, "-w", "tree", "-a", "malloc,test-hang,arena",
                                 "--timeout", "3", "--out", out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.wait_for_first_cell(out)
        shutil.rmtree(out_dir)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 2, err)
        # The hanging cell's failure is reported as it happens; then one line says what was lost and saved.
        lines = stderr_lines(err)
        self.assertEqual(len(lines), 2, err)
        self.assertIn("test-hang/inline rep 0 failed: timed out after 3 s", lines[0])
        rescue = os.path.join(self.tmp, "vmbench-rescue-%d.json" % proc.pid)
        self.assertIn("cannot write results to " + out, lines[1])
        self.assertIn("the 2 cells measured so far are saved in " + rescue, lines[1])
        self.assertEqual(os.listdir(self.tmp), [os.path.basename(rescue)])  # no temporary file left
        with open(rescue) as f:
            doc = json.load(f)
        jsonschema.validate(doc, schema())
        self.assertFalse(doc["complete"])
        self.assertEqual(doc["plan"]["cells_planned"], 3)
        self.assertEqual([(c["allocator"], c["status"]) for c in doc["cells"]], [("malloc", "ok"), ("test-hang", "failed")])

    def test_a_file_size_limit_leaves_the_previous_results_untouched(self):
        args = ["run", *QUICK, "-w", "tree", "-a", "malloc", "--out", self.out]
        self.assertEqual(run(*args).returncode, 0)
        with open(self.out, "rb") as f:
            precious = f.read()
        limit = len(precious) // 2  # the same run's document cannot fit

        for caller_ignores_sigxfsz in (False, True):  # vmbench must survive SIGXFSZ on its own
            with self.subTest(caller_ignores_sigxfsz=caller_ignores_sigxfsz):
                def limit_file_size():
                    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
                    if caller_ignores_sigxfsz:
                        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

                p = run(*args, env_extra={"TMPDIR": self.tmp}, preexec_fn=limit_file_size)
                self.assertEqual(p.returncode, 2, p.stderr)
                lines = stderr_lines(p.stderr)
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertIn("cannot write results to " + self.out, lines[0])
                self.assertIn("File too large", lines[0])
                self.assertIn("failed too", lines[0])  # the rescue file is under the same limit
                with open(self.out, "rb") as f:
                    self.assertEqual(f.read(), precious)
                self.assertEqual(sorted(os.listdir(self.dir.name)), ["r.json", "tmp"])  # no stray .tmp
                self.assertEqual(os.listdir(self.tmp), [])


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
