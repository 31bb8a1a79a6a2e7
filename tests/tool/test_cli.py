"""End-to-end tests of the vmbench command line, run by ctest (test vmbench_cli).

They run the real binary as a user would: results are checked against the JSON Schema, every bad
input must give one line on stderr and exit code 2, and injected faults (a crashing or hanging
allocator, an interrupt) must leave a valid results file with everything measured so far.
Environment: VMBENCH (the binary), VMB_SCHEMA (the schema file).
"""
import json
import os
import re
import resource
import random
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest

import jsonschema

from vmbtest import QUICK, TEST_ALLOCATORS, VMBENCH, Scratch, load_results, one_line, planned_cells, schema
from vmbtest import stderr_lines
from vmbtest import vmbench as run
from vmbtest import SOURCE_DIR, sanitized_build

LOADER_CORPUS = os.path.join(SOURCE_DIR, "tests", "fuzz", "corpus", "results_loader")


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
        # the last line names the commands that show the file just written
        last = self.proc.stderr.strip().splitlines()[-1]
        self.assertIn(f"vmbench plot {self.path}", last)
        self.assertIn(f"vmbench report {self.path}", last)

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
        # the table: each row's time over the oracle's, the oracle itself the floor, its memory n/a
        # every workload's table has the column; xfer and larson run on two threads, where the oracle does not
        self.assertEqual(self.proc.stdout.count("over oracle"), 6)
        main_tables = self.proc.stdout.split("\npeak RSS:")[0]  # the passes' tables follow the legend
        oracle_rows = [l.split() for l in main_tables.splitlines() if l.strip().startswith("oracle ")]
        self.assertEqual(len(oracle_rows), 4)
        for r in oracle_rows:
            self.assertIn("floor", r)
            self.assertIn("n/a", r)

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
        (["run", "-w", "tree", "-p", "depth=4294967300"], "depth=4294967300: out of range (valid: 4 to 22)"),
        (["run", "-w", "tree", "-p", "depth=30"], "(valid: 4 to 22)"),
        (["run", "-w", "strings", "-p", "words_per_line=0"], "words_per_line=0: out of range (valid: 1 to"),
        # A sweep that multiplies past what can run is refused before the plan is built.
        (["run", "-w", "churn", "-p", "live_objects=" + ",".join(map(str, range(1, 1001))),
          "-p", "steps=" + ",".join(map(str, range(1000)))], "cells, more than 100000: sweep fewer values"),
        (["run", "--reps", "0"], "--reps"),
        (["run", "--reps", "many"], "--reps"),
        (["run", "--timeout", "-1"], "--timeout"),
        (["run", "--scale", "huge"], "--scale"),
        (["run", "--format", "xml"], "--format"),
        (["run", "--seed", "x"], "--seed"),
        # Numbers are taken only when written as one and in range: -1, 2^64 and 1e23 became 2^64-1,
        # nan passed every range check, inf was a timeout never reached.
        (["run", "--seed", "-1"], "--seed: -1 is not a whole number from 0 to 18446744073709551615"),
        (["run", "--seed", "18446744073709551616"], "--seed: 18446744073709551616 is not a whole number"),
        (["run", "--seed", "1e23"], "--seed: 1e23 is not a whole number"),
        (["run", "--timeline-every", "-1"], "--timeline-every: -1 is not a whole number"),
        (["run", "--reps", "1e2"], "--reps: 1e2 is not a whole number from 1 to 1000"),
        (["run", "--timeout", "nan"], "--timeout: nan is not a finite number"),
        (["run", "--timeout", "inf"], "--timeout: inf is not a finite number"),
        (["run", "--seed", "9" * 310], "(310 characters) is not a whole number"),
        (["compare", "--alpha", "nan", "a.json", "b.json"], "--alpha: nan is not a finite number from 1e-06 to 0.5"),
        (["compare", "--tolerance-pages", "nan", "a.json", "b.json"], "--tolerance-pages: nan is not a finite number"),
        (["compare", "--min-time", "inf", "a.json", "b.json"], "--min-time: inf is not a finite number"),
        (["compare", "--min-effect", "1e300", "a.json", "b.json"], "--min-effect '1e300'"),
        # An option given twice, or given nothing, is refused by name.
        (["run", "--out", "a.json", "--out", "b.json"], "--out: given 2 times (give it once)"),
        (["run", "--workload", ""], "--workload: an empty value"),
        (["compare", "--normalize", "", "a.json", "b.json"], "--normalize: an empty value"),
        (["report", "r.json", "--out", ""], "--out: an empty value"),
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

    def test_nothing_but_a_regular_file_is_replaced(self):
        """--out naming a FIFO, a symbolic link or a device is refused before measuring (as root, a rename
        onto /dev/null replaced the system's /dev/null); a read-only file and a name with no room for
        the files written beside it likewise."""
        fifo, link, victim = (os.path.join(self.dir.name, n) for n in ("fifo", "link", "victim"))
        os.mkfifo(fifo)
        with open(victim, "w") as f:
            f.write("victim")
        os.symlink(victim, link)
        read_only = os.path.join(self.dir.name, "read-only.json")
        with open(read_only, "w") as f:
            f.write("kept")
        os.chmod(read_only, 0o444)
        long_name = os.path.join(self.dir.name, "n" * 250)
        for out, needle in ((fifo, "a FIFO"), (link, "a symbolic link"), ("/dev/full", "a character device"),
                            (read_only, "read-only"), (long_name, "its name is 250 bytes")):
            with self.subTest(out=out):
                p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", out)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(needle, one_line(self, p))
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        self.assertTrue(os.path.islink(link))
        for path, content in ((victim, "victim"), (read_only, "kept")):
            with open(path) as f:
                self.assertEqual(f.read(), content)
        self.assertEqual(sorted(os.listdir(self.dir.name)), ["fifo", "link", "read-only.json", "victim"])

    def test_out_dash_streams_the_document_to_standard_output(self):
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", "-", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        jsonschema.validate(doc, schema())
        self.assertEqual(len(doc["cells"]), 1)
        p = run("run", "--out", "-", "--format", "csv")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--out -", one_line(self, p))

    def test_a_test_allocator_needs_its_switch(self):
        p = run("run", "-a", "test-crash")
        self.assertEqual(p.returncode, 2)


class Duplicates(Scratch):
    """A name or value given twice is run once, with a note; a results file holding a combination twice
    (as an older vmbench wrote for -w tree,tree) is refused by every reader."""

    def test_repeated_names_and_values_run_once_with_a_note(self):
        p = run("run", *QUICK, "-w", "tree,tree", "-a", "malloc,malloc", "-p", "depth=10,10", "-p", "age_objects=1k,1000",
                "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = self.load()
        self.assertEqual(doc["plan"]["combinations"], 1)
        notes = ["workload tree given twice: run once", "allocator malloc given twice: run once",
                 "parameter depth value 10 given twice: run once",
                 "parameter age_objects value 1000 (= 1k) given twice: run once"]
        for n in notes:
            self.assertIn("vmbench: note: " + n, p.stderr)
            self.assertIn(n, doc["warnings"])

    def test_a_file_with_a_combination_twice_is_refused(self):
        dup = os.path.join(LOADER_CORPUS, "duplicate-combination.json")
        for args in (["compare", dup, dup], ["export", dup]):
            p = run(*args)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertIn("repeats tree/malloc/inline rep 0", one_line(self, p))


class Encoding(Scratch):
    """Bytes that are not UTF-8 in the command line or a path never abort vmbench (nlohmann's dump threw
    type_error 316: exit 134, the measured cell lost): each such byte is written as U+FFFD."""

    def test_a_path_that_is_not_utf8_keeps_the_cell(self):
        out = os.path.join(self.dir.name, os.fsdecode(b"\xff.json"))
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", out, "--format", "json", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(json.loads(p.stdout)["cells"]), 1)
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        jsonschema.validate(doc, schema())
        self.assertEqual(doc["cells"][0]["status"], "ok")
        self.assertIn("\ufffd.json", doc["context"]["command_line"])

    def test_compare_as_json_names_a_path_that_is_not_utf8(self):
        path = os.path.join(self.dir.name, os.fsdecode(b"\xfe.json"))
        shutil.copy(os.path.join(SOURCE_DIR, "tests", "fixtures", "ci-suite.json"), path)
        p = run("compare", "--format", "json", path, path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("\ufffd.json", json.loads(p.stdout)["base"])


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
        # The first cell is seen in this run's journal: a previous subtest's journal would pass for it
        # (and make the run refuse to start); a complete file at OUT is kept, as a partial run must.
        self.assertFalse(os.path.exists(self.out + ".partial"))
        seed = str(random.randrange(10**12, 10**13))  # marks this run's cell processes
        proc = subprocess.Popen([VMBENCH, "run", *QUICK, "-w", "tree", "-a", "malloc,test-hang", "--timeout", "60",
                                 "--seed", seed, "--out", self.out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.wait_for_first_cell_in_the_journal(self.out + ".partial")  # the malloc cell
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

    def assert_partial_with_the_malloc_cell(self, path):
        doc = load_results(path)
        self.assertFalse(doc["complete"])
        self.assertEqual([c["allocator"] for c in doc["cells"]], ["malloc"])
        self.assertEqual(doc["cells"][0]["status"], "ok")

    def test_an_interrupt_keeps_what_was_measured_beside_a_complete_file(self):
        """A partial run never replaces a complete one: an interrupted run leaves its results in
        OUT.partial, and a good file at OUT stays byte for byte."""
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.out, "rb") as f:
            complete = f.read()
        partial = self.out + ".partial"
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=sig.name):
                code, err = self.interrupt_during_the_hanging_cell(sig)
                self.assertEqual(code, 130, err)
                self.assert_partial_with_the_malloc_cell(partial)
                self.assertIn("interrupted: the 1 cells measured are in " + partial, err)
                with open(self.out, "rb") as f:
                    self.assertEqual(f.read(), complete)
                os.unlink(partial)  # else the next run is refused: it would overwrite those cells

    def test_vmbench_killed_outright_keeps_the_cells_on_disk_and_leaves_no_cell_running(self):
        # SIGKILL cannot be handled: every finished cell is in the journal OUT.partial (appended after
        # each cell), which `vmbench recover` makes a results file; the hanging cell must die with its
        # parent (PR_SET_PDEATHSIG), not hold a core forever.
        code, _ = self.interrupt_during_the_hanging_cell(signal.SIGKILL)
        self.assertEqual(code, -signal.SIGKILL)
        self.assertFalse(os.path.exists(self.out))
        partial = self.out + ".partial"
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("vmbench recover " + partial, one_line(self, p))  # the next run keeps off those cells
        p = run("recover", partial)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 of the 2 planned cells written to " + partial, p.stderr)
        self.assert_partial_with_the_malloc_cell(partial)

    def test_a_cell_that_finished_while_vmbench_was_stopped_has_not_timed_out(self):
        """vmbench stopped (SIGSTOP, Ctrl-Z) for longer than --timeout while a short cell runs: the cell's
        result is read before the deadline is judged, and the stop is not counted."""
        # test-slow spins per allocation: a cell of a few tenths of a second, well inside the timeout.
        proc = subprocess.Popen([VMBENCH, "run", *QUICK, "-w", "tree", "-a", "test-slow", "-p", "test_delay_spins=500",
                                 "--timeout", "3", "--out", self.out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, **self.TEST))
        deadline = time.monotonic() + 30
        while not os.path.exists(self.out + ".partial") and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGSTOP)
        time.sleep(5)  # longer than --timeout: the cell finishes meanwhile
        proc.send_signal(signal.SIGCONT)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(self.load()["cells"][0]["status"], "ok")

    def test_a_second_run_on_the_same_output_is_refused_while_the_first_runs(self):
        env = dict(os.environ, **self.TEST)
        first = subprocess.Popen([VMBENCH, "run", *QUICK, "-w", "tree", "-a", "malloc,test-hang", "--timeout", "3",
                                  "--out", self.out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.wait_for_first_cell_in_the_journal(self.out + ".partial")
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("another vmbench run is writing these results", one_line(self, p))
        _, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 1, err)  # the hanging cell timed out; the rest is whole
        self.assertEqual([c["allocator"] for c in self.load()["cells"]], ["malloc", "test-hang"])
        self.assertFalse(os.path.exists(self.out + ".partial"))

    def wait_for_first_cell_in_the_journal(self, journal, deadline_s=30):
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            try:
                with open(journal) as f:
                    if len(f.read().splitlines()) >= 2:  # the header and a cell
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.fail("no cell reached " + journal)

    def test_closed_standard_streams_lose_no_cell(self):
        for fd in (0, 1, 2):
            with self.subTest(closed=fd):
                p = run("run", *QUICK, "-w", "tree", "-a", "malloc,arena", "--out", self.out,
                        preexec_fn=lambda: os.close(fd))
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual([c["status"] for c in self.load()["cells"]], ["ok", "ok"])

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

    def test_a_preloaded_allocator_that_aborts_under_the_limit_is_said_to_be_out_of_memory(self):
        """mimalloc under 16 MiB aborts without a word (SIGABRT): the error names the limit."""
        self.skip_if_sanitized()
        p = run("run", *QUICK, "-w", "churn", "-a", "mimalloc", "--memory-limit", self.MEMORY_LIMIT, "--out", self.out)
        if p.returncode == 2 and "not available" in p.stderr:
            self.skipTest("mimalloc is not installed")
        self.assertEqual(p.returncode, 1, p.stderr)
        cell = self.load()["cells"][0]
        self.assertEqual(cell["status"], "failed")
        self.assertIn("(under --memory-limit 16 MiB: most likely out of memory)", cell["error"])

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
        self.wait_for_first_cell_in_the_journal(out + ".partial")
        shutil.rmtree(out_dir)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 2, err)
        # The deletion is seen after the next cell is journaled: the first (malloc) when the directory
        # went between the journal's write and its check, else the hanging one, reported as it failed.
        # Then one line says what was lost and saved.
        lines = stderr_lines(err)
        saved = re.search(r"the (1 cell|2 cells) measured so far (?:is|are) saved in (\S+)$", lines[-1])
        self.assertIsNotNone(saved, err)
        kept = int(saved.group(1)[0])
        self.assertEqual(len(lines), kept, err)  # the hanging cell's failure line, if it was reached
        if kept == 2:
            self.assertIn("test-hang/inline rep 0 failed: timed out after 3 s", lines[0])
        self.assertIn("cannot write results to " + out, lines[-1])
        rescue = saved.group(2)
        self.assertRegex(rescue, re.escape(os.path.join(self.tmp, "vmbench-rescue-%d-" % proc.pid)) + r"\w{6}\.json$")
        self.assertEqual(os.listdir(self.tmp), [os.path.basename(rescue)])  # no temporary file left
        with open(rescue) as f:
            doc = json.load(f)
        jsonschema.validate(doc, schema())
        self.assertFalse(doc["complete"])
        self.assertEqual(doc["plan"]["cells_planned"], 3)
        self.assertEqual([(c["allocator"], c["status"]) for c in doc["cells"]],
                         [("malloc", "ok"), ("test-hang", "failed")][:kept])

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
                self.assertIn("File too large", lines[0])
                with open(self.out, "rb") as f:
                    self.assertEqual(f.read(), precious)
                left = sorted(os.listdir(self.dir.name))
                self.assertFalse([n for n in left if ".tmp" in n], left)  # no temporary file left
                self.assertEqual(os.listdir(self.tmp), [])  # the rescue file is under the same limit
                if "r.json.partial" in left:  # the cell is kept in the journal, and the line says so
                    self.assertIn("vmbench recover " + self.out + ".partial", lines[0])
                    p = run("recover", self.out + ".partial", "--out", "-")
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertEqual(len(json.loads(p.stdout)["cells"]), 1)
                    os.unlink(self.out + ".partial")
                else:
                    self.assertEqual(left, ["r.json", "tmp"])


class AllocatorEnvironment(Scratch):
    """GLIBC_TUNABLES, MALLOC_*, MIMALLOC_*, TCMALLOC_* and kin change the allocators under test: they
    are recorded in the context and warned about, and --clean-env keeps them from the cells."""
    # glibc malloc maps every allocation on its own: each one costs a page fault.
    ENV = {"MALLOC_MMAP_THRESHOLD_": "0"}

    def run_tree(self, *extra):
        p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--out", self.out, *extra, env_extra=self.ENV)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = self.load()
        return p, doc, doc["cells"][0]["figures"]

    def test_passed_recorded_and_warned(self):
        p, doc, figures = self.run_tree()
        self.assertEqual(doc["context"]["allocator_environment"], self.ENV)
        self.assertFalse(doc["plan"]["clean_env"])
        self.assertIn("vmbench: warning: the environment sets MALLOC_MMAP_THRESHOLD_", p.stderr)
        self.assertTrue(any("MALLOC_MMAP_THRESHOLD_" in w and "--clean-env" in w for w in doc["warnings"]))
        if "sanitize" not in doc["context"]["build_flags"]:  # a sanitizer's own malloc ignores glibc's variables
            self.assertGreater(figures["minor_faults"], figures["allocations"] / 2)  # the cell saw it

    def test_clean_env_keeps_them_from_the_cells(self):
        p, doc, figures = self.run_tree("--clean-env")
        self.assertEqual(doc["context"]["allocator_environment"], self.ENV)  # still recorded
        self.assertTrue(doc["plan"]["clean_env"])
        self.assertNotIn("warning", p.stderr)
        self.assertLess(figures["minor_faults"], figures["allocations"] / 10)


class SmallerDefects(Scratch):
    """The smaller defects of the hostile-input review: each gives the documented behaviour."""
    SMALL = os.path.join(SOURCE_DIR, "tests", "fixtures", "loader-rules", "accept-a-small-run.json")

    def variant(self, name, change):
        with open(self.SMALL) as f:
            doc = json.load(f)
        change(doc)
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def test_a_truncated_timeline_is_flagged_and_keeps_its_checkpoints(self):
        p = run("run", *QUICK, "-w", "frag", "-a", "malloc", "--timeline", "--timeline-every", "10", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = self.load()
        t = doc["cells"][0]["figures"]["timeline"]
        self.assertTrue(t["truncated"])
        self.assertEqual(t["points"], 1024)
        self.assertGreater(t["dropped_points"], 0)
        self.assertEqual([l["label"] for l in t["labels"]][-1], "end")
        self.assertTrue(doc["groups"][0]["fragmentation"]["truncated"])
        self.assertTrue(any("timeline was truncated" in w for w in doc["warnings"]), doc["warnings"])

    def test_compare_names_the_seeds_when_they_differ(self):
        paths = []
        for seed in ("1", "2"):
            paths.append(os.path.join(self.dir.name, seed + ".json"))
            p = run("run", *QUICK, "-w", "tree", "-a", "malloc", "--seed", seed, "--out", paths[-1])
            self.assertEqual(p.returncode, 0, p.stderr)
        for fmt in ("table", "markdown", "json"):
            p = run("compare", "--format", fmt, *paths)
            self.assertIn("different seeds (BASE --seed 1, NEW --seed 2)", p.stdout, fmt)

    def test_a_base_in_which_every_cell_failed_is_not_a_pass(self):
        def all_failed(doc):
            for c in doc["cells"]:
                c.update(status="failed", error="crashed with signal 11 (SIGSEGV)")
                c.pop("figures")
            for g in doc["groups"]:
                g.update(reps_failed=g["reps_ok"] + g["reps_failed"], reps_ok=0)
        base = self.variant("failed.json", all_failed)
        p = run("compare", base, self.SMALL)
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("every cell failed: nothing to compare against", one_line(self, p))

    def test_names_from_a_file_are_printed_as_text(self):
        hostile = "tree/mal|loc\u001b]0;owned\u0007<b>/inline"

        def rename(doc):
            for x in doc["cells"] + doc["groups"]:
                x["key"] = hostile
        path = self.variant("hostile.json", rename)
        table = run("compare", path, path)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertNotIn("\u001b", table.stdout)
        self.assertIn("tree/mal|loc\\x1b]0;owned\\x07<b>/inline", table.stdout)
        markdown = run("compare", "--format", "markdown", path, path).stdout
        self.assertNotIn("\u001b", markdown)
        self.assertIn("tree/mal\\|loc\\x1b\\]0;owned\\x07&lt;b&gt;/inline", markdown)


class StandardOutputChecked(Scratch):
    """Everything printed must reach standard output: under a file-size limit `export r.json > out.json`
    wrote 1,024 bytes of JSON and exited 0. Now: exit 2 and one line with the reason."""
    SUITE = os.path.join(SOURCE_DIR, "tests", "fixtures", "ci-suite.json")
    COMMANDS = (["export", SUITE], ["compare", "--format", "json", SUITE, SUITE], ["list", "--format", "json"], ["list"])

    def run_to(self, args, stdout, preexec_fn=None):
        p = subprocess.run([VMBENCH, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn,
                           timeout=300)
        return p.returncode, stderr_lines(p.stderr)

    def test_a_full_device_or_a_file_size_limit_is_an_error(self):
        def small_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

        for args in self.COMMANDS:
            with self.subTest(args=args[:2]), open("/dev/full", "w") as full:
                code, lines = self.run_to(args, full)
                self.assertEqual((code, len(lines)), (2, 1), lines)
                self.assertIn("cannot write to standard output: No space left on device", lines[0])
            with self.subTest(args=args[:2], limit=1024), open(self.out, "w") as f:
                code, lines = self.run_to(args, f, preexec_fn=small_files)
                self.assertEqual((code, len(lines)), (2, 1), lines)
                self.assertIn("cannot write to standard output: File too large", lines[0])


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

    def test_run_help_shows_every_default_and_the_glossary(self):
        out = run("run", "--help").stdout
        for option, default in (("--scale", "default"), ("--reps", "3"), ("--warmup", "0"), ("--seed", "42"),
                                ("--timeout", "120"), ("--dispatch", "inline"), ("--out", "vmbench-results.json")):
            self.assertRegex(out, re.escape(option) + r" [^\n]*=" + re.escape(default) + r"\n", option)
        self.assertIn("docs/glossary.md", out)
        self.assertTrue(os.path.exists(os.path.join(SOURCE_DIR, "docs", "glossary.md")))


if __name__ == "__main__":
    unittest.main()
