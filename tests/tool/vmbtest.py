"""What every end-to-end test of the command line shares: the binary and the schema from the
environment ctest sets (VMBENCH, VMB_SCHEMA, VMB_SOURCE_DIR, VMB_PYTHON), running vmbench with a clean
environment, the one-line error check, scratch directories and results files validated on load.
"""
import functools
import json
import os
import subprocess
import sys
import tempfile
import unittest

VMBENCH = os.environ["VMBENCH"]
SOURCE_DIR = os.environ.get("VMB_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PYTHON = os.environ.get("VMB_PYTHON", sys.executable)
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")
QUICK = ["--scale", "ci", "--reps", "1"]
TEST_ALLOCATORS = {"VMBENCH_TEST_ALLOCATORS": "1"}  # enables test-crash, test-hang, test-slow, test-bloat


@functools.lru_cache(maxsize=None)
def schema():
    with open(os.environ["VMB_SCHEMA"], encoding="utf-8") as f:
        return json.load(f)


def run_command(argv, env_extra=None, timeout=300, preexec_fn=None):
    """Any command, with the test-only allocators off unless env_extra turns them on."""
    env = dict(os.environ)
    env.pop("VMBENCH_TEST_ALLOCATORS", None)
    env.update(env_extra or {})
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, preexec_fn=preexec_fn)


def vmbench(*args, env_extra=None, timeout=300, preexec_fn=None):
    return run_command([VMBENCH, *args], env_extra=env_extra, timeout=timeout, preexec_fn=preexec_fn)


def stderr_lines(text):
    return [l for l in text.splitlines() if l.strip()]


def one_line(test, proc):
    """The error contract: exactly one line on stderr, no crash or traceback. Returns the line."""
    lines = stderr_lines(proc.stderr)
    test.assertEqual(len(lines), 1, proc.stderr)
    test.assertNotIn("terminate called", proc.stderr)
    test.assertNotIn("Traceback", proc.stderr)
    return lines[0]


def load_results(path, validate=True):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if validate:
        import jsonschema  # Debian python3-jsonschema; imported here so modules without it still load
        jsonschema.validate(doc, schema())
    return doc


@functools.lru_cache(maxsize=None)
def sanitized_build():
    """Whether VMBENCH is a sanitizer build (its results' build flags say so). Its runtime owns malloc,
    linked in (clang) or as a library (GCC), so nothing can be preloaded before it; and its shadow
    memory forbids a memory limit."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = vmbench("run", *QUICK, "-w", "tree", "-a", "malloc", "-q", "--out", out)
        assert p.returncode == 0, p.stderr
        with open(out) as f:
            return "sanitize" in json.load(f)["context"]["build_flags"]


def planned_cells(doc):
    """The cells a complete run of this document's plan holds: combinations x repetitions, from the plan."""
    plan = doc["plan"]
    return plan["combinations"] * plan["reps"]


class Scratch(unittest.TestCase):
    """A private directory per test, with `self.out` a results path inside it."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.dir.name, "r.json")

    def tearDown(self):
        self.dir.cleanup()

    def load(self):
        return load_results(self.out)


class SharedRun(unittest.TestCase):
    """One vmbench run shared by every test of the class: RUN_ARGS (without --out), ENV_EXTRA."""
    RUN_ARGS = ()
    ENV_EXTRA = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "results.json")
        cls.proc = vmbench(*cls.RUN_ARGS, "--out", cls.path, env_extra=cls.ENV_EXTRA, timeout=900)
        assert cls.proc.returncode == 0, cls.proc.stderr
        cls.doc = load_results(cls.path, validate=False)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
