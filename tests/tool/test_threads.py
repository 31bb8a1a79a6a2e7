"""Cells of several threads from the command line (`vmbench run --threads`): the sweep, checksums that do
not move from run to run, xfer's counts, the scaling efficiency, and every bad input refused in one line.
Deterministic figures only: counts, checksums, exit codes, warnings; never a time.
"""
import json
import os
import unittest

from vmbtest import FIXTURES, QUICK, SOURCE_DIR, SharedRun, Scratch, load_results, one_line, vmbench

SWEEP = ("run", *QUICK, "-w", "churn,tree,xfer", "-a", "malloc,arena,pool", "--threads", "1,2", "-q")
XFER_OBJECTS = 200_000  # xfer's objects at --scale ci


def by_key(doc):
    return {g["key"]: g for g in doc["groups"]}


class TheSweep(SharedRun):
    RUN_ARGS = SWEEP

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.again = vmbench(*SWEEP, "--out", cls.path + ".again", timeout=900)
        assert cls.again.returncode == 0, cls.again.stderr
        cls.doc_again = load_results(cls.path + ".again")

    def test_the_document_is_valid(self):
        load_results(self.path)

    def test_each_thread_count_is_a_group_with_its_key(self):
        keys = set(by_key(self.doc))
        for w in ("churn", "tree"):
            for a in ("malloc", "arena", "pool"):
                for n in (1, 2):
                    self.assertIn(f"{w}/{a}/inline/threads={n}", keys)
        # xfer on a pool at 2 threads cannot run: its frees would come from the other thread.
        self.assertIn("xfer/pool/inline/threads=1", keys)
        self.assertNotIn("xfer/pool/inline/threads=2", keys)
        refusal = [w for w in self.doc["warnings"] if w.startswith("not run: ")]
        self.assertEqual(len(refusal), 1, self.doc["warnings"])  # one line for every combination refused alike
        self.assertIn("xfer/pool/inline/threads=2", refusal[0].split(": ")[1].split(", "))

    def test_checksums_are_identical_from_run_to_run(self):
        again = by_key(self.doc_again)
        for key, g in by_key(self.doc).items():
            with self.subTest(key):
                self.assertEqual(g["checksum"], again[key]["checksum"])
                self.assertEqual(g["allocations"], again[key]["allocations"])
                self.assertEqual(g["peak_live_bytes"], again[key]["peak_live_bytes"])

    def test_every_allocator_does_the_same_work_at_a_thread_count(self):
        groups = by_key(self.doc)
        for w in ("churn", "tree", "xfer"):
            for n in (1, 2):
                sums = {g["checksum"] for k, g in groups.items() if k.startswith(w + "/") and k.endswith(f"threads={n}")}
                self.assertEqual(len(sums), 1, (w, n))

    def test_each_thread_runs_the_whole_workload(self):
        groups = by_key(self.doc)
        for w in ("churn", "tree"):
            one, two = groups[f"{w}/malloc/inline/threads=1"], groups[f"{w}/malloc/inline/threads=2"]
            self.assertEqual(two["allocations"], 2 * one["allocations"], w)
            self.assertNotEqual(two["checksum"], one["checksum"], w)  # thread 1 has a seed of its own

    def test_xfer_hands_every_object_to_the_other_thread(self):
        groups = by_key(self.doc)
        for n in (1, 2):
            m = groups[f"xfer/malloc/inline/threads={n}"]
            self.assertEqual((m["allocations"], m["frees"], m["frees_skipped"]), (XFER_OBJECTS, XFER_OBJECTS, 0))
            a = groups[f"xfer/arena/inline/threads={n}"]
            self.assertEqual((a["allocations"], a["frees"], a["frees_skipped"]), (XFER_OBJECTS, 0, XFER_OBJECTS))
        # One pair on one thread or on two: the same objects in the same order.
        self.assertEqual(groups["xfer/malloc/inline/threads=1"]["checksum"], groups["xfer/malloc/inline/threads=2"]["checksum"])

    def test_the_per_thread_figures_and_the_scaling_efficiency(self):
        for key, g in by_key(self.doc).items():
            f = g["figures"]
            with self.subTest(key):
                self.assertIsNotNone(f["thread_ops_per_s"])
                self.assertLessEqual(f["thread_min_s"]["median"], f["thread_max_s"]["median"])
                self.assertIsNotNone(f["scaling_efficiency"])
                if key.endswith("threads=1"):
                    self.assertEqual(f["scaling_efficiency"]["median"], 1.0)

    def test_a_team_reports_each_phase_over_its_threads(self):
        cell = next(c for c in self.doc["cells"] if c["key"] == "tree/arena/inline/threads=2")
        build = next(p for p in cell["figures"]["phases"] if p["name"] == "build")
        self.assertEqual(build["threads"], 2)
        self.assertLessEqual(build["min_s"], build["seconds"])
        self.assertLessEqual(build["seconds"], build["max_s"])
        self.assertIn("hardware_counters", cell["figures"]["unavailable"])


class TheReport(Scratch):
    def test_a_thread_sweep_has_its_table_and_a_caption_computed_from_it(self):
        fixture = os.path.join(FIXTURES, "ci-threads.json")  # --threads 1,2,4 (scripts/make-fixtures.sh)
        html = os.path.join(self.dir.name, "r.html")
        p = vmbench("report", fixture, "--out", html)
        if p.returncode == 3:
            self.skipTest("matplotlib is not installed")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(html, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("<h3>Scaling over threads</h3>", text)
        doc = load_results(fixture, validate=False)
        tree_arena_4 = next(g for g in doc["groups"] if g["key"] == "tree/arena/inline/threads=4")
        self.assertIn(f"{tree_arena_4['figures']['thread_ops_per_s']['median'] / 1e6:.1f} M/s "
                      f"({tree_arena_4['figures']['scaling_efficiency']['median']:.2f})", text)
        self.assertIn("tree at 4 threads (kept of 1 thread", text)


class CompareWithFilesBeforeThreads(Scratch):
    """A file written before the threads parameter ran every workload on one thread: threads=1 is the same
    work (compare matches it), threads=2 is not."""
    BASELINE = os.path.join(SOURCE_DIR, "results", "baseline", "ci.json")

    def compare(self, threads):
        p = vmbench("run", *QUICK, "-w", "tree", "-a", "malloc", "--threads", threads, "-q", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        return vmbench("compare", self.BASELINE, self.out, "--format", "json")

    def test_one_thread_matches_the_older_file(self):
        c = self.compare("1")
        self.assertIn(c.returncode, (0, 1), c.stderr)
        notes = json.loads(c.stdout)["notes"]
        self.assertFalse([n for n in notes if "only in NEW" in n], notes)
        self.assertFalse([n for n in notes if "threads" in n], notes)

    def test_two_threads_do_not(self):
        c = self.compare("2")
        self.assertEqual(c.returncode, 2, c.stdout)
        self.assertIn("no common cells", c.stderr)


class BadInput(Scratch):
    def refused(self, *args):
        p = vmbench("run", *QUICK, "-a", "malloc", "--out", self.out, *args)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertFalse(os.path.exists(self.out))
        return one_line(self, p)

    def test_zero_threads(self):
        self.assertEqual(self.refused("-w", "churn", "--threads", "0"), "vmbench: --threads 0: a thread count is 1 to 1024")

    def test_more_than_1024_threads(self):
        self.assertEqual(self.refused("-w", "churn", "--threads", "1,1025"),
                         "vmbench: --threads 1025: a thread count is 1 to 1024")

    def test_not_a_number(self):
        self.assertIn("--threads two: not a number", self.refused("-w", "churn", "--threads", "two"))

    def test_the_parameter_is_checked_as_the_option(self):
        self.assertEqual(self.refused("-w", "churn", "-p", "threads=0"),
                         "vmbench: --param threads=0: a thread count is 1 to 1024")

    def test_an_odd_team_for_xfer(self):
        self.assertIn("producer/consumer pairs", self.refused("-w", "xfer", "--threads", "3"))

    def test_no_workload_that_runs_on_threads(self):
        self.assertIn("none of the chosen workloads runs on threads", self.refused("-w", "frag", "--threads", "2"))

    def test_option_and_parameter_together(self):
        self.assertIn("both given", self.refused("-w", "churn", "--threads", "2", "-p", "threads=2"))


class Warnings(Scratch):
    def test_more_threads_than_cpus_runs_with_one_warning(self):
        p = vmbench("run", *QUICK, "-w", "churn", "-a", "malloc", "--threads", "2", "--out", self.out,
                    preexec_fn=lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}))
        self.assertEqual(p.returncode, 0, p.stderr)
        warnings = [l for l in p.stderr.splitlines() if "time-slicing" in l]
        self.assertEqual(len(warnings), 1, p.stderr)
        self.assertIn("2 threads on the 1 CPUs", warnings[0])
        self.assertTrue(any("time-slicing" in w for w in self.load()["warnings"]))

    def test_a_thread_that_cannot_start_fails_its_cell_with_the_reason(self):
        # Each thread's stack is a private writable mapping, which RLIMIT_DATA counts: 64 threads of
        # 8 MiB do not fit in 64 MiB.
        p = vmbench("run", *QUICK, "-w", "churn", "-a", "malloc", "--threads", "64", "--memory-limit", "64M",
                    "--out", self.out)
        if p.returncode == 2 and "sanitizer" in p.stderr:
            self.skipTest("a sanitizer build cannot run under a memory limit")
        self.assertEqual(p.returncode, 1, p.stderr)
        cell = self.load()["cells"][0]
        self.assertEqual(cell["status"], "failed")
        self.assertRegex(cell["error"], r"thread \d+ of 64 could not be started")

    def test_the_deep_passes_run_at_one_thread_only(self):
        p = vmbench("run", *QUICK, "-w", "churn", "-a", "malloc", "--threads", "1,2", "--latency", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        cells = {c["key"]: c for c in self.load()["cells"]}
        self.assertIsNotNone(cells["churn/malloc/inline/threads=1"]["figures"]["latency"])
        two = cells["churn/malloc/inline/threads=2"]["figures"]
        self.assertNotIn("latency", two)
        self.assertIn("one thread", two["unavailable"]["latency"])


if __name__ == "__main__":
    unittest.main()
