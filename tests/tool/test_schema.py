"""The JSON Schema's hand-typed parts (context, plan, cells' and groups' own fields), mutation-tested with
Debian's python3-jsonschema. test_registry.py mutates the figures the registry generates; this module the
rest: each mutation below must be rejected, and every fixture and a fresh run must be accepted.
"""
import copy
import json
import os
import tempfile
import unittest

import jsonschema

from vmbtest import FIXTURES, QUICK, schema, vmbench

VALIDATOR = jsonschema.Draft202012Validator(schema())


def setter(where, key, value):
    def apply(doc):
        where(doc)[key] = value
    return apply


def remover(where, key):
    def apply(doc):
        del where(doc)[key]
    return apply


ctx, plan = (lambda d: d["context"]), (lambda d: d["plan"])
group, cell = (lambda d: d["groups"][0]), (lambda d: d["cells"][0])
MUTATIONS = {
    "groups[].checksum 'x'": setter(group, "checksum", "x"),
    "groups[].checksum 1.5": setter(group, "checksum", 1.5),
    "groups[].ops -5": setter(group, "ops", -5),
    "groups[].allocations -1": setter(group, "allocations", -1),
    "groups[].frees 'a'": setter(group, "frees", "a"),
    "groups[].phases 3": setter(group, "phases", 3),
    "groups[].key 1": setter(group, "key", 1),
    "groups[].dispatch 'z'": setter(group, "dispatch", "z"),
    "groups[].reps_ok -1": setter(group, "reps_ok", -1),
    "groups[] without checksum": remover(group, "checksum"),
    "context.kernel 42": setter(ctx, "kernel", 42),
    "context.git_commit 1": setter(ctx, "git_commit", 1),
    "context.memory_bytes -1": setter(ctx, "memory_bytes", -1),
    "context.machine 3": setter(ctx, "machine", 3),
    "context.ci 'yes'": setter(ctx, "ci", "yes"),
    "context without kernel": remover(ctx, "kernel"),
    "plan.seed -1": setter(plan, "seed", -1),
    "plan.timeout_s 'x'": setter(plan, "timeout_s", "x"),
    "plan.reps 0": setter(plan, "reps", 0),
    "cells[].rep 'a'": setter(cell, "rep", "a"),
    "cells[].status 'fine'": setter(cell, "status", "fine"),
    "cells[].process_s -1": setter(cell, "process_s", -1),
    "cells[] without status": remover(cell, "status"),
    "cells[].figures.phases [1]": setter(lambda d: cell(d)["figures"], "phases", [1]),
    "warnings [1]": setter(lambda d: d, "warnings", [1]),
}


class Schema(unittest.TestCase):
    def fixture(self, name="ci-suite.json"):
        with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
            return json.load(f)

    def test_every_fixture_is_valid(self):
        for name in sorted(n for n in os.listdir(FIXTURES) if n.endswith(".json")):  # not loader-rules/
            with self.subTest(name):
                VALIDATOR.validate(self.fixture(name))

    def test_a_fresh_run_is_valid(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            p = vmbench("run", *QUICK, "-w", "tree,churn", "-a", "malloc,arena,pool", "-q", "--out", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(path, encoding="utf-8") as f:
                VALIDATOR.validate(json.load(f))

    def test_each_mutation_is_rejected(self):
        base = self.fixture()
        for what, mutate in MUTATIONS.items():
            with self.subTest(what):
                doc = copy.deepcopy(base)
                mutate(doc)
                self.assertFalse(VALIDATOR.is_valid(doc), what)


if __name__ == "__main__":
    unittest.main()
