"""End-to-end tests of the figures, `vmbench plot` and `vmbench report`, run by ctest (vmbench_test_plots).

Every figure script renders from the committed fixtures (tests/fixtures/*.json, made by real
`vmbench run --scale ci` runs) and from a fresh --scale ci run. A figure must be a real image (PNG
header, size, dimensions, more than one colour); a figure whose data is missing must be reported as
skipped and not written; a file that cannot be used gives exit code 2 and one line on stderr; the HTML
report must load nothing from the network, and headless Chromium (when installed) must load it without
console errors. Environment: VMBENCH, VMB_SOURCE_DIR, VMB_PYTHON (see tests/tool/CMakeLists.txt).
"""
import json
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import tempfile
import unittest

import matplotlib.image

from vmbtest import FIXTURES, PYTHON, VMBENCH, run_command
from vmbtest import SOURCE_DIR as SOURCE

ENTRY = os.path.join(SOURCE, "scripts", "vmbench-plot")
PLOTS = os.path.join(SOURCE, "scripts", "plots")
SUITE = os.path.join(FIXTURES, "ci-suite.json")
SWEEP = os.path.join(FIXTURES, "ci-sweep-dispatch.json")
MODULES = ["throughput", "program", "memory", "phases", "fragmentation", "timeline", "latency", "heapmap", "sweep",
           "scaling", "dispatch", "compare"]
THREADS = os.path.join(FIXTURES, "ci-threads.json")  # vmbench run --threads 1,2,4 -w churn,tree,xfer
# figure -> the cell field it is drawn from, for the figures the deep metrics add
OPTIONAL_FIELDS = {"program": ("program",), "latency": ("latency",), "timeline": ("timeline",), "heapmap": ("heap_map",)}
DEEP = os.path.join(FIXTURES, "ci-deep.json")  # vmbench run --deep: latency, timeline, syscalls, heap map
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MIN_PNG_BYTES = 10_000
MIN_SIDE_PX = 300


run = run_command


def plot(*args, **kw):
    return run([PYTHON, ENTRY, *args], **kw)


def has_field(doc, fields):
    return any(c.get("figures", {}).get(f) for c in doc["cells"] for f in fields)


class ImageChecks(unittest.TestCase):
    def assertRealPng(self, path):
        self.assertTrue(os.path.exists(path), f"{path} was not written")
        with open(path, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], PNG_MAGIC, f"{path}: not a PNG")
        width, height = struct.unpack(">II", head[16:24])
        self.assertGreaterEqual(min(width, height), MIN_SIDE_PX, f"{path}: {width}x{height} is too small")
        self.assertGreater(os.path.getsize(path), MIN_PNG_BYTES, f"{path}: too small to hold a figure")
        pixels = matplotlib.image.imread(path)
        self.assertGreater(float(pixels[..., :3].std()), 0.01, f"{path}: a single colour")

    def assertSkippedNotDrawn(self, out_text, out_dir, name):
        self.assertRegex(out_text, rf"skipped {name}: \S.*", f"no skip message for {name}")
        self.assertFalse([f for f in os.listdir(out_dir) if f.startswith(name)] if os.path.isdir(out_dir) else [],
                         f"{name} was skipped but a file was written")


class Scratch(ImageChecks):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "figs")

    def tearDown(self):
        self.tmp.cleanup()


class EntryPointDrawsTheFixtures(Scratch):
    def test_suite_fixture_gives_every_figure_its_data_supports(self):
        p = plot(SUITE, "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("throughput", "memory", "phases", "fragmentation-frag"):
            self.assertRealPng(os.path.join(self.out, name + ".png"))
            self.assertTrue(os.path.getsize(os.path.join(self.out, name + ".svg")) > 1000)
        with open(SUITE) as f:
            doc = json.load(f)
        for name, fields in OPTIONAL_FIELDS.items():
            if has_field(doc, fields):
                self.assertTrue(any(f.startswith(name) and f.endswith(".png") for f in os.listdir(self.out)), name)
            else:
                self.assertSkippedNotDrawn(p.stdout, self.out, name)
        for name in ("sweep", "scaling", "dispatch", "compare"):  # no sweep, one dispatch, one file
            self.assertSkippedNotDrawn(p.stdout, self.out, name)

    def test_threads_fixture_gives_the_scaling_figure(self):
        p = plot(THREADS, "--only", "scaling", "--out", self.out, "--format", "png")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRealPng(os.path.join(self.out, "scaling.png"))

    def test_sweep_fixture_gives_sweep_and_dispatch_figures(self):
        p = plot(SWEEP, "--out", self.out, "--format", "png")
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("sweep-frag-commit_step", "sweep-tree-commit_step", "dispatch"):
            self.assertRealPng(os.path.join(self.out, name + ".png"))
        self.assertFalse([f for f in os.listdir(self.out) if f.endswith(".svg")], "--format png wrote SVG")

    def test_deep_fixture_gives_latency_memory_over_time_and_heap_map(self):
        p = plot(DEEP, "--out", self.out, "--format", "png")
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("latency", "timeline-frag", "timeline-churn", "heapmap-frag", "memory", "fragmentation-frag"):
            self.assertRealPng(os.path.join(self.out, name + ".png"))
        for name in ("latency", "timeline", "heapmap"):
            self.assertNotIn(f"skipped {name}", p.stdout)

    def test_compare_draws_two_files(self):
        p = plot(SWEEP, "--compare", SUITE, "--only", "compare", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRealPng(os.path.join(self.out, "compare.png"))

    def test_nothing_to_draw_is_exit_1_with_the_reason(self):
        p = plot(SUITE, "--only", "sweep", "--out", self.out)
        self.assertEqual(p.returncode, 1)
        self.assertSkippedNotDrawn(p.stdout, self.out, "sweep")

    def test_help_lists_the_figures(self):
        p = plot("--help")
        self.assertEqual(p.returncode, 0)
        for name in MODULES:
            self.assertIn(name, p.stdout)


class EachScriptOnItsOwn(Scratch):
    def test_every_module_has_help(self):
        for m in MODULES:
            p = run([PYTHON, os.path.join(PLOTS, m + ".py"), "--help"])
            self.assertEqual(p.returncode, 0, m + p.stderr)
            self.assertIn("usage:", p.stdout, m)

    def test_every_module_draws_or_says_why_not(self):
        for m in MODULES:
            fixture_args = ([SWEEP, SUITE] if m == "compare" else [SWEEP] if m in ("sweep", "dispatch")
                            else [DEEP] if m in ("latency", "timeline", "heapmap")
                            else [THREADS] if m == "scaling" else [SUITE])
            out = os.path.join(self.out, m)
            p = run([PYTHON, os.path.join(PLOTS, m + ".py"), *fixture_args, "--out", out])
            if p.returncode == 0:
                pngs = [f for f in os.listdir(out) if f.endswith(".png")]
                self.assertTrue(pngs, m)
                for f in pngs:
                    self.assertRealPng(os.path.join(out, f))
            else:
                self.assertEqual(p.returncode, 1, m + p.stderr)
                self.assertIn(m, OPTIONAL_FIELDS, f"{m} skipped on a fixture that has its data: {p.stdout}")
                self.assertSkippedNotDrawn(p.stdout, out, m)


class ThreadAxisKeepsItsCounts(unittest.TestCase):
    """The scaling figure's x axis is labelled with exactly the thread counts run, also for 2 counts (a
    log axis with 2 ticks used to be turned linear by save()'s readability rule, which autoscaled it
    to 1.0, 1.2, ... 2.0 and drew the lines off their points)."""

    def test_ticks_are_the_counts_after_the_readability_rule(self):
        import sys
        sys.path.insert(0, PLOTS)
        import common
        import scaling
        for counts, scale in (([1, 2], "linear"), ([1, 2, 4], "log"), ([1, 2, 4, 8, 16], "log")):
            fig, ax = common.plt.subplots()
            ax.plot(counts, [10.0 / n for n in counts])
            scaling._thread_axis(ax, counts)
            common._readable_log_axes(fig, "scaling-test")
            self.assertEqual(ax.xaxis.get_scale(), scale, counts)
            lo, hi = ax.get_xlim()
            shown = [t for t in ax.get_xticks() if lo <= t <= hi]
            self.assertEqual(shown, counts)
            self.assertEqual([t.get_text() for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi],
                             [str(n) for n in counts])
            common.plt.close(fig)


class BadFilesGiveOneLine(Scratch):
    CASES = {
        "missing.json": None,
        "garbage.json": b"\x00\x01\xff not json",
        "text.json": b"hello",
        "array.json": b"[1, 2, 3]",
        "other-schema.json": b'{"schema": "something-else", "schema_version": 1}',
        "future.json": b'{"schema": "vmbench-results", "schema_version": 99}',
        "truncated.json": b'{"schema": "vmbench-results", "schema_version": 1, "cells": [',
        "no-cells.json": b'{"schema": "vmbench-results", "schema_version": 1, "complete": true, "context": {}, '
                         b'"plan": {}, "cells": [], "groups": [], "warnings": []}',
    }

    def files(self):
        for name, content in self.CASES.items():
            path = os.path.join(self.tmp.name, name)
            if content is not None:
                with open(path, "wb") as f:
                    f.write(content)
            yield name, path

    def assertOneLineExit2(self, p, what):
        self.assertEqual(p.returncode, 2, f"{what}: {p.stdout} {p.stderr}")
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, f"{what}: {p.stderr!r}")
        self.assertNotIn("Traceback", p.stderr)

    def test_entry_point_and_every_module(self):
        # Every module's command line is common.module_main over the shared loader: every bad file goes
        # through the entry point and through one module of each kind (one file, and compare's two),
        # and every module gets one bad file, which shows it reads through that loader. (Every file
        # times every module took 46 s, launching 104 Pythons, for no path the fewer do not reach.)
        def module(m, path):
            args = [SUITE, path] if m == "compare" else [path]
            return run([PYTHON, os.path.join(PLOTS, m + ".py"), *args, "--out", self.out])

        files = dict(self.files())
        for name, path in files.items():
            self.assertOneLineExit2(plot(path, "--out", self.out), f"vmbench-plot {name}")
            for m in ("throughput", "compare"):
                self.assertOneLineExit2(module(m, path), f"{m}.py {name}")
        for m in MODULES:
            self.assertOneLineExit2(module(m, files["truncated.json"]), f"{m}.py truncated.json")
        self.assertFalse(os.path.exists(self.out), "a bad file produced figures")

    def test_vmbench_plot_and_report(self):
        for name, path in self.files():
            self.assertOneLineExit2(run([VMBENCH, "plot", path, "--out", self.out]), f"plot {name}")
            html = os.path.join(self.tmp.name, "r.html")
            self.assertOneLineExit2(run([VMBENCH, "report", path, "--out", html]), f"report {name}")
            self.assertFalse(os.path.exists(html))


class BadOptionsAndOutputsGiveOneLine(Scratch):
    def assertOneLineExit2(self, p, needle):
        self.assertEqual(p.returncode, 2, f"{p.stdout} {p.stderr}")
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn(needle, lines[0])
        self.assertNotIn("Traceback", p.stderr)

    def test_bad_option_values(self):
        self.assertOneLineExit2(run([VMBENCH, "plot", SUITE, "--format", "gif", "--out", self.out]), "--format")
        self.assertOneLineExit2(run([VMBENCH, "plot", SUITE, "--only", "nosuch", "--out", self.out]), "nosuch")
        p = run([PYTHON, os.path.join(PLOTS, "memory.py"), SUITE, "--format", "gif", "--out", self.out])
        self.assertOneLineExit2(p, "--format")
        self.assertFalse(os.path.exists(self.out))

    def test_an_output_that_cannot_be_written(self):
        missing = os.path.join(self.tmp.name, "no", "such", "dir")
        self.assertOneLineExit2(run([VMBENCH, "report", SUITE, "--out", os.path.join(missing, "r.html")]),
                                "cannot write")
        a_file = os.path.join(self.tmp.name, "a-file")
        with open(a_file, "w") as f:
            f.write("x")
        self.assertOneLineExit2(run([VMBENCH, "plot", SUITE, "--only", "memory", "--out", a_file]), "cannot write")
        p = run([PYTHON, os.path.join(PLOTS, "memory.py"), SUITE, "--out", a_file])
        self.assertOneLineExit2(p, "cannot write")

    def test_a_report_that_cannot_be_written_leaves_the_previous_one(self):
        html = os.path.join(self.tmp.name, "r.html")
        self.assertEqual(run([VMBENCH, "report", SUITE, "--out", html]).returncode, 0)
        with open(html, "rb") as f:
            before = f.read()

        def small_files():  # a full disk, as far as this process can tell (works as root too)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

        p = subprocess.run([VMBENCH, "report", SUITE, "--out", html], capture_output=True, text=True,
                           preexec_fn=small_files, timeout=300)
        self.assertOneLineExit2(p, "cannot write")
        self.assertIn("File too large", p.stderr)
        with open(html, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(sorted(os.listdir(self.tmp.name)), ["r.html"])  # no temporary file left


    def test_only_a_regular_file_of_bounded_size_is_read(self):
        """As vmbench's loader: a device or FIFO is refused at once (never read, never blocking), and a
        file larger than a results file can be is not read."""
        fifo, big = os.path.join(self.tmp.name, "fifo"), os.path.join(self.tmp.name, "big.json")
        os.mkfifo(fifo)
        with open(big, "wb") as f:
            f.truncate((256 << 20) + 1)  # sparse
        for path, needle in (("/dev/zero", "not a regular file"), (fifo, "not a regular file"),
                             (big, "larger than a results file can be (256 MiB)")):
            self.assertOneLineExit2(plot(path, "--out", self.out), needle)
            self.assertOneLineExit2(run([VMBENCH, "compare", path, SUITE], timeout=30), needle)

    def test_a_report_replaces_nothing_but_a_regular_file(self):
        """report --out naming a FIFO or a symbolic link is refused, by vmbench and by the script; a link
        planted at the old, fixed temporary name (PATH.tmp) is not followed; - is standard output."""
        fifo, link, victim = (os.path.join(self.tmp.name, n) for n in ("fifo", "link", "victim"))
        os.mkfifo(fifo)
        with open(victim, "w") as f:
            f.write("victim")
        os.symlink(victim, link)
        for out, kind in ((fifo, "a FIFO"), (link, "a symbolic link")):
            self.assertOneLineExit2(run([VMBENCH, "report", SUITE, "--out", out]), kind)
            self.assertOneLineExit2(plot(SUITE, "--html", out, "--quiet"), kind)
        html = os.path.join(self.tmp.name, "r.html")
        os.symlink(victim, html + ".tmp")
        p = run([VMBENCH, "report", SUITE, "--out", html])
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(victim) as f:
            self.assertEqual(f.read(), "victim")
        self.assertTrue(os.path.islink(html + ".tmp"))
        p = run([VMBENCH, "report", SUITE, "--out", "-"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("<!DOCTYPE html>"), p.stdout[:80])
        self.assertTrue(p.stdout.rstrip().endswith("</html>"))


class VmbenchPlotFindsPython(Scratch):
    def test_without_matplotlib_it_names_the_package(self):
        fake = os.path.join(self.tmp.name, "nompl", "matplotlib")
        os.makedirs(fake)
        with open(os.path.join(fake, "__init__.py"), "w") as f:
            f.write("raise ImportError('hidden by the test')\n")
        p = run([VMBENCH, "plot", SUITE, "--out", self.out], env_extra={"PYTHONPATH": os.path.dirname(fake)})
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("apt-get install python3-matplotlib", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_scripts_dir_override(self):
        p = run([VMBENCH, "plot", SUITE, "--out", self.out], env_extra={"VMBENCH_SCRIPTS": self.tmp.name})
        self.assertEqual(p.returncode, 2)
        self.assertIn("VMBENCH_SCRIPTS", p.stderr)
        p = run([VMBENCH, "plot", SUITE, "--out", self.out, "--only", "memory"],
                env_extra={"VMBENCH_SCRIPTS": os.path.join(SOURCE, "scripts")})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRealPng(os.path.join(self.out, "memory.png"))


class ProgramRun(ImageChecks):
    """A --program run has no operations (no throughput figure): the program figure draws its time, CPU,
    peak RSS, faults and traced system calls per allocator, and the report carries it with its facts."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.results = os.path.join(cls.tmp.name, "program.json")
        p = run([VMBENCH, "run", "--scale", "ci", "--reps", "2", "-a", "malloc,jemalloc", "--syscalls", "--quiet",
                 "--out", cls.results, "--program", "--", PYTHON, "-c", "x = [str(i) for i in range(30000)]"])
        assert p.returncode == 0, p.stderr
        cls.out = os.path.join(cls.tmp.name, "figs")
        cls.plot = run([VMBENCH, "plot", cls.results, "--out", cls.out])
        cls.html = os.path.join(cls.tmp.name, "report.html")
        cls.report = run([VMBENCH, "report", cls.results, "--out", cls.html])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_program_figure_is_drawn(self):
        self.assertEqual(self.plot.returncode, 0, self.plot.stderr)
        self.assertRealPng(os.path.join(self.out, "program.png"))
        self.assertSkippedNotDrawn(self.plot.stdout, self.out, "throughput")

    def test_its_panels_name_each_figure_and_which_way_is_better(self):
        with open(os.path.join(self.out, "program.svg"), encoding="utf-8") as f:
            svg = f.read()
        for title in ("Time (lower is better)", "Peak RSS of the command (lower is better)",
                      "Page faults (lower is better)", "Memory system calls, traced pass (lower is better)"):
            self.assertIn(title, svg)
        for unit in ("time of the command, ms", "MiB", "CPU (user + sys)"):
            self.assertIn(unit, svg)

    def test_the_report_carries_it_with_its_facts(self):
        self.assertEqual(self.report.returncode, 0, self.report.stderr)
        with open(self.html, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("id='fig-program'", text)
        for fact in ("wall time: ", "CPU time: ", "peak RSS: ", "minor faults: ", "commit calls (traced): "):
            self.assertIn(fact, text)


class FreshRun(ImageChecks):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.results = os.path.join(cls.tmp.name, "fresh.json")
        p = run([VMBENCH, "run", "--scale", "ci", "--reps", "2", "-a", "arena,pool,malloc,bump", "--quiet",
                 "--out", cls.results])
        assert p.returncode == 0, p.stderr
        with open(cls.results) as f:
            cls.doc = json.load(f)
        cls.out = os.path.join(cls.tmp.name, "figs")
        cls.plot = run([VMBENCH, "plot", cls.results, "--out", cls.out])
        cls.html = os.path.join(cls.tmp.name, "report.html")
        cls.report = run([VMBENCH, "report", cls.results, "--out", cls.html])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_vmbench_plot_draws_what_the_data_supports(self):
        self.assertEqual(self.plot.returncode, 0, self.plot.stderr)
        for name in ("throughput", "memory", "phases", "fragmentation-frag"):
            self.assertRealPng(os.path.join(self.out, name + ".png"))
        for name, fields in OPTIONAL_FIELDS.items():
            if has_field(self.doc, fields):
                self.assertTrue(any(f.startswith(name) for f in os.listdir(self.out)), name)
            else:
                self.assertSkippedNotDrawn(self.plot.stdout, self.out, name)

    def test_report_is_one_self_contained_file(self):
        self.assertEqual(self.report.returncode, 0, self.report.stderr)
        with open(self.html, encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.startswith("<!DOCTYPE html>"))
        self.assertIsNone(re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I), "loads a URL")
        self.assertIsNone(re.search(r"url\(\s*['\"]?(https?:)?//|@import|<script[^>]+src|<link", text, re.I))
        self.assertNotRegex(text, r"https?://")
        self.assertGreaterEqual(text.count("<svg"), 4)  # figures inline (test_views checks their hover titles)
        for phrase in ("Summary", "Where and how it was measured", "frag", "Not in this file"):
            self.assertIn(phrase, text)

    @unittest.skipUnless(shutil.which("chromium"), "chromium is not installed (apt-get install chromium)")
    def test_report_loads_in_headless_chromium_without_console_errors(self):
        profile = os.path.join(self.tmp.name, "profile")
        shot = os.path.join(self.tmp.name, "shot.png")
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
                 "--enable-logging=stderr", "--v=0", "--window-size=1280,3000"]
        dom = run(["chromium", *flags, "--dump-dom", "file://" + self.html], timeout=120)
        self.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
        self.assertIn("Summary", dom.stdout)
        console = [l for l in dom.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
        self.assertEqual(console, [], "\n".join(console))
        p = run(["chromium", *flags, f"--screenshot={shot}", "file://" + self.html], timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertRealPng(shot)


if __name__ == "__main__":
    unittest.main()
