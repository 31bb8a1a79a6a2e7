#!/usr/bin/env python3
"""Writes the figure registry's part of the JSON Schema and of docs/results-schema.md.

The figures are declared once, in tool/results/figure_registry.hpp; `vmbench list --format json`
hands them out. This script rewrites, from that description:
  - tests/schema/results-v1.schema.json: each figure's type in a cell's `figures` (or its `heap` or `cost`),
    which figures a cell must have, a group's summaries and the values it copies from its cells;
  - docs/results-schema.md: the table between <!-- figures --> and <!-- /figures -->.
Everything else in both files is written by hand. With --check it changes nothing and exits 1 when
either file is out of date (tests/tool/test_registry.py runs it so).

    python3 tests/schema/sync_schema.py [--vmbench build/release/tool/vmbench] [--check]
"""
import argparse
import json
import os
import subprocess
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(SOURCE, "tests", "schema", "results-v1.schema.json")
DOCS = os.path.join(SOURCE, "docs", "results-schema.md")
DOCS_BEGIN = "<!-- figures: written by tests/schema/sync_schema.py from the figure registry; do not edit -->"
DOCS_END = "<!-- /figures -->"
WIDTH = 118  # the schema's lines, as the rest of the project


def describe(vmbench):
    """The tool's description (`vmbench list --format json`)."""
    out = subprocess.run([vmbench, "list", "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


# --- the schema -------------------------------------------------------------------------------

def value_schema(f):
    """The JSON Schema of one figure's value in a cell, from its unit and sign."""
    if f["unit"] == "s":
        ref = "#/$defs/seconds"
    elif f["unit"] in ("1/s", "ratio"):
        ref = "#/$defs/rate"
    elif f["unit"] == "hash":
        ref = "#/$defs/hash"
    else:
        ref = "#/$defs/signed_bytes" if f["signed"] else "#/$defs/count"
    one = {"$ref": ref}
    if f["presence"] == "optional":  # absent when unreadable, null when the kernel refused it
        one = {"oneOf": [{"type": "null"}, one]}
    return one


def slot(f):
    """The object of a cell's figures that holds the figure: "" (the top), "heap", "cost"...; None for a
    figure no cell holds (its "cell" is empty: the document computes it, and only groups have it)."""
    if not f["cell"]:
        return None
    return f["cell"].split(".", 1)[0] if "." in f["cell"] else ""


def cell_key(f):
    return f["cell"].split(".", 1)[1] if "." in f["cell"] else f["cell"]


def update_schema(schema, desc):
    figures = desc["figures"]
    names = {f["name"] for f in figures}
    top = [f for f in figures if slot(f) == ""]
    heap = [f for f in figures if slot(f) == "heap"]
    defs = schema["$defs"]
    defs["seconds"] = {"type": "number", "minimum": 0}
    defs["rate"] = {"type": "number", "minimum": 0}
    defs["hash"] = {"type": "integer", "minimum": 0, "maximum": 18446744073709551615}
    defs["signed_bytes"] = {"type": "integer"}

    cell = defs["figures"]
    props = {k: v for k, v in cell["properties"].items() if k not in names}
    cell["properties"] = {**{f["name"]: value_schema(f) for f in top}, **props}
    cell["required"] = ([r for r in cell["required"] if r not in names] +
                        [f["name"] for f in top if f["presence"] == "always"])

    defs["heap"] = {"oneOf": [{"type": "null"}, {
        "type": "object",
        "required": [cell_key(f) for f in heap],
        "properties": {cell_key(f): value_schema(f) for f in heap},
        "additionalProperties": {"$ref": "#/$defs/count"}}]}

    # The objects a cell may lack (the cost pass's, a workload's own counts, a program's): the registered
    # figures where present (none is required: a file may hold a subset), and the hand-written fields beside
    # them (events, method, notes, the command...), kept as they are.
    for name in ("cost", "workload_counts", "program"):
        inside = [f for f in figures if slot(f) == name]
        keys = {cell_key(f) for f in inside}
        old = defs.get(name, {}).get("oneOf", [{}, {}])[1]
        defs[name] = {"oneOf": [{"type": "null"}, {
            **{k: v for k, v in old.items() if k != "properties"}, "type": "object",
            "properties": {**{cell_key(f): value_schema({**f, "presence": "always"}) for f in inside},
                           **{k: v for k, v in old.get("properties", {}).items() if k not in keys}}}]}
    # The --syscalls pass's object is written by hand (every field required); its figures must be there.
    for f in figures:
        if slot(f) == "syscalls" and cell_key(f) not in defs["syscalls"]["properties"]:
            sys.exit(f"sync_schema: {f['name']} names syscalls.{cell_key(f)}, which $defs/syscalls lacks")

    group = defs["group"]
    summaries = [f["name"] for f in figures if f["group"] == "summary"]
    values = [f for f in figures if f["group"] == "value"]
    gprops = {k: v for k, v in group["properties"].items() if k not in names}
    # Nothing required here: a file written before a figure existed stays valid (see `then` below).
    gprops["figures"] = {
        "type": "object",
        "properties": {n: {"$ref": "#/$defs/summary_or_null"} for n in summaries},
        "additionalProperties": {"$ref": "#/$defs/summary_or_null"}}
    for f in values:  # copied from the first ok repetition: as in a cell, never null there
        gprops[f["name"]] = value_schema(f)
    group["properties"] = gprops
    # A group that ran has the values, and a summary of every figure each of its cells has.
    ran = group.setdefault("then", {}).setdefault("required", [])
    group["if"] = {"properties": {"reps_ok": {"minimum": 1}}, "required": ["reps_ok"]}
    group["then"]["required"] = [r for r in ran if r not in names] + [f["name"] for f in values]
    always = [f["name"] for f in top if f["group"] == "summary" and f["presence"] == "always"]
    group["then"]["properties"] = {
        "figures": {"required": always, "properties": {n: {"$ref": "#/$defs/summary"} for n in always}}}
    # `then` after `if`, both at the end, whatever order the file had
    for key in ("if", "then"):
        group[key] = group.pop(key)
    return schema


def dump(value, indent=0, prefix=0):
    """JSON with short objects and arrays on one line, like the hand-written file; `prefix`: the width
    of what precedes the value on its first line (a key)."""
    one_line = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if indent + prefix + len(one_line) <= WIDTH or not isinstance(value, (dict, list)) or not value:
        return one_line
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [pad + json.dumps(k) + ": " + dump(v, indent + 2, len(json.dumps(k)) + 2) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(pad + dump(v, indent + 2) for v in value) + "\n" + " " * indent + "]"
    lines, line = [], []  # scalars: as many to a line as fit
    for item in (json.dumps(v, ensure_ascii=False) for v in value):
        if line and len(pad) + len(", ".join(line + [item])) + 1 > WIDTH:
            lines.append(", ".join(line))
            line = []
        line.append(item)
    lines.append(", ".join(line))
    return "[\n" + ",\n".join(pad + l for l in lines) + "\n" + " " * indent + "]"


# --- the docs ---------------------------------------------------------------------------------

GATES = {"match": "must match", "exact": "exact", "pages": "within a few pages", "timing": "U test",
         "relative": "within {tolerance}", "report": "shown; judged with --threshold", "none": "not compared"}


def docs_table(desc):
    rows = ["| field | unit | in a cell | in a group | compare | meaning |", "|---|---|---|---|---|---|"]
    for f in desc["figures"]:
        unit = f["unit"] + (f" ({f['counts']})" if f.get("counts") else "") + (", signed" if f["signed"] else "")
        where = ("`" + f["cell"] + "`" if f["cell"] != f["name"] else "yes") + \
            ("" if f["presence"] == "always" else ", or null")
        if not f["cell"]:
            where = "no"
        group = {"value": "`groups[].NAME`", "summary": "`groups[].figures.NAME`", "none": ""}[f["group"]]
        gate = GATES[f["gate"]].format(tolerance=f"{(f.get('tolerance') or 0) * 100:g}%")
        rows.append(f"| `{f['name']}` | {unit} | {where} | {group.replace('NAME', f['name'])} | "
                    f"{gate} | {f['description']} |")
    return "\n".join(rows)


def update_docs(text, desc):
    begin, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"sync_schema: {DOCS} lacks the markers {DOCS_BEGIN!r} ... {DOCS_END!r}")
    return text[:begin + len(DOCS_BEGIN)] + "\n" + docs_table(desc) + "\n" + text[end:]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmbench", default=os.environ.get("VMBENCH") or
                    os.path.join(SOURCE, "build", "release", "tool", "vmbench"))
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is out of date")
    args = ap.parse_args(argv)
    desc = describe(args.vmbench)
    with open(SCHEMA, encoding="utf-8") as f:
        schema_text = f.read()
    with open(DOCS, encoding="utf-8") as f:
        docs_text = f.read()
    new_schema = dump(update_schema(json.loads(schema_text), desc)) + "\n"
    new_docs = update_docs(docs_text, desc)
    stale = [p for p, old, new in ((SCHEMA, schema_text, new_schema), (DOCS, docs_text, new_docs)) if old != new]
    if args.check:
        for p in stale:
            print(f"sync_schema: {os.path.relpath(p, SOURCE)} disagrees with the figure registry: "
                  f"run python3 tests/schema/sync_schema.py", file=sys.stderr)
        return 1 if stale else 0
    for p, text in ((SCHEMA, new_schema), (DOCS, new_docs)):
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    for p in stale:
        print(f"wrote {os.path.relpath(p, SOURCE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
