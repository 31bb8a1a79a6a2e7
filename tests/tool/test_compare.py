"""End-to-end tests of `vmbench compare` and `vmbench export`, run by ctest (test vmbench_test_compare).

A regression gate must catch a real slowdown or memory growth (exit 1) and stay silent on noise
(exit 0); input it cannot use gives one line on stderr and exit 2. The slowdown and the memory growth
come from the test-only allocators: test-slow (busy work per allocation) and test-bloat (asks for
more than requested and touches it).
Environment: VMBENCH (the binary), VMB_SOURCE_DIR (the source tree).
"""
import json
import os
import re
import tempfile
import unittest

from vmbtest import TEST_ALLOCATORS, one_line, vmbench

# The gate's own judgement (scripts/ci-gate.sh): ratios to malloc, a generous margin.
GATE = ["--normalize", "malloc", "--min-effect", "50%", "--min-time", "0.02",
        "-t", "cpu_user_s=off", "-t", "cpu_sys_s=off", "-t", "ops_per_s=off", "-t", "peak_rss_bytes=off"]
RUN = ["run", "--scale", "ci", "-w", "tree", "-p", "depth=14", "--reps", "5", "--quiet"]
# Busy work per allocation on top of malloc's ~25 ns: a few times slower, far beyond the noise.
SLOW_SPINS = "100"
BLOAT_BYTES = "32"


class Runs(unittest.TestCase):
    """Real runs: a base, an unchanged repeat, a slowed and a bloated allocator."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = {}
        for name, extra in (("base", []), ("same", []), ("slow", ["-p", "test_delay_spins=" + SLOW_SPINS]),
                            ("bloat", ["-p", "test_bloat_bytes=" + BLOAT_BYTES])):
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

    def test_an_unchanged_rerun_is_no_regression(self):
        p = self.compare("base", "same", *GATE)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_a_slowed_allocator_is_caught(self):
        p, doc = self.rows("base", "slow", *GATE)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        worse = [(r["cell"], r["figure"]) for r in doc["rows"] if r["verdict"] == "worse" and r["gated"]]
        self.assertIn(("tree/test-slow/inline", "wall_s/malloc"), worse)
        row = next(r for r in doc["rows"] if r["cell"] == "tree/test-slow/inline" and r["figure"] == "wall_s/malloc")
        self.assertLess(row["p"], 0.05)
        self.assertGreater(row["change"], 0.5)
        # Nothing else moved: the work is the same, and only the slowed allocator is worse.
        self.assertEqual({c for c, _ in worse}, {"tree/test-slow/inline"})

    def test_a_slowed_allocator_is_caught_in_absolute_time_too(self):
        p = self.compare("base", "slow")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("REGRESSION", p.stdout.splitlines()[-1])

    def test_a_bloated_allocator_is_caught_on_memory(self):
        p, doc = self.rows("base", "bloat", *GATE)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        worse = {(r["cell"], r["figure"]) for r in doc["rows"] if r["verdict"] == "worse" and r["gated"]}
        self.assertIn(("tree/test-bloat/inline", "peak_rss_delta_bytes"), worse)
        self.assertIn(("tree/test-bloat/inline", "minor_faults"), worse)

    def test_the_report_says_how_timings_were_compared(self):
        p = self.compare("base", "same", *GATE)
        self.assertIn("ratios to malloc", p.stdout)
        p, doc = self.rows("base", "same", *GATE)
        self.assertEqual(doc["normalized_by"], "malloc")
        timing = [r for r in doc["rows"] if r["figure"] == "wall_s/malloc"]
        self.assertTrue(timing)
        for r in timing:
            self.assertIsNotNone(r["p"])

    def test_every_figure_of_every_common_cell_is_listed(self):
        _, doc = self.rows("base", "same")
        figures = {(r["cell"], r["figure"]) for r in doc["rows"]}
        for cell in ("tree/malloc/inline", "tree/test-slow/inline", "tree/test-bloat/inline"):
            for f in ("checksum", "ops", "allocations", "frees", "peak_live_bytes", "peak_rss_delta_bytes",
                      "minor_faults", "wall_s", "cpu_user_s"):
                self.assertIn((cell, f), figures)

    def test_markdown_has_a_table_and_the_verdict(self):
        p = self.compare("base", "slow", "--format", "markdown", *GATE)
        self.assertIn("| cell | figure |", p.stdout)
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
        self.assertIn("tree/malloc/inline peak_rss_delta_bytes", names)

    def test_compare_py_style_partition_pairs_base_and_new(self):
        old = json.loads(vmbench("export", self.path["base"]).stdout)
        new = json.loads(vmbench("export", self.path["slow"]).stdout)
        partitions = compare_py_partitions(old, new)
        slow = partitions["tree/test-slow/inline"]
        self.assertEqual((len(slow[0]), len(slow[1])), (5, 5))  # the U test's samples
        self.assertGreater(min(x["real_time"] for x in slow[1]), max(x["real_time"] for x in slow[0]))
        self.assertIn("tree/test-slow/inline_median", partitions)


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
        test.assertEqual(b["iterations"], 1)
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
