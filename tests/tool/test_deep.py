"""End-to-end tests of the deep-metric passes (--syscalls, --latency, --timeline, --heapmap, --cost), run by ctest.

Known answers: the arena and the pool count their own commits and decommits, and the system-call
tracer must find exactly as many; strace, an independent tracer, must see the same memory calls
between the child's phase markers; every operation of the cell is timed once; the timeline stays
bounded. Environment: VMBENCH (the binary), VMB_SCHEMA (the schema file).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import jsonschema

from vmbtest import VMBENCH, schema
from vmbtest import vmbench as run

WORKLOADS = ("tree", "churn", "strings", "frag")


class DeepRun(unittest.TestCase):
    """One run with every deep pass, shared by the tests below."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        path = os.path.join(cls.tmp.name, "deep.json")
        cls.proc = run("run", "--scale", "ci", "--reps", "2", "--deep", "-q", "--out", path, "-a", "arena,pool,malloc",
                       "-w", ",".join(WORKLOADS))  # one thread each: the deep passes run for one thread only
        assert cls.proc.returncode == 0, cls.proc.stderr
        with open(path) as f:
            cls.doc = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def first_reps(self):
        return [c for c in self.doc["cells"] if c["rep"] == 0]

    def test_results_match_the_schema(self):
        jsonschema.validate(self.doc, schema())
        self.assertEqual(self.doc["plan"]["deep_passes"],
                         {"syscalls": True, "latency": True, "timeline": True, "heap_map": True, "cost": True,
                          "timeline_every_ops": 0})

    def test_deep_figures_only_on_the_first_repetition(self):
        for c in self.doc["cells"]:
            for key in ("syscalls", "latency", "timeline", "heap_map"):
                self.assertEqual(key in c["figures"], c["rep"] == 0, (c["key"], key))
            # the cost pass: its figures, or (without valgrind) the reason, on the first repetition only
            self.assertEqual("cost" in c["figures"] or "cost" in c["figures"]["unavailable"], c["rep"] == 0, c["key"])

    def test_system_call_counts_equal_the_arena_and_pool_counters(self):
        for c in self.first_reps():
            if c["allocator"] not in ("arena", "pool"):
                continue
            s = c["figures"]["syscalls"]
            self.assertIsNotNone(s, c["figures"]["unavailable"])
            self.assertEqual(s["commits"], s["heap_commit_calls"], c["key"])
            self.assertEqual(s["decommits"], s["heap_decommit_calls"], c["key"])
            # each arena/pool commit is one mprotect, each decommit madvise + mprotect
            self.assertEqual(s["calls"]["madvise"]["calls"], s["decommits"], c["key"])
            self.assertEqual(s["calls"]["mprotect"]["calls"], s["commits"] + s["decommits"], c["key"])
            # and the traced process did what the timed one did
            self.assertEqual(s["heap_commit_calls"], c["figures"]["heap"]["commit_calls"], c["key"])

    def test_malloc_commits_are_seen_at_the_system_call_layer(self):
        frag = next(c for c in self.first_reps() if c["key"] == "frag/malloc/inline")
        s = frag["figures"]["syscalls"]
        self.assertGreater(s["commits"], 0)
        self.assertGreater(s["commit_bytes"], frag["figures"]["peak_live_bytes"] // 2)

    def test_every_operation_is_timed_once(self):
        for c in self.first_reps():
            lat, f = c["figures"]["latency"], c["figures"]
            self.assertEqual(lat["alloc"]["count"], f["allocations"], c["key"])
            if f["frees"] == 0:
                self.assertIsNone(lat["free"], c["key"])
            else:
                self.assertEqual(lat["free"]["count"], f["frees"], c["key"])
            for kind in ("alloc", "free"):
                k = lat[kind]
                if k is None:
                    continue
                ordered = [k["p50_ns"], k["p90_ns"], k["p99_ns"], k["p99_9_ns"], k["p99_99_ns"], k["max_ns"]]
                self.assertEqual(ordered, sorted(ordered), c["key"])
            self.assertGreater(lat["timer_cost_ns"]["median"], 0)

    def test_timeline_is_bounded_and_has_the_workload_checkpoints(self):
        for c in self.first_reps():
            t = c["figures"]["timeline"]
            self.assertLessEqual(t["points"], 1024)
            self.assertGreaterEqual(t["points"], 100, c["key"])
            for series in ("op", "at_s", "live_bytes", "rss_delta_bytes", "committed_bytes", "f"):
                self.assertEqual(len(t[series]), t["points"], (c["key"], series))
            labels = [l["label"] for l in t["labels"]]
            self.assertEqual(labels[0], "start")
            self.assertEqual(labels[-1], "end")
            for cp in c["figures"]["checkpoints"]:
                self.assertIn(cp["label"], labels, c["key"])

    def test_f4_is_peak_rss_over_peak_live(self):
        for c in self.first_reps():
            t = c["figures"]["timeline"]
            self.assertEqual(t["peak_live_bytes"], max(t["live_bytes"]))
            self.assertEqual(t["peak_rss_delta_bytes"], max(t["rss_delta_bytes"]))
            self.assertAlmostEqual(t["F4"], t["peak_rss_delta_bytes"] / t["peak_live_bytes"])

    def test_committed_bytes_come_from_the_heap_or_the_library(self):
        for c in self.first_reps():
            t = c["figures"]["timeline"]
            expected = "glibc mallinfo2" if c["allocator"] == "malloc" else "heap counters"
            self.assertEqual(t["committed_source"], expected, c["key"])

    def test_heap_map_at_the_peak_and_after_the_big_free(self):
        for c in self.first_reps():
            h = c["figures"]["heap_map"]
            labels = [snap["label"] for snap in h["snapshots"]]
            self.assertIn("peak", labels, c["key"])  # the first time live bytes reach their peak
            if c["workload"] == "frag":
                self.assertIn("after free", labels)
            if h["untracked_deaths"] or h["registry_full"]:
                continue  # arena bulk deaths (tree, churn, strings) leave the registry approximate
            for snap in h["snapshots"]:
                self.assertFalse(snap["regions_truncated"], c["key"])
                # every live byte is in exactly one bin, and no bin has more resident pages than pages
                self.assertEqual(sum(sum(r["live_bytes"]) for r in snap["regions"]), snap["live_bytes"], c["key"])
                for r in snap["regions"]:
                    self.assertTrue(all(p <= r["pages_per_bin"] for p in r["resident_pages"]), c["key"])

    def test_heap_map_after_the_big_free_keeps_the_pages_of_the_survivors(self):
        frag = next(c for c in self.first_reps() if c["key"] == "frag/arena/inline")
        snaps = {s["label"]: s for s in frag["figures"]["heap_map"]["snapshots"]}
        peak, after = snaps["peak"], snaps["after free"]
        self.assertEqual(after["objects"], peak["objects"] // 10)  # the random pattern frees 9 in 10
        # the arena gives nothing back on free: the same pages stay resident around the survivors
        self.assertEqual([r["pages"] for r in after["regions"]], [r["pages"] for r in peak["regions"]])

    def test_native_statistics_of_glibc(self):
        for c in self.first_reps():
            n = c["figures"]["native"]
            if c["allocator"] == "malloc":
                self.assertEqual(n["source"], "glibc mallinfo2")
                self.assertEqual(n["committed_bytes"], n["fields"]["arena"] + n["fields"]["hblkhd"])
            else:
                self.assertIsNone(n)
                self.assertIn("native", c["figures"]["unavailable"])

    def test_hardware_counters_are_numbers_or_null_with_the_reason(self):
        for c in self.doc["cells"]:
            hw = c["figures"]["hardware_counters"]
            if hw is None:
                self.assertIn("perf_event_open", c["figures"]["unavailable"]["hardware_counters"])

    def test_groups_carry_the_deep_figures(self):
        for g in self.doc["groups"]:
            self.assertIn("syscalls", g)
            self.assertIn("latency", g)
            self.assertIsNotNone(g["fragmentation"]["F4"])


class DeepPassesAreOptIn(unittest.TestCase):
    def test_without_flags_there_are_no_deep_figures(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            p = run("run", "--scale", "ci", "--reps", "1", "-w", "churn", "-a", "arena", "-q", "--out", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(path) as f:
                f = json.load(f)["cells"][0]["figures"]
            for key in ("syscalls", "latency", "timeline"):
                self.assertNotIn(key, f)

    def test_timeline_every_sets_the_spacing(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            p = run("run", "--scale", "ci", "--reps", "1", "-w", "churn", "-a", "pool", "-q", "--timeline",
                    "--timeline-every", "100000", "--out", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(path) as f:
                t = json.load(f)["cells"][0]["figures"]["timeline"]
            self.assertEqual(t["every_ops"], 100000)
            self.assertTrue(all(op % 100000 == 0 for op, label in zip(t["op"], range(t["points"]))
                                if label not in {l["index"] for l in t["labels"]}))


@unittest.skipUnless(shutil.which("strace"), "strace not installed")
class AgreesWithStrace(unittest.TestCase):
    """strace traces the same cell process; its memory calls between the markers must match ours."""

    def count_with_strace(self, spec):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "strace.log")
            # Without the parent's fd 3 the cell cannot hand in its result (exit 6), but only after its
            # measured phase: strace's log is all this test needs.
            subprocess.run(["strace", "-f", "-o", log, "-e", "trace=mmap,munmap,mremap,brk,mprotect,madvise,getpid",
                            VMBENCH, "__cell", json.dumps(spec)], capture_output=True, timeout=300)
            with open(log) as f:
                lines = f.read().splitlines()
        # strace prints getpid without its (ignored) argument: the phase markers are the only two getpid
        # calls these cells make, the first begins the phase and the second ends it.
        self.assertEqual(sum("getpid()" in line for line in lines), 2)
        counts, inside = {}, False
        for line in lines:
            m = re.search(r"\b(mmap|munmap|mremap|brk|mprotect|madvise|getpid)\(", line)
            if not m:
                continue
            if m.group(1) == "getpid":
                inside = not inside
            elif inside:
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        return counts

    def test_same_calls_as_the_tracer(self):
        for alloc in ("arena", "pool", "malloc"):
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "r.json")
                p = run("run", "--scale", "ci", "--reps", "1", "-w", "frag", "-a", alloc, "-q", "--syscalls", "--out", path)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(path) as f:
                    cell = json.load(f)["cells"][0]
            spec = {"workload": "frag", "allocator": alloc, "dispatch": "inline", "params": cell["params"],
                    "seed": 42, "warmup": 0, "pass": "syscalls"}
            theirs = self.count_with_strace(spec)
            ours = {k: v["calls"] for k, v in cell["figures"]["syscalls"]["calls"].items() if v["calls"] > 0}
            self.assertEqual(theirs, ours, alloc)


if __name__ == "__main__":
    unittest.main()
