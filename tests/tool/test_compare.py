"""End-to-end tests of `vmbench compare`, `vmbench export` and the gate (scripts/ci-gate.sh), run by ctest
(test vmbench_test_compare).

A regression gate must catch a real slowdown or memory growth (exit 1) and stay silent on noise
(exit 0); input it cannot use gives one line on stderr and exit 2. No test here asserts a wall-time
outcome (machine noise makes those flaky): slowdowns are judged on the cost pass's instruction counts
(`run --cost`, deterministic) or on doctored results files, memory growth on RSS and page faults.
The slowdown comes from the test-only allocator test-slow (busy work on one allocation in
`test_delay_every`), the memory growth from test-bloat (asks for more than requested and touches it).
Environment: VMBENCH (the binary), VMB_SOURCE_DIR (the source tree).
"""
import copy
import json
import os
import re
import tempfile
import unittest

from vmbtest import SOURCE_DIR, TEST_ALLOCATORS, one_line, run_command, vmbench

# The gate's own judgement (scripts/ci-gate.sh): cost within 1%, counts exactly, memory within 32
# pages; times shown as ratios to malloc, never judged.
GATE = ["--normalize", "malloc", "-t", "wall_s=off", "-t", "cpu_user_s=off", "-t", "cpu_sys_s=off",
        "-t", "ops_per_s=off", "-t", "peak_rss_bytes=off"]
RUN = ["run", "--scale", "ci", "-w", "tree", "--reps", "5", "--quiet"]
BLOAT_BYTES = "32"
# test-slow with one allocation in 4 delayed: each spin adds about 0.27% of tree's and churn's
# instructions (docs/ci.md, "The detection limit"); 7 spins add 2.0% and 2.1%.
EVERY = ["-p", "test_delay_every=4"]
SPINS_2_PERCENT = "7"


def cost_pass_available():
    p = vmbench("list", "--format", "json")
    return json.loads(p.stdout)["cost_pass"]


class Runs(unittest.TestCase):
    """Real runs: a base, an unchanged repeat and a bloated allocator, timed only."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = {}
        for name, extra in (("base", []), ("same", []), ("bloat", ["-p", "test_bloat_bytes=" + BLOAT_BYTES])):
            cls.path[name] = os.path.join(cls.tmp.name, name + ".json")
            p = vmbench(*RUN, "-a", "malloc,test-slow,test-bloat", "--out", cls.path[name], *extra,
                        env_extra=TEST_ALLOCATORS)
            assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def compare(self, base, new, *args):
        return vmbench("compare", self.path[base], self.path[new], *args)

    def rows(self, base, new, *args):
        p = self.compare(base, new, "--format", "json", *args)
        return p, json.loads(p.stdout)

    def test_a_file_against_itself_is_no_regression(self):
        p = self.compare("base", "base")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("no regression", p.stdout.splitlines()[-1])

    def test_an_unchanged_rerun_is_no_regression_at_the_gates_thresholds(self):
        p = self.compare("base", "same", *GATE)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("timing not judged: reported only", p.stdout.splitlines()[-1])

    def test_a_bloated_allocator_is_caught_on_memory(self):
        p, doc = self.rows("base", "bloat", *GATE)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        worse = {(r["cell"], r["figure"]) for r in doc["rows"] if r["verdict"] == "worse" and r["gated"]}
        self.assertIn(("tree/test-bloat/inline", "peak_rss_delta_bytes"), worse)
        self.assertIn(("tree/test-bloat/inline", "minor_faults"), worse)

    def test_the_report_says_how_timings_were_compared(self):
        """Structure only: a ratio to malloc and a p-value per timing row, whatever their values."""
        p = self.compare("base", "same", *GATE)
        self.assertIn("ratios to malloc", p.stdout)
        p, doc = self.rows("base", "same", *GATE)
        self.assertEqual(doc["normalized_by"], "malloc")
        timing = [r for r in doc["rows"] if r["figure"] == "wall_s/malloc"]
        self.assertTrue(timing)
        for r in timing:
            self.assertIsInstance(r["p"], float)
            self.assertEqual(r["threshold"], "off")
            self.assertFalse(r["gated"])

    def test_every_row_names_its_threshold(self):
        _, doc = self.rows("base", "same")
        for r in doc["rows"]:
            self.assertTrue(r["threshold"], r)
        by_figure = {r["figure"]: r["threshold"] for r in doc["rows"] if r["cell"] == "tree/malloc/inline"}
        self.assertEqual(by_figure["checksum"], "equal")
        self.assertEqual(by_figure["allocations"], "exact")
        self.assertEqual(by_figure["minor_faults"], "32 faults")
        self.assertEqual(by_figure["wall_s"], "p < 0.05 and 10%")
        table = self.compare("base", "same").stdout.splitlines()
        self.assertIn("threshold", table[0].split())

    def test_every_figure_of_every_common_cell_is_listed(self):
        _, doc = self.rows("base", "same")
        figures = {(r["cell"], r["figure"]) for r in doc["rows"]}
        for cell in ("tree/malloc/inline", "tree/test-slow/inline", "tree/test-bloat/inline"):
            for f in ("checksum", "ops", "allocations", "frees", "peak_live_bytes", "peak_rss_delta_bytes",
                      "minor_faults", "wall_s", "cpu_user_s"):
                self.assertIn((cell, f), figures)

    def test_unchanged_figures_are_folded_into_a_count_unless_verbose(self):
        _, doc = self.rows("base", "same")
        unchanged = sum(1 for r in doc["rows"] if r["verdict"] == "unchanged")
        self.assertGreater(unchanged, 0)
        folded = self.compare("base", "same").stdout
        self.assertNotIn(" checksum ", folded)
        self.assertIn(f"note: {unchanged} unchanged figures of ", folded)
        verbose = self.compare("base", "same", "--verbose").stdout
        self.assertIn(" checksum ", verbose)
        self.assertNotIn("unchanged figures of", verbose)
        self.assertEqual(len(verbose.splitlines()) - len(folded.splitlines()), unchanged - 1)  # rows out, a note in

    def test_cells_matched_by_key_with_other_parameters_are_noted(self):
        _, doc = self.rows("base", "bloat")
        notes = [n for n in doc["notes"] if "ran with other parameters" in n]
        self.assertEqual(notes, [f"1 cell matched by key ran with other parameters: test_bloat_bytes 0 in BASE, "
                                 f"{BLOAT_BYTES} in NEW"])
        _, same = self.rows("base", "same")
        self.assertFalse(any("other parameters" in n for n in same["notes"]))

    def test_markdown_has_a_table_and_the_verdict(self):
        p = self.compare("base", "bloat", "--format", "markdown", *GATE)
        self.assertIn("| cell | figure |", p.stdout)
        self.assertIn("| threshold |", p.stdout)
        self.assertIn("**REGRESSION", p.stdout)

    def test_gbench_export_is_what_compare_py_reads(self):
        p = vmbench("export", "--format", "gbench", self.path["base"])
        self.assertEqual(p.returncode, 0, p.stderr)
        check_gbench(self, json.loads(p.stdout), reps=5)

    def test_gbench_smaller_is_a_list_of_name_unit_value(self):
        p = vmbench("export", "--format", "gbench-smaller", self.path["base"])
        self.assertEqual(p.returncode, 0, p.stderr)
        items = json.loads(p.stdout)
        self.assertIsInstance(items, list)
        self.assertTrue(items)
        names = [i["name"] for i in items]
        self.assertEqual(len(names), len(set(names)))
        for i in items:
            self.assertIsInstance(i["name"], str)
            self.assertIsInstance(i["unit"], str)
            self.assertIsInstance(i["value"], (int, float))
        self.assertIn("tree/malloc/inline/scale:ci peak_rss_delta_bytes", names)

    def test_compare_py_style_partition_pairs_base_and_new(self):
        old = json.loads(vmbench("export", self.path["base"]).stdout)
        new = json.loads(vmbench("export", self.path["same"]).stdout)
        partitions = compare_py_partitions(old, new)
        slow = partitions["tree/test-slow/inline/scale:ci"]
        self.assertEqual((len(slow[0]), len(slow[1])), (5, 5))  # the U test's samples
        self.assertIn("tree/test-slow/inline/scale:ci_median", partitions)


class TimingNotJudged(unittest.TestCase):
    """The last line says what was not judged: 3 against 3 repetitions can never give p < 0.05."""

    def test_three_against_three_says_timing_was_not_judged(self):
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, f"{i}.json") for i in range(2)]
            for path in paths:
                p = vmbench("run", "--scale", "ci", "-w", "tree", "-a", "arena,malloc", "--reps", "3", "--quiet",
                            "--out", path)
                self.assertEqual(p.returncode, 0, p.stderr)
            p = vmbench("compare", *paths, "--min-time", "0")
        last = p.stdout.splitlines()[-1]
        self.assertIn("timing not judged: 3 against 3 repetitions; the U test needs at least 4 each", last)
        self.assertIn("0 timing", last)
        rows = [l for l in p.stdout.splitlines() if " wall_s " in l]
        self.assertTrue(rows)
        for l in rows:
            self.assertIn("not judged", l)


def doctored(doc, factor, figures=("cost_instructions",)):
    """The document with its cost figures multiplied by `factor` (rounded: they are counts)."""
    out = copy.deepcopy(doc)
    for g in out["groups"]:
        for name in figures:
            s = g["figures"].get(name)
            if s:
                for k in ("median", "min", "max", "mean"):
                    s[k] = round(s[k] * factor)
    return out


class CostRuns(unittest.TestCase):
    """Real cost passes (`run --cost`, callgrind): identical counts twice, and an injected +2% caught."""

    @classmethod
    def setUpClass(cls):
        available = cost_pass_available()
        if not available["available"]:
            raise unittest.SkipTest(available["reason"])
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = {}
        for name, spins in (("base", "0"), ("same", "0"), ("slow", SPINS_2_PERCENT)):
            cls.path[name] = os.path.join(cls.tmp.name, name + ".json")
            p = vmbench("run", "--scale", "ci", "-w", "tree", "--reps", "1", "--quiet", "--cost",
                        "-a", "malloc,arena,pool,test-slow", *EVERY, "-p", "test_delay_spins=" + spins,
                        "--out", cls.path[name], env_extra=TEST_ALLOCATORS, timeout=600)
            assert p.returncode == 0, p.stderr
        cls.doc = {}
        for name, path in cls.path.items():
            with open(path) as f:
                cls.doc[name] = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def counts(self, name):
        return {g["allocator"]: (g["figures"]["cost_instructions"]["median"],
                                 g["figures"]["cost_estimated_cycles"]["median"]) for g in self.doc[name]["groups"]}

    def write(self, name, doc):
        path = os.path.join(self.tmp.name, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def test_two_cost_passes_of_glibc_arena_and_pool_count_identical_instructions(self):
        base, same = self.counts("base"), self.counts("same")
        for allocator in ("malloc", "arena", "pool"):
            self.assertGreater(base[allocator][0], 1_000_000, allocator)  # the tree's work, not an empty phase
            self.assertEqual(base[allocator], same[allocator], allocator)

    def test_the_cost_figures_carry_the_modelled_time_and_the_notes(self):
        for c in self.doc["base"]["cells"]:
            cost = c["figures"]["cost"]
            self.assertIsNotNone(cost, c["figures"]["unavailable"].get("cost"))
            parts = cost["modelled"]
            self.assertAlmostEqual(cost["modelled_s"], parts["cpu_s"] + parts["fault_s"] + parts["commit_s"] +
                                   parts["decommit_s"])
            self.assertAlmostEqual(parts["cpu_s"], cost["estimated_cycles"] / 3e9)
            if c["allocator"] == "arena":  # its 64 GiB regions, capped under Valgrind
                self.assertTrue(any("reserves 32 GiB" in n for n in cost["notes"]), cost["notes"])
        self.assertEqual(self.doc["base"]["context"]["cost_model"]["nominal_hz"], 3e9)

    def test_an_unchanged_rerun_judges_every_cost_figure_unchanged(self):
        p = vmbench("compare", self.path["base"], self.path["same"], *GATE, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stdout)
        cost = [r for r in json.loads(p.stdout)["rows"] if r["figure"] in ("cost_instructions", "cost_estimated_cycles")]
        self.assertEqual(len(cost), 8)
        for r in cost:
            self.assertEqual((r["verdict"], r["change"], r["threshold"]), ("unchanged", 0, "1%"), r)

    def test_an_injected_two_percent_is_caught(self):
        base, slow = self.counts("base")["test-slow"], self.counts("slow")["test-slow"]
        self.assertGreater(slow[0] / base[0], 1.015)  # the injection is what it says
        p = vmbench("compare", self.path["base"], self.path["slow"], *GATE, "--format", "json")
        self.assertEqual(p.returncode, 1, p.stdout)
        doc = json.loads(p.stdout)
        worse = {(r["cell"], r["figure"]) for r in doc["rows"] if r["verdict"] == "worse" and r["gated"]}
        self.assertEqual(worse, {("tree/test-slow/inline", "cost_instructions"),
                                 ("tree/test-slow/inline", "cost_estimated_cycles")})

    def test_a_doctored_two_percent_is_caught_and_two_tenths_of_a_percent_is_not(self):
        plus_2 = self.write("plus2", doctored(self.doc["base"], 1.02))
        plus_02 = self.write("plus02", doctored(self.doc["base"], 1.002))
        p = vmbench("compare", self.path["base"], plus_2, *GATE)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("cost_instructions +2.0%", p.stdout.splitlines()[-1])
        p = vmbench("compare", self.path["base"], plus_02, *GATE)
        self.assertEqual(p.returncode, 0, p.stdout)
        p = vmbench("compare", self.path["base"], plus_02, *GATE, "-t", "cost_instructions=0.1%")
        self.assertEqual(p.returncode, 1, p.stdout)  # a tighter threshold sees it

    def test_cost_figures_in_one_file_only_are_compared_as_absent_with_a_note(self):
        without = copy.deepcopy(self.doc["base"])
        for c in without["cells"]:
            c["figures"].pop("cost", None)
        for g in without["groups"]:
            g.pop("cost", None)
            for name in list(g["figures"]):
                if name.startswith("cost_") or name.startswith("modelled"):
                    g["figures"][name] = None
        p = vmbench("compare", self.path["base"], self.write("without", without), *GATE)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("note: cost figures (--cost) only in BASE for 4 cells", p.stdout)
        self.assertNotIn(" cost_instructions ", p.stdout)


class WithoutValgrind(unittest.TestCase):
    """--cost needs valgrind: refused before anything runs; --deep measures the rest and says why not."""

    def run_without_valgrind(self, *args):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            p = vmbench("run", "--scale", "ci", "-w", "tree", "-a", "malloc", "--reps", "1", "--out", out, *args,
                        env_extra={"PATH": d})  # an empty PATH: no valgrind
            doc = json.load(open(out)) if os.path.exists(out) else None
        return p, doc

    def test_cost_is_refused_in_one_line_naming_the_package(self):
        p, doc = self.run_without_valgrind("--cost")
        self.assertEqual(p.returncode, 2, p.stderr)
        line = one_line(self, p)
        self.assertIn("--cost", line)
        self.assertIn("valgrind", line)
        self.assertIsNone(doc)  # nothing was measured

    def test_deep_measures_everything_else_and_records_why_there_is_no_cost(self):
        p, doc = self.run_without_valgrind("--deep", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        figures = doc["cells"][0]["figures"]
        self.assertNotIn("cost", figures)
        self.assertIn("valgrind", figures["unavailable"]["cost"])
        for key in ("syscalls", "latency", "timeline", "heap_map"):
            self.assertIn(key, figures)


class Gate(unittest.TestCase):
    """scripts/ci-gate.sh itself, on one workload: silent on unchanged code, exit 1 on an injected +2%."""

    @classmethod
    def setUpClass(cls):
        available = cost_pass_available()
        if not available["available"]:
            raise unittest.SkipTest(available["reason"])
        cls.tmp = tempfile.TemporaryDirectory()
        cls.baseline = os.path.join(cls.tmp.name, "base.json")
        p = cls.gate("--refresh", "--out", cls.baseline)
        assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def gate(cls, *args, spins="0"):
        script = os.path.join(SOURCE_DIR, "scripts", "ci-gate.sh")
        return run_command([script, "--vmbench", os.environ["VMBENCH"], "--allocators", "malloc,test-slow",
                            "--workloads", "tree", *args, "--", *EVERY, "-p", "test_delay_spins=" + spins],
                           env_extra=TEST_ALLOCATORS, timeout=600)

    def test_unchanged_code_passes(self):
        p = self.gate("--baseline", self.baseline)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("no regression", p.stdout)
        self.assertIn("timing not judged", p.stdout)

    def test_an_injected_two_percent_fails_it(self):
        p = self.gate("--baseline", self.baseline, spins=SPINS_2_PERCENT)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"REGRESSION: 2 of \d+ judged figures worse \(first: tree/test-slow/inline "
                                   r"cost_instructions \+2\.\d%\)")


def compare_py_partitions(json1, json2):
    """What Google Benchmark's tools/gbench/report.py does with two files: benchmarks with the same
    name in both, filtered to the time unit of the first, each side a list of runs."""
    names = []
    for b in json1["benchmarks"]:
        if b["name"] not in names:
            names.append(b["name"])
    names = [n for n in names if any(b["name"] == n for b in json2["benchmarks"])]
    out = {}
    for n in names:
        unit = next(b["time_unit"] for b in json1["benchmarks"] if b["name"] == n)
        out[n] = [[b for b in j["benchmarks"] if b["name"] == n and b["time_unit"] == unit] for j in (json1, json2)]
    return out


def check_gbench(test, doc, reps):
    test.assertIsInstance(doc["context"], dict)
    test.assertIn("date", doc["context"])
    benchmarks = doc["benchmarks"]
    test.assertTrue(benchmarks)
    by_run = {}
    for b in benchmarks:
        for k in ("name", "run_name", "run_type", "real_time", "cpu_time", "time_unit", "iterations", "repetitions",
                  "threads"):
            test.assertIn(k, b)
        test.assertIn(b["time_unit"], ("ns", "us", "ms", "s"))
        test.assertIn(b["run_type"], ("iteration", "aggregate"))
        test.assertEqual(b["iterations"], 1 if b["run_type"] == "iteration" else reps)  # Google Benchmark's
        for k, v in b.items():  # everything else is a counter: a number
            if k not in ("name", "run_name", "run_type", "time_unit", "aggregate_name", "aggregate_unit"):
                test.assertIsInstance(v, (int, float), k)
                test.assertEqual(v, v, k)  # not NaN
        by_run.setdefault(b["run_name"], []).append(b)
    for run_name, runs in by_run.items():
        iterations = [b for b in runs if b["run_type"] == "iteration"]
        aggregates = [b for b in runs if b["run_type"] == "aggregate"]
        test.assertEqual([b["repetition_index"] for b in iterations], list(range(reps)))
        test.assertTrue(all(b["name"] == run_name for b in iterations))
        test.assertEqual(sorted(b["aggregate_name"] for b in aggregates), ["cv", "mean", "median", "stddev"])
        for b in aggregates:
            test.assertEqual(b["name"], run_name + "_" + b["aggregate_name"])
        test.assertIn("items_per_second", iterations[0])
        test.assertIn("peak_rss_delta_bytes", iterations[0])
    # compare.py sorts by family_index, per_family_instance_index, iterations before aggregates, and
    # repetition_index: the order written must already be that order.
    def order(b):
        return (b["family_index"], b["per_family_instance_index"], 1 if b["run_type"] == "aggregate" else 0,
                b.get("repetition_index", -1))
    test.assertEqual(benchmarks, sorted(benchmarks, key=order))


class GbenchFromRun(unittest.TestCase):
    def test_run_format_gbench_prints_google_benchmark_json(self):
        with tempfile.TemporaryDirectory() as d:
            p = vmbench("run", "--scale", "ci", "-w", "tree", "-a", "malloc,arena", "--reps", "2", "--quiet",
                        "--format", "gbench", "--out", os.path.join(d, "r.json"))
            self.assertEqual(p.returncode, 0, p.stderr)
            check_gbench(self, json.loads(p.stdout), reps=2)


class UnusableInput(unittest.TestCase):
    """Exit 2 and one line: the gate must never pass (or crash) on input it cannot read."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.good = os.path.join(cls.tmp.name, "good.json")
        p = vmbench("run", "--scale", "ci", "-w", "tree", "-a", "malloc", "--reps", "1", "--quiet", "--out", cls.good)
        assert p.returncode == 0, p.stderr
        with open(cls.good) as f:
            cls.text = f.read()
        cls.doc = json.loads(cls.text)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def variant(self, name, change):
        doc = json.loads(self.text)
        change(doc)
        return self.write(name, json.dumps(doc))

    def assert_unusable(self, path, needle, *, as_new=True):
        args = [self.good, path] if as_new else [path, self.good]
        p = vmbench("compare", *args)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        line = one_line(self, p)
        self.assertIn(needle, line)
        self.assertEqual(p.stdout, "")

    def test_truncated_file(self):
        self.assert_unusable(self.write("trunc.json", self.text[: len(self.text) // 2]), "truncated")

    def test_not_json(self):
        self.assert_unusable(self.write("text.json", "hello, world\n"), "not valid JSON")

    def test_empty_file(self):
        self.assert_unusable(self.write("empty.json", ""), "empty")

    def test_nan(self):
        def put_nan(d):
            d["cells"][0]["figures"]["wall_s"] = float("nan")
        self.assert_unusable(self.variant("nan.json", put_nan), "NaN")

    def test_wrong_schema_version(self):
        self.assert_unusable(self.variant("v2.json", lambda d: d.update(schema_version=2)), "schema_version")

    def test_wrong_schema_name(self):
        self.assert_unusable(self.variant("other.json", lambda d: d.update(schema="something-else")), "schema")

    def test_google_benchmark_json_is_not_a_results_file(self):
        self.assert_unusable(self.write("gb.json", json.dumps({"context": {}, "benchmarks": []})), "schema")

    def test_missing_field(self):
        self.assert_unusable(self.variant("nogroups.json", lambda d: d.pop("groups")), "groups")

    def test_negative_count(self):
        def negative(d):
            d["cells"][0]["figures"]["allocations"] = -5
        self.assert_unusable(self.variant("neg.json", negative), "allocations")

    def test_enormous_number(self):
        def enormous(d):
            d["cells"][0]["figures"]["wall_s"] = 1e300
        self.assert_unusable(self.variant("huge.json", enormous), "wall_s")

    def test_overflowing_number(self):
        text = re.sub(r'"wall_s": [0-9.e+-]+', '"wall_s": 1e999', self.text, count=1)
        self.assert_unusable(self.write("inf.json", text), "1e999")

    def test_wrong_type(self):
        def string_reps(d):
            d["groups"][0]["reps_ok"] = "three"
        self.assert_unusable(self.variant("type.json", string_reps), "reps_ok")

    def test_no_common_cells(self):
        def other_cells(d):
            for g in d["groups"] + d["cells"]:
                g["key"] = g["key"].replace("tree", "elsewhere")
        self.assert_unusable(self.variant("other-cells.json", other_cells), "no common cells")

    def test_missing_file(self):
        self.assert_unusable(os.path.join(self.tmp.name, "nope.json"), "No such file")

    def test_directory(self):
        self.assert_unusable(self.tmp.name, "directory")

    def test_bad_base_is_reported_too(self):
        self.assert_unusable(self.write("trunc2.json", self.text[:100]), "not valid JSON", as_new=False)

    def test_bad_options(self):
        for args, needle in ((["--threshold", "nonsense=3"], "unknown figure"), (["--threshold", "wall_s=3"], "percent"),
                             (["--min-effect", "lots"], "--min-effect"), (["--format", "xml"], "--format"),
                             (["--alpha", "2"], "--alpha")):
            with self.subTest(args=args):
                p = vmbench("compare", self.good, self.good, *args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(needle, one_line(self, p))

    def test_export_of_a_bad_file(self):
        p = vmbench("export", self.write("bad-export.json", "{"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("not valid JSON", one_line(self, p))


if __name__ == "__main__":
    unittest.main()
