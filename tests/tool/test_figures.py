"""End-to-end tests of the figures a performance engineer cites (issue 13): one throughput, the same
operations for every allocator, ranked exactly as time. Deterministic given the results file: the
tests read the figures of one run and compare them with each other, never with a wall-time outcome.
"""
import json
import os
import statistics
import sys
import tempfile
import unittest

from vmbtest import SOURCE_DIR, SharedRun, load_results, sanitized_build, vmbench

sys.path.insert(0, os.path.join(SOURCE_DIR, "scripts", "plots"))
import throughput  # noqa: E402  (the plot module, as `vmbench plot` runs it)

ALLOCATORS = "arena,pool,malloc,pmr-monotonic,bump"


def table_rows(stdout):
    """{(block title, allocator): Mops/s} from the table `vmbench run` prints. Columns are right-aligned
    under their headers: Mops/s ends where its header ends and starts after the previous header. The
    passes' tables after the main ones (latency, system calls, RSS / live) have no Mops/s: skipped."""
    rows, title, span = {}, None, None
    for line in stdout.splitlines():
        if line and not line.startswith(" "):
            title, span = line, None
        elif line.strip().startswith("allocator") and "Mops/s" in line:
            at = line.index("Mops/s")
            span = (len(line[:at].rstrip()), at + len("Mops/s"))
        elif span and line.startswith("  ") and not line.strip().startswith("note:"):
            rows[(title, line.split()[0])] = float(line[span[0]:span[1]])
    return rows


class OneThroughput(SharedRun):
    # Two repetitions: the even case, where the median of per-repetition rates can rank against time.
    RUN_ARGS = ("run", "--scale", "ci", "--reps", "2", "-a", ALLOCATORS)

    def blocks(self):
        out = {}
        for g in self.doc["groups"]:
            out.setdefault(g["workload"], []).append(g)
        return out

    def test_every_allocator_counts_the_same_operations_for_the_same_work(self):
        for workload, groups in self.blocks().items():
            self.assertEqual(len({g["ops"] for g in groups}), 1,
                             f"{workload}: {[(g['allocator'], g['ops']) for g in groups]}")
            for g in groups:
                if workload != "strings":  # the only workload that resizes
                    self.assertEqual(g["ops"], g["allocations"] + g["frees"] + g["frees_skipped"], g["key"])

    def test_the_plotted_throughput_ranks_exactly_as_time(self):
        bars = throughput.bars(self.doc)
        for workload, groups in self.blocks().items():
            median_wall = {g["allocator"]: statistics.median(
                c["figures"]["wall_s"] for c in self.doc["cells"] if c["key"] == g["key"] and c["status"] == "ok")
                for g in groups}
            by_time = sorted(median_wall, key=lambda a: median_wall[a])
            rate = {a: m for _, a, m, _, _ in bars[workload]}
            by_rate = sorted(rate, key=lambda a: -rate[a])
            self.assertEqual(by_rate, by_time, workload)

    def test_the_table_never_ranks_against_time(self):
        rows = table_rows(self.proc.stdout)
        self.assertTrue(rows, self.proc.stdout)
        for workload, groups in self.blocks().items():
            title = next(t for t, _ in rows if t.startswith(workload + " "))
            wall = {g["allocator"]: g["figures"]["wall_s"]["median"] for g in groups}
            mops = {a: rows[(title, a)] for a in wall}
            for a in wall:
                for b in wall:
                    if wall[a] < wall[b]:  # faster: a throughput at least as high (3 digits may tie)
                        self.assertGreaterEqual(mops[a], mops[b], f"{workload}: {a} vs {b}\n{self.proc.stdout}")


class LatencyAtTheTimersResolution(SharedRun):
    RUN_ARGS = ("run", "--scale", "ci", "--reps", "1", "-w", "tree", "-a", "arena,malloc", "--latency")

    def test_the_timer_is_measured_and_its_cost_subtracted(self):
        for g in self.doc["groups"]:
            lat = g["latency"]
            self.assertGreater(lat["resolution_ns"], 0, g["key"])
            self.assertAlmostEqual(lat["resolved_from_ns"], 3 * lat["resolution_ns"], places=6)
            self.assertEqual(lat["overhead_subtracted_ns"], lat["timer_cost_ns"]["median"])
            # Whole steps: the read cost is a multiple of the step, within the calibration's rounding.
            steps = lat["overhead_subtracted_ns"] / lat["resolution_ns"]
            self.assertAlmostEqual(steps, round(steps), places=3, msg=g["key"])

    def test_the_table_prints_each_latency_with_its_timer(self):
        lines = self.proc.stdout.splitlines()
        title = next(i for i, l in enumerate(lines) if l.startswith("tree  latency per call"))
        block = lines[title:lines.index("", title)]
        # One note when every cell measured the same timer step and read cost, else one per allocator
        # (which of the two depends on the machine's timer readings; what each says does not).
        notes = [l.strip() for l in block if l.strip().startswith("note: ")]
        for g in self.doc["groups"]:
            lat = g["latency"]
            said = (f"timer steps of {lat['resolution_ns']:.0f} ns, its {lat['overhead_subtracted_ns']:.0f} ns read "
                    "cost subtracted")
            self.assertTrue(any(n.startswith("note: " + said) or n.startswith(f"note: {g['allocator']}: {said}")
                                for n in notes), notes)
            row = next(l for l in block if l.split()[0] == g["allocator"])
            if lat["alloc"]["p50_ns"] < lat["resolved_from_ns"]:
                self.assertTrue(row.split(None, 1)[1].startswith(f"< {lat['resolved_from_ns']:.0f} ns"), row)


class HeapMapSaysWhatItCounts(SharedRun):
    RUN_ARGS = ("run", "--scale", "ci", "--reps", "1", "-w", "frag", "-a", "arena,malloc", "--heapmap")

    def test_each_snapshot_carries_its_resident_bytes_and_the_process_growth(self):
        for c in self.doc["cells"]:
            hm = c["figures"]["heap_map"]
            self.assertTrue(hm["snapshots"], c["key"])
            for s in hm["snapshots"]:
                pages = sum(sum(r["resident_pages"]) for r in s["regions"])
                self.assertEqual(s["resident_bytes"], pages * hm["page_bytes"], (c["key"], s["label"]))
                self.assertIsInstance(s["rss_delta_bytes"], int)


def available(name):
    listing = json.loads(vmbench("list", "--format", "json").stdout)
    return any(a["name"] == name and a["available"] for a in listing["allocators"])


class TracedCountsArePinnedAndShown(unittest.TestCase):
    """--syscalls runs jemalloc and mimalloc with their time-based purging pinned, and the table shows
    the traced commits of the malloc family, marked."""

    def test_the_traced_pass_pins_purging_and_the_table_marks_its_commits(self):
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime (jemalloc, mimalloc)")
        allocators = [a for a in ("malloc", "jemalloc", "mimalloc") if available(a)]
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "r.json")
            proc = vmbench("run", "--scale", "ci", "--reps", "1", "-w", "frag", "-a", ",".join(allocators),
                           "--syscalls", "--out", out, timeout=600)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            doc = load_results(out)
        for g in doc["groups"]:
            pins = g["syscalls"]["pins"]
            if g["allocator"] == "malloc":
                self.assertEqual(pins, [])
            else:
                self.assertEqual(len(pins), 1, g["key"])
                self.assertIn({"jemalloc": "dirty_decay_ms:-1", "mimalloc": "MIMALLOC_ALLOW_DECOMMIT=0"}[g["allocator"]],
                              pins[0])
            row = next(l for l in proc.stdout.splitlines() if l.startswith(f"  {g['allocator']} "))
            self.assertIn(f" {g['syscalls']['commits']}* ", row + " ")


if __name__ == "__main__":
    unittest.main()
