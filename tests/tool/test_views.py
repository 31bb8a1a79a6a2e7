"""What users see in the figures and the report (issue 14), run by ctest (vmbench_test_views).

The compare figure follows `vmbench compare`'s own verdicts; timelines share an operations axis; sweeps give
each series its own colour and marker and draw categories as bars; no log axis has fewer than three labelled
ticks; every figure names its better direction and carries hover titles; the report puts a computed summary
first, holds every table its file has data for, inlines its figures as SVG, fits an 800 px window and says
what it skipped; older results files still plot and report. Every check is on structure, counts and text
computed from the same file, never on a timing.
Environment: VMBENCH, VMB_SOURCE_DIR, VMB_PYTHON (tests/tool/CMakeLists.txt).
"""
import glob
import html
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

from vmbtest import FIXTURES, PYTHON, SOURCE_DIR, VMBENCH, run_command, vmbench

PLOTS = os.path.join(SOURCE_DIR, "scripts", "plots")
ENTRY = os.path.join(SOURCE_DIR, "scripts", "vmbench-plot")
SUITE = os.path.join(FIXTURES, "ci-suite.json")
SWEEP = os.path.join(FIXTURES, "ci-sweep-dispatch.json")
DEEP = os.path.join(FIXTURES, "ci-deep.json")
THREADS = os.path.join(FIXTURES, "ci-threads.json")  # --threads 1,2,4: the scaling figure
REFERENCE = sorted(glob.glob(os.path.join(SOURCE_DIR, "results", "reference", "*.json")))
BASELINE = os.path.join(SOURCE_DIR, "results", "baseline", "ci.json")
WORSE = "#d62728"
# a hovered bar: <g id="vmbhoverN"><title>TEXT</title> <path ... style="fill: #rrggbb; ... (url(#...) when hatched)
HOVERED_BAR = re.compile(r'<g id="vmbhover\d+"[^>]*><title>([^<]*)</title>\s*<path[^>]*style="fill: ([^;"]+)')

sys.path.insert(0, PLOTS)
import common  # noqa: E402  (needs the path above; matplotlib, Agg)
import loader  # noqa: E402


def plot(*args, **kw):
    return run_command([PYTHON, ENTRY, *args], **kw)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def doctored_regression(path):
    """ci-suite with frag/arena's commit calls raised 500-fold in every repetition: compare must call it worse."""
    doc = load(SUITE)
    for c in doc["cells"]:
        if c["key"] == "frag/arena/inline":
            c["figures"]["heap"]["commit_calls"] *= 500
    for g in doc["groups"]:
        if g["key"] == "frag/arena/inline":
            for k in ("max", "mean", "median", "min"):
                g["figures"]["heap_commit_calls"][k] *= 500
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)


class Scratch(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()


class CompareFigureFollowsCompare(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.new = os.path.join(cls.tmp.name, "new.json")
        doctored_regression(cls.new)
        p = vmbench("compare", SUITE, cls.new, "--format", "json")
        assert p.returncode == 1, p.stderr  # a regression
        cls.answer = json.loads(p.stdout)
        out = os.path.join(cls.tmp.name, "figs")
        p = plot(cls.new, "--compare", SUITE, "--only", "compare", "--format", "svg", "--out", out)
        assert p.returncode == 0, p.stdout + p.stderr
        cls.bars = HOVERED_BAR.findall(read(os.path.join(out, "compare.svg")))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def bar(self, cell, figure):
        found = [(t, c) for t, c in self.bars if t.startswith(f"{cell} {figure}:")]
        self.assertEqual(len(found), 1, f"{cell} {figure}: {found}")
        return found[0]

    def test_the_regression_compare_found_is_drawn_in_its_colour(self):
        title, colour = self.bar("frag/arena/inline", "heap_commit_calls")
        self.assertIn("worse", title)
        self.assertEqual(colour, WORSE)

    def test_every_figure_judged_worse_or_better_is_drawn(self):
        judged = [r for r in self.answer["rows"] if r["verdict"] in ("worse", "better")]
        self.assertTrue(judged)
        for r in judged:
            title, _ = self.bar(r["cell"], r["figure"])
            self.assertIn(r["verdict"], html.unescape(title))

    def test_a_timing_compare_did_not_judge_is_not_painted_worse(self):
        rows = [r for r in self.answer["rows"] if r["figure"] == "wall_s"]
        self.assertTrue(rows)
        for r in rows:
            title, colour = self.bar(r["cell"], "wall_s")
            self.assertIn(r["verdict"], html.unescape(title))
            if r["verdict"] == "not judged":
                self.assertTrue(colour.startswith("url(#"), f"{title}: {colour}, not hatched")
            self.assertNotEqual(colour, WORSE, title)


class LogAxesKeepThreeLabels(unittest.TestCase):
    """In process: every log axis saved while drawing every figure of every fixture has 3 labelled ticks."""

    def test_every_log_axis_of_every_fixture_is_readable(self):
        import importlib
        names = ["throughput", "memory", "phases", "fragmentation", "timeline", "latency", "heapmap", "sweep",
                 "scaling", "dispatch"]
        modules = [importlib.import_module(n) for n in names]
        common.AXIS_AUDIT.clear()
        with tempfile.TemporaryDirectory() as out:
            for path in (SUITE, SWEEP, DEEP, THREADS):
                common.render_all(loader.load(path), out, modules, ("svg",), log=lambda _m: None)
        self.assertTrue(common.AXIS_AUDIT, "no log axis at all: the test no longer tests anything")
        for name, which, scale, labels in common.AXIS_AUDIT:
            self.assertGreaterEqual(labels, common.MIN_LOG_LABELS, f"{name} {which} ({scale})")

    def test_a_log_axis_with_too_few_labels_becomes_linear(self):
        fig, ax = common.plt.subplots()
        ax.bar([0, 1], [12.0, 150.0])
        ax.set_yscale("log")  # matplotlib's own ticks: 100 is the only label between 12 and 150
        common.AXIS_AUDIT.clear()
        with tempfile.TemporaryDirectory() as out:
            common.save(fig, out, "narrow", ("svg",))
        self.assertEqual([(w, s) for _, w, s, _ in common.AXIS_AUDIT], [("y", "linear")])

    def test_value_axis_labels_at_least_three_ticks_over_a_range_of_21(self):
        fig, ax = common.plt.subplots()
        ax.bar([0, 1], [1.01, 21.3])
        self.assertTrue(common.value_axis(ax, [1.01, 21.3]))
        common.AXIS_AUDIT.clear()
        with tempfile.TemporaryDirectory() as out:
            common.save(fig, out, "wide", ("svg",))
        self.assertEqual(common.AXIS_AUDIT[0][2], "log")
        self.assertGreaterEqual(common.AXIS_AUDIT[0][3], 3)


class EveryFigureSaysWhatIsBetterAndHovers(Scratch):
    def test_every_svg_of_every_fixture(self):
        drawn = []
        for args in ([SUITE], [SWEEP], [DEEP], [THREADS, "--only", "scaling"],
                     [SWEEP, "--compare", SUITE, "--only", "compare"]):
            out = os.path.join(self.dir, str(len(drawn)))
            p = plot(*args, "--format", "svg", "--out", out, "--quiet")
            self.assertEqual(p.returncode, 0, p.stderr)
            drawn += glob.glob(os.path.join(out, "*.svg"))
        self.assertGreaterEqual(len(drawn), 15)
        for path in drawn:
            text = read(path)
            self.assertRegex(text, r"better", f"{path} does not say which direction is better")
            self.assertIn("<title>", text, f"{path} has no value on hover")


class TimelineSharesTheOperationsAxis(Scratch):
    def test_every_allocator_counts_the_same_operations(self):
        """The timeline pass counts a death an arena absorbs without a free: the series of arena and malloc
        end at the same operation, and their checkpoints sit at the same operations."""
        out = os.path.join(self.dir, "r.json")
        p = vmbench("run", "--scale", "ci", "--reps", "1", "-w", "frag,tree", "-a", "arena,malloc", "--timeline",
                    "--quiet", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        for w in ("frag", "tree"):
            series = {c["allocator"]: c["figures"]["timeline"] for c in load(out)["cells"] if c["workload"] == w}
            marks = {a: [(l["label"], t["op"][l["index"]]) for l in t["labels"]] for a, t in series.items()}
            self.assertEqual(marks["arena"], marks["malloc"], w)
            self.assertEqual(series["arena"]["op"][-1], series["malloc"]["op"][-1], w)
        p = plot(out, "--only", "timeline", "--format", "svg", "--out", os.path.join(self.dir, "f"))
        self.assertEqual(p.returncode, 0, p.stderr)
        text = read(os.path.join(self.dir, "f", "timeline-frag.svg"))
        self.assertIn("operations of the workload", text)
        self.assertIn("timed pass:", text)
        self.assertNotIn("since the phase started", text)

    def test_a_series_without_operation_counts_says_what_it_shows(self):
        import timeline
        samples = [{"at_s": 0.1 * i} for i in range(4)]
        self.assertEqual(timeline.operations({"every_ops": 10}, samples)[0], [0, 10, 20, 30])
        xs, label = timeline.operations({}, samples)
        self.assertEqual(xs, [0, 1, 2, 3])
        self.assertIn("records no operation counts", label)


class SweepSeriesAreDistinct(Scratch):
    def test_each_series_has_its_own_colour_and_marker(self):
        import sweep
        lines = {"arena inline": ("arena", {}), "arena virtual": ("arena", {}), "pool inline": ("pool", {}),
                 "pool virtual": ("pool", {})}
        styles = sweep.series_styles(lines)
        self.assertEqual(len({c for c, _ in styles.values()}), 4)
        self.assertEqual(len({m for _, m in styles.values()}), 4)

    def test_a_categorical_parameter_is_drawn_as_grouped_bars(self):
        import sweep
        self.assertTrue(sweep.categorical("huge_pages", ["off", "on"]))
        self.assertTrue(sweep.categorical("pattern", ["random", "alternate"]))
        self.assertFalse(sweep.categorical("commit_step", ["4K", "64K"]))
        doc = loader.load(SWEEP)
        for g in doc["groups"]:  # the commit_step sweep relabelled as a pattern sweep: the same cells
            if g.get("swept"):
                g["swept"] = {"pattern": "random" if g["swept"]["commit_step"] == "4K" else "alternate"}
        self.assertTrue(sweep.render(doc, self.dir, ("svg",)))
        text = read(os.path.join(self.dir, "sweep-frag-pattern.svg"))
        self.assertIn("pattern (categories)", text)
        self.assertIn("whiskers", text)


class ReportHoldsEverything(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.html = os.path.join(cls.tmp.name, "deep.html")
        cls.proc = vmbench("report", DEEP, "--out", cls.html)
        cls.text = read(cls.html) if cls.proc.returncode == 0 else ""
        cls.doc = load(DEEP)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_written(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)

    def test_the_summary_comes_first_and_names_every_workload(self):
        summary, tables = self.text.index("<h2 id=summary>"), self.text.index("<h2 id=tables>")
        self.assertLess(summary, tables)
        part = self.text[summary:tables]
        for w in {g["workload"] for g in self.doc["groups"]}:
            self.assertIn(f"<b>{w}</b>", part)
        self.assertIn("fastest", part)
        self.assertIn("lowest F4", part)
        self.assertIn(f"{len(self.doc['warnings'])} warning", part)

    def test_the_summary_names_the_fastest_the_data_has(self):
        for w in {g["workload"] for g in self.doc["groups"]}:
            gs = [g for g in self.doc["groups"] if g["workload"] == w]
            fastest = min(gs, key=lambda g: g["figures"]["wall_s"]["median"])
            self.assertIn(f"fastest <b>{fastest['allocator']}</b> {common.fmt_seconds(fastest['figures']['wall_s']['median'])}",
                          self.text)

    def test_every_table_the_file_has_data_for(self):
        for title in ("Time and memory", "Allocator versions and proof", "Throughput", "Time per phase",
                      "Latency of single operations", "Fragmentation at the checkpoints",
                      "Memory system calls (traced)"):
            self.assertIn(f"<h3>{title}</h3>", self.text)
        for g in self.doc["groups"]:
            self.assertIn(html.escape(g["proof"], quote=False), self.text)
        self.assertIn("table: Cost pass (simulated)", self.text)  # this fixture has no cost pass: said so

    def test_the_cost_table_when_the_file_has_a_cost_pass(self):
        out = os.path.join(self.tmp.name, "cost.html")
        p = vmbench("report", BASELINE, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = read(out)
        self.assertIn("<h3>Cost pass (simulated)</h3>", text)
        g = load(BASELINE)["groups"][0]
        self.assertIn(f"{g['cost']['instructions']:,}", text)

    def test_figures_are_inline_svg_with_a_title_per_mark(self):
        self.assertNotIn("<img", self.text)
        self.assertNotIn("data:image/png", self.text.split("<svg", 1)[0])
        figures = re.findall(r"<figure id='fig-([^']+)'>", self.text)
        self.assertGreaterEqual(len(figures), 8)
        self.assertEqual(self.text.count("<svg"), len(figures))
        self.assertGreater(self.text.count("<title>"), 10 * len(figures))

    def test_every_table_scrolls_in_its_own_box(self):
        tables = re.findall(r"(.{0,40})<table([^>]*)>", self.text)
        self.assertGreaterEqual(len(tables), 8)
        for before, attributes in tables:
            if "ctx" not in attributes:  # the context table: two columns of text, which wrap
                self.assertTrue(before.endswith("<div class=scroll>"), before)

    def test_captions_are_computed_from_the_data(self):
        self.assertNotIn("pointer reset, so its bar is tiny", self.text)  # a claim written in advance, gone
        for w in {g["workload"] for g in self.doc["groups"]}:
            gs = [g for g in self.doc["groups"] if g["workload"] == w and g.get("phases")]
            first = gs[0]["phases"][0]["name"]
            times = [(g["allocator"], next(p["seconds"]["median"] for p in g["phases"] if p["name"] == first))
                     for g in gs]
            low = min(times, key=lambda x: x[1])
            self.assertIn(f"{w} {first}: lowest {low[0]} {common.fmt_seconds(low[1])}", self.text)

    @unittest.skipUnless(shutil.which("chromium"), "chromium is not installed (apt-get install chromium)")
    def test_nothing_outside_a_scrolling_box_is_wider_than_800_px(self):
        wrapper = os.path.join(self.tmp.name, "wrap.html")
        with open(wrapper, "w", encoding="utf-8") as f:
            f.write("""<!DOCTYPE html><html><body><iframe id=f src="deep.html" style="width:800px;height:600px;
border:0"></iframe><script>
document.getElementById('f').onload = function () {
  var d = this.contentDocument, wide = [];
  d.querySelectorAll('body *').forEach(function (e) {
    if (e.getBoundingClientRect().right > d.documentElement.clientWidth + 1 && !e.closest('.scroll'))
      wide.push(e.tagName + (e.id ? '#' + e.id : ''));
  });
  document.body.insertAdjacentHTML('beforeend', '<p id=w>' + d.documentElement.scrollWidth + ' ' +
    d.documentElement.clientWidth + ' [' + wide.slice(0, 5).join(',') + ']</p>');
};</script></body></html>""")
        profile = os.path.join(self.tmp.name, "profile")
        p = run_command(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                         "--virtual-time-budget=20000", f"--user-data-dir={profile}", "--dump-dom",
                         "file://" + wrapper], timeout=180)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        m = re.search(r'<p id="w">(\d+) (\d+) \[([^\]]*)\]', p.stdout)
        self.assertIsNotNone(m, p.stdout[-500:])
        self.assertLessEqual(int(m.group(1)), int(m.group(2)), m.group(0))
        self.assertEqual(m.group(3), "", m.group(0))


class ReportCompare(Scratch):
    def test_report_compare_shows_compares_verdict_table(self):
        new = os.path.join(self.dir, "new.json")
        doctored_regression(new)
        out = os.path.join(self.dir, "r.html")
        p = vmbench("report", new, "--compare", SUITE, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = read(out)
        answer = json.loads(vmbench("compare", SUITE, new, "--format", "json").stdout)
        self.assertIn("Compared with the other file", text)
        self.assertIn(html.escape(answer["verdict"], quote=False), text)
        self.assertIn("<h3>Judged worse or better (1)</h3>", text)
        self.assertIn("heap_commit_calls", text)
        self.assertIn("<figure id='fig-compare'>", text)


class OlderResultsStillWork(Scratch):
    def test_every_kind_of_committed_results_file_reports(self):
        """One committed file of each shape and age (the fixtures are reported by the other tests): deep
        passes, a sweep only, both dispatch modes, a replayed trace, a cost pass."""
        kinds = ("deep", "commit-step", "dispatch", "replay-gcc")
        for path in [p for p in REFERENCE if os.path.basename(p)[:-5] in kinds] + [BASELINE]:
            out = os.path.join(self.dir, os.path.basename(path) + ".html")
            p = vmbench("report", path, "--out", out, timeout=600)
            self.assertEqual(p.returncode, 0, f"{path}: {p.stderr}")
            self.assertIn("Not in this file", read(out))

    def test_a_file_without_the_newer_fields_says_what_it_skips(self):
        doc = load(DEEP)
        for g in doc["groups"]:
            for k in ("proof", "syscalls", "latency", "fragmentation"):
                g.pop(k, None)
        for c in doc["cells"]:
            c["figures"].pop("proof", None)
            t = c["figures"].get("timeline")
            if t:
                t.pop("op", None)
                t.pop("every_ops", None)
        old = os.path.join(self.dir, "old.json")
        with open(old, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        out = os.path.join(self.dir, "old.html")
        p = vmbench("report", old, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = read(out)
        self.assertIn("not recorded in this file", text)
        self.assertIn("table: Latency of single operations", text)
        self.assertIn("table: Memory system calls (traced)", text)
        self.assertIn("records no operation counts", text)  # the timeline is still drawn, by sample number
        p = plot(old, "--format", "svg", "--out", os.path.join(self.dir, "figs"))
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
