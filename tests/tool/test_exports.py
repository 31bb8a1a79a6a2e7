"""Contract tests of `vmbench export`: each format checked against what its consumer documents it reads.

- Google Benchmark JSON (compare.py, tools/gbench/report.py): benchmarks[].name, run_name, run_type,
  aggregate_name, real_time, cpu_time, time_unit, repetitions, repetition_index, iterations; entries
  grouped by name; a failed run has error_occurred and error_message. Debian ships no compare.py
  (libbenchmark-dev 1.7.1 has the library only), so its pairing is reproduced (compare_py_partitions).
- github-action-benchmark `googlecpp`: every entry of benchmarks[] becomes one series named by `name`,
  valued real_time in `<time_unit>/iter`: in --aggregates-only every name must be unique.
- github-action-benchmark custom formats: a list of {name, unit, value, range?, extra?}, names unique.
- Bencher Metric Format: {benchmark: {measure: {value, lower_value?, upper_value?}}}, numbers.
Every export: names unique, one benchmark per combination (none lost), failed combinations visible.
"""
import json
import os
import tempfile
import unittest

from test_compare import compare_py_partitions
from vmbtest import TEST_ALLOCATORS, FIXTURES, one_line, stderr_lines, vmbench

REPS = 3
# depth=12 is not the ci default (10): it must show in every name, as must the scale.
RUN = ["run", "--scale", "ci", "-w", "tree", "-p", "depth=12", "--reps", str(REPS), "-q"]


def export(path, fmt, *extra):
    p = vmbench("export", "--format", fmt, *extra, path)
    return p, (json.loads(p.stdout) if p.returncode == 0 else None)


class WithFailure(unittest.TestCase):
    """One run of two allocators that work and one that crashes every repetition."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "r.json")
        p = vmbench(*RUN, "-a", "malloc,arena,test-crash", "-p", "test_crash_after=10", "--out", cls.path,
                    env_extra=TEST_ALLOCATORS)
        assert p.returncode == 1, p.stderr  # some cells failed
        with open(cls.path, encoding="utf-8") as f:
            cls.doc = json.load(f)
        cls.groups = [g["key"] for g in cls.doc["groups"]]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def name_of(self, key):
        return key + "/scale:ci/depth:12"

    def test_gbench_is_google_benchmarks_repetitions(self):
        p, doc = export(self.path, "gbench")
        self.assertEqual(p.returncode, 0, p.stderr)
        ctx = doc["context"]
        for k in ("date", "num_cpus", "mhz_per_cpu", "library_build_type", "caches"):
            self.assertIn(k, ctx)
        self.assertIsInstance(ctx["num_cpus"], int)
        self.assertIsInstance(ctx["mhz_per_cpu"], int)
        for c in ctx["caches"]:
            self.assertEqual(set(c), {"type", "level", "size", "num_sharing"})
            self.assertGreater(c["size"], 0)
        by_name = {}
        for b in doc["benchmarks"]:
            for k in ("name", "run_name", "run_type", "family_index", "per_family_instance_index", "repetitions",
                      "threads", "iterations", "real_time", "cpu_time", "time_unit"):
                self.assertIn(k, b)
            self.assertEqual(b["threads"], 1)
            self.assertEqual(b["repetitions"], REPS)
            by_name.setdefault(b["name"], []).append(b)
        for key in ("tree/malloc/inline", "tree/arena/inline"):
            name = self.name_of(key)
            reps = by_name[name]
            self.assertEqual([b["run_type"] for b in reps], ["iteration"] * REPS)
            self.assertEqual([b["repetition_index"] for b in reps], list(range(REPS)))
            self.assertTrue(all(b["iterations"] == 1 and b["real_time"] > 0 for b in reps))
            for agg, unit in (("mean", "time"), ("median", "time"), ("stddev", "time"), ("cv", "percentage")):
                (a,) = by_name[name + "_" + agg]
                self.assertEqual((a["run_type"], a["aggregate_name"], a["aggregate_unit"]), ("aggregate", agg, unit))
                self.assertEqual(a["iterations"], REPS)
                self.assertEqual(a["run_name"], name)

    def test_gbench_failed_cell_is_an_error_entry_and_one_stderr_line(self):
        p, doc = export(self.path, "gbench")
        failed = [b for b in doc["benchmarks"] if b.get("error_occurred")]
        self.assertEqual(len(failed), REPS)
        self.assertTrue(all(b["name"] == self.name_of("tree/test-crash/inline") for b in failed))
        self.assertTrue(all(isinstance(b["error_message"], str) and b["error_message"] for b in failed))
        line = one_line(self, p)
        self.assertIn("failed", line)
        self.assertIn("test-crash", line)

    def test_gbench_names_carry_scale_and_changed_parameters(self):
        _, doc = export(self.path, "gbench")
        run_names = {b["run_name"] for b in doc["benchmarks"]}
        self.assertEqual(run_names, {self.name_of(k) for k in self.groups})  # every combination, none lost

    def test_aggregates_only_is_one_unique_series_per_combination(self):
        """github-action-benchmark's googlecpp parser: each entry one series, so names must be unique."""
        p, doc = export(self.path, "gbench", "--aggregates-only")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [b["name"] for b in doc["benchmarks"]]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(len(names), len(self.groups))
        self.assertEqual(set(names), {self.name_of(k) + "_median" for k in self.groups})
        ok = [b for b in doc["benchmarks"] if not b.get("error_occurred")]
        self.assertTrue(all(b["aggregate_name"] == "median" and b["iterations"] == REPS for b in ok))
        self.assertEqual(len(ok), len(self.groups) - 1)  # the crashing one is an error entry

    def test_identical_inputs_show_no_difference_to_compare_py(self):
        _, doc = export(self.path, "gbench")
        for name, (old, new) in compare_py_partitions(doc, doc).items():
            self.assertEqual([b["real_time"] for b in old], [b["real_time"] for b in new], name)
            self.assertEqual(len(old), REPS if "_" not in name.rsplit("/", 1)[-1] else 1)

    def check_custom(self, fmt, figures):
        p, items = export(self.path, fmt)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIsInstance(items, list)
        names = [i["name"] for i in items]
        self.assertEqual(len(names), len(set(names)))
        for i in items:
            self.assertIsInstance(i["unit"], str)
            self.assertIsInstance(i["value"], (int, float))
            self.assertTrue(i["range"].startswith("± "), i["range"])
            self.assertIn("repetitions: %d" % REPS, i["extra"])
            self.assertIn("depth=12", i["extra"])
        for key in ("tree/malloc/inline", "tree/arena/inline"):
            for fig in figures:
                self.assertIn(self.name_of(key) + " " + fig, names)
        self.assertFalse([n for n in names if "test-crash" in n])
        self.assertTrue(any("test-crash" in l and "no entry" in l for l in stderr_lines(p.stderr)), p.stderr)

    def test_custom_smaller(self):
        self.check_custom("custom-smaller", ["ns_per_op", "peak_rss_delta_bytes", "minor_faults"])

    def test_custom_bigger(self):
        self.check_custom("custom-bigger", ["ops_per_s"])

    def test_gbench_smaller_is_an_alias(self):
        self.assertEqual(export(self.path, "gbench-smaller")[1], export(self.path, "custom-smaller")[1])

    def test_bmf(self):
        p, doc = export(self.path, "bmf")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(set(doc), {self.name_of(k) for k in self.groups if "test-crash" not in k})
        for name, measures in doc.items():
            for m in ("latency", "throughput", "allocations", "peak-rss-delta-bytes", "minor-faults"):
                self.assertIn(m, measures, name)
            for m, v in measures.items():
                self.assertEqual(set(v), {"value", "lower_value", "upper_value"})
                self.assertLessEqual(v["lower_value"], v["value"])
                self.assertLessEqual(v["value"], v["upper_value"])
        self.assertIn("test-crash", p.stderr)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, doc):
        path = os.path.join(self.dir.name, "r.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return path

    def test_partial_file_says_so(self):
        with open(os.path.join(FIXTURES, "ci-suite.json"), encoding="utf-8") as f:
            doc = json.load(f)
        doc["complete"] = False
        path = self.write(doc)
        p, out = export(path, "gbench")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(out["context"]["vmbench_partial"])
        self.assertIn("partial", one_line(self, p))
        p, out = export(os.path.join(FIXTURES, "ci-suite.json"), "gbench")
        self.assertFalse(out["context"]["vmbench_partial"])
        self.assertEqual(stderr_lines(p.stderr), [])

    def test_no_successful_cell_exits_2(self):
        path = os.path.join(self.dir.name, "crash.json")
        p = vmbench("run", "--scale", "ci", "-w", "tree", "-a", "test-crash", "--reps", "1", "-q",
                    "-p", "test_crash_after=10", "--out", path, env_extra=TEST_ALLOCATORS)
        self.assertEqual(p.returncode, 1, p.stderr)
        for fmt in ("gbench", "bmf", "custom-smaller"):
            p = vmbench("export", "--format", fmt, path)
            self.assertEqual(p.returncode, 2)
            self.assertIn("no successful cell", one_line(self, p))
            self.assertEqual(p.stdout, "")

    def test_every_fixture_exports_every_format_with_unique_names(self):
        for fixture in sorted(n for n in os.listdir(FIXTURES) if n.endswith(".json")):  # not loader-rules/
            path = os.path.join(FIXTURES, fixture)
            with open(path, encoding="utf-8") as f:
                groups = len(json.load(f)["groups"])
            _, agg = export(path, "gbench", "--aggregates-only")
            names = [b["name"] for b in agg["benchmarks"]]
            self.assertEqual(len(names), groups, fixture)
            self.assertEqual(len(set(names)), groups, fixture)
            self.assertEqual(len(export(path, "bmf")[1]), groups, fixture)
            items = export(path, "custom-smaller")[1]
            self.assertEqual(len({i["name"] for i in items}), len(items), fixture)


if __name__ == "__main__":
    unittest.main()
