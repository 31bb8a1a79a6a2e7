"""The compact tables `vmbench run` prints after its main table (issue 14, item 1), run by ctest
(vmbench_test_deep_tables): latency percentiles per kind of operation, the traced system calls, and RSS over
live bytes at each checkpoint with F3 and F4. Each appears when its data exist: --deep prints all three,
each pass on its own prints its own, a plain frag run prints RSS over live bytes (every run records the
checkpoints), a plain tree run (one checkpoint) prints none. The tables are parsed from the text and every
number checked against the results file, formatted the same way: structure and equality, never a timing's
magnitude.
Environment: VMBENCH, VMB_SCHEMA, VMB_SOURCE_DIR (tests/tool/CMakeLists.txt).
"""
import statistics
import unittest

from vmbtest import QUICK, SharedRun, vmbench

LATENCY = "latency per call, one timed pass: lower is better"
SYSCALLS = "memory system calls, one traced pass: fewer is better"
FRAGMENTATION = "RSS over live bytes at each checkpoint: closer to 1x is better"
PERCENTILES = (("p50_ns", "p50"), ("p99_ns", "p99"), ("p99_9_ns", "p99.9"), ("max_ns", "max"))
MAX_WIDTH = 100  # the passes' tables fit a 100-column terminal


def human_bytes(b):
    """formats/summary_rows.cpp's human_bytes."""
    units, u, neg = ("B", "KiB", "MiB", "GiB", "TiB"), 0, b < 0
    b = abs(b)
    while b >= 1024 and u < 4:
        b /= 1024
        u += 1
    return ("-" if neg else "") + (f"{b:.0f} {units[u]}" if u == 0 else f"{b:.1f} {units[u]}")


def latency_text(ns, floor_ns):
    """formats/block_rows.cpp's latency_value_text."""
    if ns < floor_ns:
        return f"< {floor_ns:.0f} ns"
    if ns < 1e3:
        return f"{ns:.0f} ns"
    return f"{ns / 1e3:.1f} us" if ns < 1e6 else f"{ns / 1e6:.1f} ms"


def block(stdout, title):
    """The lines of the block whose title is `title`, up to the blank line that ends it; None if absent."""
    lines = stdout.splitlines()
    starts = [i for i, l in enumerate(lines) if l == title]
    if not starts:
        return None
    end = lines.index("", starts[0])
    return lines[starts[0]:end]


def parse(lines, headers):
    """{row label: [cells]} of a block whose header line holds `headers` in order. Numbers are right-aligned:
    a column ends where its header ends and begins after the previous column's end; cells may hold spaces."""
    header = next(l for l in lines if l.strip().startswith("allocator"))
    ends, at = [], 0
    for h in headers:
        at = header.index(h, at) + len(h)
        ends.append(at)
    rows = {}
    for line in lines[lines.index(header) + 1:]:
        if line.strip().startswith("note:"):
            continue
        label = line.split()[0]
        starts = [len("  ") + len(label)] + [e + 1 for e in ends[1:-1]]
        rows[label] = [line[s:e].strip() for s, e in zip(starts, ends[1:])]
    return rows


def checkpoint_medians(doc, group):
    """{label: (median live, median RSS growth)} over the group's ok cells, as the table takes them."""
    by = {}
    for c in doc["cells"]:
        if c["key"] != group["key"] or c["status"] != "ok":
            continue
        base = c["figures"]["rss_baseline_bytes"]
        for cp in c["figures"]["checkpoints"]:
            by.setdefault(cp["label"], []).append((cp["live_bytes"], cp["rss_bytes"] - base))
    return {k: (statistics.median(v[0] for v in vs), statistics.median(v[1] for v in vs)) for k, vs in by.items()}


def ratio_text(live, rss):
    held = max(rss, 0)
    return f"{held / live:.2f}x" if live > 0 else human_bytes(held) + " held"


class TablesCheck(SharedRun):
    """Checks of each table against the run's own file."""

    def check_latency(self, workload="frag"):
        lines = block(self.proc.stdout, f"{workload}  {LATENCY}")
        self.assertIsNotNone(lines, self.proc.stdout)
        spans = lines[1]
        self.assertEqual(spans.split(), ["alloc", "free"], spans)
        headers = ["allocator"] + [h for _, h in PERCENTILES] * 2
        rows = parse(lines, headers)
        groups = [g for g in self.doc["groups"] if g["workload"] == workload]
        self.assertEqual(sorted(rows), sorted(g["allocator"] for g in groups))
        for g in groups:
            lat = g["latency"]
            expected = []
            for kind in ("alloc", "free"):
                k = lat.get(kind)
                called = isinstance(k, dict) and k.get("count", 1) > 0
                expected += [latency_text(k[key], lat["resolved_from_ns"]) if called else "-" for key, _ in PERCENTILES]
            self.assertEqual(rows[g["allocator"]], expected, g["key"])
        # "alloc" stands over the first p50 column, "free" over the second
        header = lines[2]
        first_p50 = header.index("p50")
        self.assertLess(header.index("allocator") + len("allocator"), spans.index("alloc"))
        self.assertLess(spans.index("alloc"), first_p50 + len("p50"))
        self.assertLess(header.index("max") + len("max"), spans.index("free") + len("free"))
        self.assertLess(spans.index("free"), header.index("p50", first_p50 + 1) + len("p50"))
        # The timer's step and read cost are measured in each cell: one note when every allocator's agree,
        # else a note per allocator (which of the two depends on the machine; what each says does not).
        text = "\n".join(lines)
        timer = {g["allocator"]: (f"timer steps of {g['latency']['resolution_ns']:.0f} ns, its "
                                  f"{g['latency']['overhead_subtracted_ns']:.0f} ns read cost subtracted")
                 for g in groups}
        if len(set(timer.values())) == 1:
            self.assertIn("note: " + next(iter(timer.values())), text)
        else:
            for allocator, said in timer.items():
                self.assertIn(f"note: {allocator}: {said}", text)

    def check_syscalls(self, workload="frag"):
        lines = block(self.proc.stdout, f"{workload}  {SYSCALLS}")
        self.assertIsNotNone(lines, self.proc.stdout)
        rows = parse(lines, ["allocator", "commits", "committed", "decommits", "decommitted"])
        groups = [g for g in self.doc["groups"] if g["workload"] == workload]
        self.assertEqual(sorted(rows), sorted(g["allocator"] for g in groups))
        for g in groups:
            s = g["syscalls"]
            self.assertEqual(rows[g["allocator"]], [str(s["commits"]), human_bytes(s["commit_bytes"]),
                                                    str(s["decommits"]), human_bytes(s["decommit_bytes"])], g["key"])

    def check_fragmentation(self, factors, workload="frag"):
        lines = block(self.proc.stdout, f"{workload}  {FRAGMENTATION}")
        self.assertIsNotNone(lines, self.proc.stdout)
        groups = [g for g in self.doc["groups"] if g["workload"] == workload]
        labels = list(dict.fromkeys(cp["label"] for c in self.doc["cells"] if c["workload"] == workload
                                    for cp in c["figures"]["checkpoints"]))
        headers = ["allocator"] + labels + (["F3", "F4"] if factors else [])
        self.assertEqual(lines[1].split(), " ".join(headers).split(), lines[1])
        rows = parse(lines, headers)
        self.assertEqual(sorted(rows), sorted(g["allocator"] for g in groups))
        for g in groups:
            medians = checkpoint_medians(self.doc, g)
            expected = ["n/a" if g["allocator"] == "oracle" else ratio_text(*medians[label]) for label in labels]
            if factors:
                expected += [f"{g['fragmentation']['F3']:.2f}", f"{g['fragmentation']['F4']:.2f}"]
            self.assertEqual(rows[g["allocator"]], expected, g["key"])
        return lines

    def check_narrow(self, titles):
        for title in titles:
            for line in block(self.proc.stdout, title) or []:
                self.assertLessEqual(len(line), MAX_WIDTH, line)


class DeepFragPrintsEveryTable(TablesCheck):
    # arena: its own commit counter and no individual free; malloc: neither, so its commits are traced
    RUN_ARGS = ("run", *QUICK, "-w", "frag", "-a", "arena,malloc", "--deep")

    def test_latency_per_kind_of_operation(self):
        self.check_latency()

    def test_traced_commits_and_decommits_of_every_allocator(self):
        self.check_syscalls()

    def test_rss_over_live_at_each_checkpoint_with_f3_and_f4(self):
        lines = self.check_fragmentation(factors=True)
        self.assertIn("note: F3: RSS / live where RSS peaks; F4: peak RSS / peak live", "\n".join(lines))

    def test_the_main_table_marks_the_traced_commits(self):
        malloc = next(g for g in self.doc["groups"] if g["allocator"] == "malloc")
        row = next(l for l in self.proc.stdout.splitlines() if l.startswith("  malloc "))
        self.assertIn(f" {malloc['syscalls']['commits']}* ", row)
        self.assertIn("commits: the heap's own counter; with *, the commit calls the --syscalls trace counted",
                      self.proc.stdout)

    def test_the_latency_note_left_the_main_table(self):
        self.assertNotIn(": latency alloc p50", self.proc.stdout)

    def test_the_tables_fit_100_columns(self):
        self.check_narrow([f"frag  {t}" for t in (LATENCY, SYSCALLS, FRAGMENTATION)])

    def test_markdown_holds_the_same_tables(self):
        p = vmbench("export", "--format", "markdown", self.path)
        self.assertEqual(p.returncode, 0, p.stderr)
        for title in (LATENCY, SYSCALLS, FRAGMENTATION):
            self.assertIn(f"### frag  {title}", p.stdout)
        self.assertIn("| allocator | alloc p50 | alloc p99 | alloc p99.9 | alloc max | free p50 |", p.stdout)


class PlainFragPrintsRssOverLive(TablesCheck):
    RUN_ARGS = ("run", *QUICK, "-w", "frag", "-a", "arena,malloc")

    def test_rss_over_live_at_each_checkpoint_without_f3_and_f4(self):
        self.check_fragmentation(factors=False)

    def test_no_table_of_a_pass_that_did_not_run(self):
        for title in (LATENCY, SYSCALLS):
            self.assertNotIn(title, self.proc.stdout)


class PlainTreePrintsNone(SharedRun):
    RUN_ARGS = ("run", *QUICK, "-w", "tree", "-a", "arena,malloc")

    def test_no_extra_table(self):
        for title in (LATENCY, SYSCALLS, FRAGMENTATION):
            self.assertNotIn(title, self.proc.stdout)


class LatencyAloneOnTree(TablesCheck):
    RUN_ARGS = ("run", *QUICK, "-w", "tree", "-a", "arena,malloc", "--latency")

    def test_only_the_latency_table(self):
        self.check_latency("tree")
        for title in (SYSCALLS, FRAGMENTATION):
            self.assertNotIn(title, self.proc.stdout)


class SyscallsAloneOnTree(TablesCheck):
    RUN_ARGS = ("run", *QUICK, "-w", "tree", "-a", "arena,malloc", "--syscalls")

    def test_only_the_system_call_table(self):
        self.check_syscalls("tree")
        for title in (LATENCY, FRAGMENTATION):
            self.assertNotIn(title, self.proc.stdout)


class TimelineAloneOnTree(TablesCheck):
    # tree has one checkpoint: its table is there for F3 and F4, which only the timeline pass gives
    RUN_ARGS = ("run", *QUICK, "-w", "tree", "-a", "arena,malloc", "--timeline")

    def test_only_the_fragmentation_table(self):
        self.check_fragmentation(factors=True, workload="tree")
        for title in (LATENCY, SYSCALLS):
            self.assertNotIn(title, self.proc.stdout)


if __name__ == "__main__":
    unittest.main()
