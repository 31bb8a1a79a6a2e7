"""The figure registry against everything that names a figure outside the C++ tool, run by ctest
(vmbench_test_registry): the JSON Schema, docs/results-schema.md, the Python plots, and what a real
cell writes. The registry is tool/results/figure_registry.hpp; the tool hands it out with
`vmbench list --format json`. Environment: VMBENCH, VMB_SCHEMA, VMB_SOURCE_DIR, VMB_PYTHON.
"""
import ast
import copy
import csv
import glob
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import jsonschema

VMBENCH = os.environ["VMBENCH"]
SOURCE = os.environ["VMB_SOURCE_DIR"]
PYTHON = os.environ.get("VMB_PYTHON", sys.executable)
SCHEMA = json.load(open(os.environ["VMB_SCHEMA"]))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
FIXTURE = os.path.join(SOURCE, "tests", "fixtures", "ci-suite.json")
PLOTS = os.path.join(SOURCE, "scripts", "plots")


def describe():
    p = subprocess.run([VMBENCH, "list", "--format", "json"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


DESC = describe()
FIGURES = {f["name"]: f for f in DESC["figures"]}
SECTIONS = {s["name"]: s for s in DESC["sections"]}
TOP = [f for f in DESC["figures"] if f["cell"] and "." not in f["cell"]]
IN_CELLS = {f["name"]: f for f in DESC["figures"] if f["cell"]}  # the others: computed by the document
HEAP = [f for f in DESC["figures"] if f["cell"].startswith("heap.")]
COST = [f for f in DESC["figures"] if f["cell"].startswith("cost.")]  # the cost pass's object (--cost)


def heap_key(f):
    return f["cell"].split(".", 1)[1]


# The objects a cell may lack, each valid as it is: what mutate_cells puts into a fixture's cell.
OBJECTS = {
    "cost": {},
    "workload_counts": {},
    "program": {"command": "true", "exit_status": 0},
    "syscalls": {"method": "test", "commits": 1, "commit_bytes": 4096, "decommits": 0, "decommit_calls": 0,
                 "decommit_bytes": 0, "reserves": 0, "reserve_bytes": 0, "other_calls": 0, "failed_calls": 0,
                 "calls": {k: {"calls": 0, "bytes": 0} for k in ("mmap", "munmap", "mremap", "brk", "mprotect",
                                                                 "madvise")},
                 "traced_wall_s": 0.1, "heap_commit_calls": None, "heap_decommit_calls": None},
}


def valgrind_available():
    """Whether `vmbench run --cost` can run here (it refuses, exit 2, without valgrind or in a sanitizer build)."""
    return DESC["cost_pass"]["available"]


def small_document():
    """The suite fixture cut to one group that ran and its cells: what every mutation starts from."""
    with open(FIXTURE) as f:
        doc = json.load(f)
    group = next(g for g in doc["groups"] if g["reps_ok"] > 0 and g["figures"]["heap_commit_calls"])
    doc["groups"] = [group]
    doc["cells"] = [c for c in doc["cells"] if c["key"] == group["key"]]
    doc["warnings"] = []
    return doc


class Description(unittest.TestCase):
    def test_plain_list_is_text_and_json_lists_the_same_workloads_and_allocators(self):
        text = subprocess.run([VMBENCH, "list"], capture_output=True, text=True).stdout
        self.assertFalse(text.lstrip().startswith("{"))
        # "NAME=PATH" is the row that says how to bring your own allocator, not an allocator.
        shown = [n for n in re.findall(r"^  (\S+)\s", text, flags=re.M) if n != "NAME=PATH"]
        self.assertEqual([w["name"] for w in DESC["workloads"]], shown[:len(DESC["workloads"])])
        self.assertEqual(sorted(a["name"] for a in DESC["allocators"]), sorted(shown[len(DESC["workloads"]):]))

    def test_every_allocator_has_its_own_colour_and_every_figure_a_label_and_unit(self):
        colours = [a["colour"] for a in DESC["allocators"]]
        self.assertEqual(len(colours), len(set(colours)))
        self.assertTrue(all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours), colours)
        for f in DESC["figures"]:
            self.assertTrue(f["label"] and f["description"], f["name"])
            self.assertIn(f["unit"], ("s", "bytes", "count", "1/s", "hash", "ratio"), f["name"])
            self.assertIn(f["better"], ("lower", "higher", "none"), f["name"])

    def test_parameters_carry_their_defaults_per_scale(self):
        tree = next(w for w in DESC["workloads"] if w["name"] == "tree")
        depth = next(p for p in tree["params"] if p["name"] == "depth")
        self.assertEqual(depth["defaults"], {"ci": "10", "default": "14", "large": "17"})

    def test_an_unknown_format_is_one_line_and_exit_2(self):
        p = subprocess.run([VMBENCH, "list", "--format", "xml"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)


class SchemaAndDocs(unittest.TestCase):
    def test_the_generated_parts_are_up_to_date(self):
        p = subprocess.run([PYTHON, os.path.join(SOURCE, "tests", "schema", "sync_schema.py"), "--check",
                            "--vmbench", VMBENCH], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_the_schema_names_every_figure_and_section_and_nothing_else(self):
        defs = SCHEMA["$defs"]
        cell_sections = {s for s, v in SECTIONS.items() if v["cells"]}
        self.assertEqual(set(defs["figures"]["properties"]), {f["name"] for f in TOP} | cell_sections)
        self.assertEqual(set(defs["heap"]["oneOf"][1]["properties"]), {heap_key(f) for f in HEAP})
        self.assertLessEqual({heap_key(f) for f in COST}, set(defs["cost"]["oneOf"][1]["properties"]))
        group = defs["group"]["properties"]
        self.assertEqual(set(group["figures"]["properties"]),
                         {n for n, f in FIGURES.items() if f["group"] == "summary"})
        for n, f in FIGURES.items():
            self.assertEqual(n in group, f["group"] == "value", n)
        for s, v in SECTIONS.items():
            if v["groups"] and s not in ("proof", "heap_note", "phases"):  # untyped in groups, for now
                self.assertIn(s, group, s)

    def test_the_docs_table_names_every_figure(self):
        with open(os.path.join(SOURCE, "docs", "results-schema.md")) as f:
            docs = f.read()
        for n in FIGURES:
            self.assertIn(f"| `{n}` |", docs, n)
        for s in SECTIONS:
            self.assertIn(f"`{s}`", docs, s)

    def test_files_written_before_a_figure_existed_still_load(self):
        """The gate's baseline and the fixtures predate some figures: a new figure must be optional."""
        files = [os.path.join(SOURCE, "results", "baseline", "ci.json")] + \
            sorted(glob.glob(os.path.join(SOURCE, "tests", "fixtures", "*.json")))
        for path in files:
            with open(path) as f:
                doc = json.load(f)
            with self.subTest(os.path.relpath(path, SOURCE)):
                self.assertEqual([e.message for e in VALIDATOR.iter_errors(doc)][:3], [])
                self.assertEqual(subprocess.run([VMBENCH, "export", path], capture_output=True).returncode, 0)

    def test_the_fixture_is_valid_before_any_mutation(self):
        self.assertEqual([e.message for e in VALIDATOR.iter_errors(small_document())], [])
        self.assertEqual(loader_verdict(small_document()), 0)


def loader_verdict(doc):
    """The exit code of `vmbench export` on the document: 0 accepted, 2 refused by the loader."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        return subprocess.run([VMBENCH, "export", f.name], capture_output=True, text=True).returncode
    finally:
        os.unlink(f.name)


class SchemaAndLoaderAgreeWithTheRegistry(unittest.TestCase):
    """Each figure, made wrong in a way its unit forbids: the schema and the loader both refuse it; made
    different in a way its unit allows: both accept it."""

    def assertVerdict(self, doc, valid, what):
        schema_ok = VALIDATOR.is_valid(doc)
        loader_ok = loader_verdict(doc) == 0
        self.assertEqual((schema_ok, loader_ok), (valid, valid), f"{what}: schema, loader")

    def mutate_cells(self, name, value=None, delete=False):
        doc = small_document()
        f = FIGURES[name]
        for c in doc["cells"]:
            where = f["cell"].split(".", 1)[0] if "." in f["cell"] else ""
            if where in OBJECTS and not delete:  # the fixture lacks the object: give it a valid one
                holder = c["figures"].setdefault(where, copy.deepcopy(OBJECTS[where]))
            else:
                holder = c["figures"].get(where, {}) if where else c["figures"]
            key = heap_key(f) if "." in f["cell"] else name
            if delete:
                holder.pop(key, None)  # a figure the fixture predates is missing already
            else:
                holder[key] = value
        return doc

    def test_a_figure_that_is_not_a_number_is_refused(self):
        for name in IN_CELLS:
            with self.subTest(name):
                self.assertVerdict(self.mutate_cells(name, "x"), False, f"{name} = 'x'")

    def test_a_negative_value_is_refused_unless_the_figure_is_a_signed_delta(self):
        for name, f in IN_CELLS.items():
            with self.subTest(name):
                self.assertVerdict(self.mutate_cells(name, -4096), f["signed"], f"{name} = -4096")

    def test_a_fraction_is_refused_where_the_figure_counts(self):
        for name, f in IN_CELLS.items():
            with self.subTest(name):
                whole = f["unit"] in ("bytes", "count", "hash")
                self.assertVerdict(self.mutate_cells(name, 0.5), not whole, f"{name} = 0.5")

    def test_only_an_optional_figure_may_be_missing(self):
        for name, f in IN_CELLS.items():
            with self.subTest(name):
                self.assertVerdict(self.mutate_cells(name, delete=True), f["presence"] == "optional",
                                   f"{name} deleted")

    def test_a_group_value_of_the_wrong_type_is_refused(self):
        for name, f in FIGURES.items():
            if f["group"] != "value":
                continue
            for bad in ("x", -5):
                doc = small_document()
                doc["groups"][0][name] = bad
                with self.subTest(name, bad=bad):
                    self.assertVerdict(doc, False, f"groups[0].{name} = {bad!r}")

    def test_a_group_that_ran_must_summarise_every_figure_its_cells_always_have(self):
        for name, f in FIGURES.items():
            if f["group"] != "summary":
                continue
            doc = small_document()
            doc["groups"][0]["figures"][name] = None
            always = f["presence"] == "always" and f["cell"] and "." not in f["cell"]
            with self.subTest(name):
                self.assertVerdict(doc, not always, f"groups[0].figures.{name} = null")


class AFreshCell(unittest.TestCase):
    """What a real cell writes, against the registry: a probe that adds a figure must register it."""

    @classmethod
    def setUpClass(cls):
        cost = ["--cost"] if valgrind_available() else []  # the cost pass's figures too, where it can run
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            p = subprocess.run([VMBENCH, "run", "--scale", "ci", "--reps", "1", "-w", "tree", "-a", "arena,malloc",
                                "--out", out, "--quiet", *cost], capture_output=True, text=True, timeout=300)
            assert p.returncode == 0, p.stderr
            with open(out) as f:
                cls.doc = json.load(f)

    def test_every_number_a_cell_writes_is_registered(self):
        known = {f["name"] for f in TOP} | set(SECTIONS)
        for c in self.doc["cells"]:
            self.assertEqual(c["status"], "ok")
            self.assertEqual(set(c["figures"]) - known, set(), c["key"])
            if c["figures"]["heap"] is not None:
                self.assertEqual(set(c["figures"]["heap"]), {heap_key(f) for f in HEAP}, c["key"])
            cost = c["figures"].get("cost")
            if cost is not None:  # every registered cost figure, and the schema's other fields
                fields = set(SCHEMA["$defs"]["cost"]["oneOf"][1]["properties"])
                self.assertLessEqual({heap_key(f) for f in COST}, set(cost), c["key"])
                self.assertLessEqual(set(cost), fields, c["key"])

    def test_the_document_matches_the_schema(self):
        self.assertEqual([e.message for e in VALIDATOR.iter_errors(self.doc)][:3], [])

    def test_the_cost_pass_figures_are_written_where_valgrind_runs(self):
        if not valgrind_available():
            self.skipTest("valgrind is not installed")
        for c in self.doc["cells"]:
            self.assertIsNotNone(c["figures"]["cost"], c["figures"]["unavailable"].get("cost"))
        for g in self.doc["groups"]:
            for f in COST:
                self.assertEqual(g["figures"][f["name"]]["n"], 1, (g["key"], f["name"]))

    def test_every_registered_figure_is_written(self):
        for c in self.doc["cells"]:
            for f in TOP:
                self.assertIn(f["name"], c["figures"], c["key"])

    def test_groups_summarise_exactly_the_registered_figures(self):
        for g in self.doc["groups"]:
            self.assertEqual(set(g["figures"]), {n for n, f in FIGURES.items() if f["group"] == "summary"})
            for n, f in FIGURES.items():
                self.assertEqual(n in g, f["group"] == "value", n)

    def test_the_csv_has_a_column_per_figure(self):
        # A scratch file, not os.devnull: as root, the rename of an older vmbench replaced /dev/null itself,
        # and vmbench now refuses any --out that is not a regular file.
        with tempfile.TemporaryDirectory() as scratch:
            p = subprocess.run([VMBENCH, "run", "--scale", "ci", "--reps", "1", "-w", "tree", "-a", "malloc",
                                "--format", "csv", "--out", os.path.join(scratch, "r.json"), "--quiet"],
                               capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        header = p.stdout.splitlines()[0].split(",")
        self.assertEqual(header[8:], [f["name"] for f in DESC["figures"]])


def slot_keys(name):
    """The cell keys of the figures registered inside the cell's object `name` (workload_counts...)."""
    return {f["cell"].split(".", 1)[1] for f in DESC["figures"] if f["cell"].startswith(name + ".")}


def unregistered(cell_figures):
    """The numbers a cell carries that the registry does not know: at the top, every key must be a figure
    or a section; inside `workload_counts` and `program`, every number a figure (a field the schema
    types by hand, as the program's exit status, is no figure); `syscalls` must hold its figures."""
    out = {k for k in cell_figures if k not in {f["name"] for f in TOP} | set(SECTIONS)}
    defs = SCHEMA["$defs"]
    for name in ("workload_counts", "program"):
        obj = cell_figures.get(name)
        if not isinstance(obj, dict):
            continue
        fields = set(defs[name]["oneOf"][1].get("properties", {})) - slot_keys(name)
        out |= {f"{name}.{k}" for k, v in obj.items()
                if isinstance(v, (int, float)) and k not in slot_keys(name) | fields}
    traced = cell_figures.get("syscalls")
    if isinstance(traced, dict):
        out |= {f"syscalls.{k}" for k in slot_keys("syscalls") - set(traced)}
    return out


def run_document(*args):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = subprocess.run([VMBENCH, "run", "--scale", "ci", "--reps", "1", "--out", out, "--quiet", *args],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        with open(out) as f:
            return json.load(f)


class ProgramAndReplayCells(unittest.TestCase):
    """A --program run (with its traced pass) and a replay carry objects of their own (`program`,
    `workload_counts`, `syscalls`): every number in them is a registered figure, so the CSV, the exports
    and compare carry it; a probe that adds one unregistered makes this fail."""

    @classmethod
    def setUpClass(cls):
        cls.program = run_document("-a", "malloc", "--syscalls", "--program", "--", PYTHON, "-c",
                                   "x = [str(i) for i in range(20000)]; print(len(x))")
        trace = os.path.join(SOURCE, "workloads", "traces", "sqlite.trace")
        cls.replay = run_document("-w", "replay", "-p", f"trace={trace}", "-a", "malloc,arena")

    def documents(self):
        return {"program": self.program, "replay": self.replay}

    def test_every_number_their_cells_write_is_registered(self):
        for what, doc in self.documents().items():
            for c in doc["cells"]:
                self.assertEqual(c["status"], "ok", c.get("error"))
                self.assertEqual(unregistered(c["figures"]), set(), (what, c["key"]))

    def test_the_check_sees_a_count_nobody_registered(self):
        figures = copy.deepcopy(self.replay["cells"][0]["figures"])
        figures["workload_counts"]["new_count"] = 3
        figures["program"] = {"command": "x", "exit_status": 0, "children": 2}
        self.assertEqual(unregistered(figures), {"workload_counts.new_count", "program.children"})

    def test_the_documents_match_the_schema_and_load(self):
        for what, doc in self.documents().items():
            with self.subTest(what):
                self.assertEqual([e.message for e in VALIDATOR.iter_errors(doc)][:3], [])
                self.assertEqual(loader_verdict(doc), 0)

    def test_groups_summarise_their_own_figures(self):
        for g in self.replay["groups"]:
            self.assertEqual(g["figures"]["recorded_allocations"]["median"], g["allocations"], g["key"])
            self.assertEqual(g["figures"]["unknown_frees"]["median"], 0, g["key"])
        g = self.program["groups"][0]
        traced = self.program["cells"][0]["figures"]["syscalls"]
        self.assertEqual(g["figures"]["syscall_commits"]["median"], traced["commits"])
        self.assertGreaterEqual(g["figures"]["program_processes"]["median"], 1)

    def test_the_csv_carries_them(self):
        for what, doc in self.documents().items():
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(doc, f)
            try:
                p = subprocess.run([VMBENCH, "export", f.name, "--format", "csv"], capture_output=True, text=True)
            finally:
                os.unlink(f.name)
            self.assertEqual(p.returncode, 0, p.stderr)
            header, first = list(csv.reader(io.StringIO(p.stdout)))[:2]
            row = dict(zip(header, first))
            names = ["recorded_allocations", "unknown_frees"] if what == "replay" else \
                ["syscall_commits", "program_processes", "wall_s", "cpu_user_s", "peak_rss_bytes", "minor_faults"]
            for n in names:
                self.assertNotEqual(row[n], "", (what, n))


# --- the Python side ---------------------------------------------------------------------------

# Helpers of scripts/plots whose string argument (at `position`) is a figure name.
FIGURE_ARGUMENTS = {"figure": 0, "label": 0, "axis": 0, "cell_value": 1, "median": 1, "_summary": 1}
# A string shaped like a figure (a unit in its name) must be registered, or be a field of the schema.
FIGURE_SHAPED = re.compile(r"^[a-z][a-z0-9_]*_(s|bytes|calls|faults|per_s)$")


def schema_property_names(node, out):
    if isinstance(node, dict):
        for key in ("properties", "required"):
            if key in node:
                out.update(node[key])
        for v in node.values():
            schema_property_names(v, out)
    elif isinstance(node, list):
        for v in node:
            schema_property_names(v, out)
    return out


def is_figures(node):
    """`X["figures"]`"""
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
            and node.slice.value == "figures")


def named_figures(tree):
    """(line, name) of every string the code uses as a figure name."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and is_figures(node.value) and isinstance(node.slice, ast.Constant):
            out.append((node.lineno, node.slice.value))  # X["figures"]["wall_s"]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get" and is_figures(node.func.value) and node.args and \
                    isinstance(node.args[0], ast.Constant):
                out.append((node.lineno, node.args[0].value))  # X["figures"].get("wall_s")
        if isinstance(node, ast.Call):
            fn = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            i = FIGURE_ARGUMENTS.get(fn)
            if i is not None and len(node.args) > i and isinstance(node.args[i], ast.Constant):
                out.append((node.lineno, node.args[i].value))
    return out


class ThePythonSide(unittest.TestCase):
    def sources(self):
        paths = sorted(glob.glob(os.path.join(PLOTS, "*.py"))) + [os.path.join(SOURCE, "scripts", "vmbench-plot")]
        for p in paths:
            with open(p, encoding="utf-8") as f:
                yield os.path.relpath(p, SOURCE), ast.parse(f.read())

    def test_it_names_only_figures_the_registry_knows(self):
        known = set(FIGURES) | set(SECTIONS)
        for path, tree in self.sources():
            for line, name in named_figures(tree):
                self.assertIn(name, known, f"{path}:{line}: '{name}' is not in vmbench's figure registry")

    def test_a_string_shaped_like_a_figure_is_a_figure_or_a_field_of_the_schema(self):
        known = set(FIGURES) | set(SECTIONS) | schema_property_names(SCHEMA, set())
        for path, tree in self.sources():
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and FIGURE_SHAPED.match(node.value):
                    self.assertIn(node.value, known, f"{path}:{node.lineno}: '{node.value}' is no figure or field")

    def test_it_keeps_no_copy_of_colours_or_orders(self):
        """A description with other colours and orders changes the plots' colours and orders."""
        fake = copy.deepcopy(DESC)
        fake["allocators"].reverse()
        fake["workloads"].reverse()
        for a in fake["allocators"]:
            a["colour"] = "#123456"
        with tempfile.TemporaryDirectory() as d:
            desc_path = os.path.join(d, "desc.json")
            with open(desc_path, "w") as f:
                json.dump(fake, f)
            exe = os.path.join(d, "vmbench")
            with open(exe, "w") as f:
                f.write(f"#!/bin/sh\ncat {desc_path}\n")
            os.chmod(exe, 0o755)
            code = ("import common, json; print(json.dumps([common.colour('arena'), "
                    "common.order_allocators(['arena', 'malloc', 'bump']), common.order_workloads(['tree', 'frag'])]))")
            p = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=PLOTS,
                               env=dict(os.environ, VMBENCH=exe, PYTHONPATH=PLOTS))
        self.assertEqual(p.returncode, 0, p.stderr)
        colour, allocators, workloads = json.loads(p.stdout)
        order = [a["name"] for a in fake["allocators"]]
        self.assertEqual(colour, "#123456")
        self.assertEqual(allocators, sorted(["arena", "malloc", "bump"], key=order.index))
        self.assertEqual(workloads, ["frag", "tree"])

    def test_an_unknown_figure_is_refused_by_name(self):
        p = subprocess.run([PYTHON, "-c", "import common; common.figure('wall_time')"], capture_output=True,
                           text=True, cwd=PLOTS, env=dict(os.environ, PYTHONPATH=PLOTS))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("'wall_time' is not in vmbench's figure registry", p.stderr)


if __name__ == "__main__":
    unittest.main()
