"""docs/teaching.md as written: every command block runs, at ci scale, and makes every figure the page shows.

The page marks each command block with the files it makes, on the line before it:

    <!-- test: makes suite/phases.png, suite/throughput.png -->
    ```sh
    vmbench run --scale default --reps 5 --out suite.json
    vmbench plot suite.json --out suite --only phases,throughput
    ```

This test runs the blocks in page order in one scratch directory (a later block may read an earlier
one's results), `vmbench` being the binary under test, each `run` at `--scale ci --reps 1`, and checks
that every named file appears. A figure the page shows (`../results/reference/DIR/NAME.png`) must be
named by a block of the page, and an image embedded in a section by a block of that section: the
command beside a figure is the one that makes it. No `vmbench` command block may go unmarked.
Run by ctest (vmbench_test_teaching); environment: VMBENCH, VMB_SOURCE_DIR.
"""
import json
import os
import re
import shlex
import subprocess
import tempfile
import unittest

from vmbtest import SOURCE_DIR, VMBENCH, vmbench

PAGE = os.path.join(SOURCE_DIR, "docs", "teaching.md")
MARKED = re.compile(r"<!-- test: makes (?P<makes>[^>]*?) -->\n```sh\n(?P<body>.*?)```", re.S)
ANY_BLOCK = re.compile(r"```sh\n(?P<body>.*?)```", re.S)
SHOWN = re.compile(r"(?P<image>!?)\[[^\]]*\]\(\.\./results/reference/(?P<path>[^)\s]+\.png)\)")
HEADING = re.compile(r"^#{2,3} ", re.M)


def blocks(text):
    """[(section index, [commands], [files it makes])] in page order."""
    starts = [m.start() for m in HEADING.finditer(text)]
    out = []
    for m in MARKED.finditer(text):
        section = sum(1 for s in starts if s <= m.start())
        commands = [l.split(" #")[0].strip() for l in m.group("body").splitlines()]
        out.append((section, [c for c in commands if c], [f.strip() for f in m.group("makes").split(",")]))
    return out


def shown(text):
    """[(section index, path under results/reference, embedded as an image)]"""
    starts = [m.start() for m in HEADING.finditer(text)]
    return [(sum(1 for s in starts if s <= m.start()), m.group("path"), bool(m.group("image")))
            for m in SHOWN.finditer(text)]


ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def split_command(line):
    """(environment assignments, argv) of one command line."""
    words, env = shlex.split(line), {}
    while words and ENV_ASSIGNMENT.match(words[0]):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    return env, words


def runs_vmbench(body):
    return any(split_command(l)[1][:1] == ["vmbench"] for l in body.splitlines() if l.strip())


def run_in(directory, argv, env_extra):
    env = dict(os.environ)
    env.pop("VMBENCH_TEST_ALLOCATORS", None)
    env.update(env_extra)
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=directory, timeout=600)


def at_ci_scale(argv):
    """A `vmbench run` at ci scale, one repetition, quiet; other commands unchanged."""
    if len(argv) < 2 or argv[1] != "run":
        return argv
    out, skip = [], 0
    for i, a in enumerate(argv):
        if skip:
            skip -= 1
            continue
        if a in ("--scale", "--reps"):
            skip = 1
            continue
        out.append(a)
    return out + ["--scale", "ci", "--reps", "1", "--quiet"]


class TeachingPageRunsAsWritten(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(PAGE, encoding="utf-8") as f:
            cls.text = f.read()
        cls.blocks = blocks(cls.text)
        listing = json.loads(vmbench("list", "--format", "json").stdout)
        cls.cost_available = bool((listing.get("cost_pass") or {}).get("available"))

    def test_every_vmbench_command_block_is_marked(self):
        all_blocks = [m.group("body") for m in ANY_BLOCK.finditer(self.text) if runs_vmbench(m.group("body"))]
        self.assertGreaterEqual(len(all_blocks), 9)
        marked = [m.group("body") for m in MARKED.finditer(self.text)]
        self.assertTrue(marked)
        for body in all_blocks:
            self.assertIn(body, marked, f"a command block without '<!-- test: makes ... -->':\n{body}")

    def test_every_figure_shown_is_made_by_the_page_and_exists_in_the_repository(self):
        made_anywhere = {f for _, _, makes in self.blocks for f in makes}
        made_in = {}
        for section, _, makes in self.blocks:
            made_in.setdefault(section, set()).update(makes)
        figures = shown(self.text)
        self.assertGreaterEqual(len(figures), 8)
        for section, path, image in figures:
            self.assertTrue(os.path.exists(os.path.join(SOURCE_DIR, "results", "reference", path)), path)
            self.assertIn(path, made_anywhere, f"{path} is shown but no command of the page makes it")
            if image and section in made_in:
                self.assertIn(path, made_in[section], f"{path} is embedded beside commands that do not make it")

    def test_every_block_runs_at_ci_scale_and_makes_its_files(self):
        with tempfile.TemporaryDirectory() as scratch:
            for _, commands, makes in self.blocks:
                skipped = []
                for line in commands:
                    env, words = split_command(line)
                    self.assertEqual(words[0], "vmbench", line)
                    argv = at_ci_scale([VMBENCH] + words[1:])
                    if "--cost" in argv and not self.cost_available:
                        skipped.append(argv[argv.index("--out") + 1])  # no valgrind here: the cost pass is refused
                        continue
                    with self.subTest(command=line):
                        p = run_in(scratch, argv, env)
                        self.assertEqual(p.returncode, 0, f"{line}\n{p.stdout[-1500:]}\n{p.stderr[-1500:]}")
                for f in makes:
                    if f not in skipped:
                        self.assertTrue(os.path.exists(os.path.join(scratch, f)), f"{f} was not made by {commands}")


if __name__ == "__main__":
    unittest.main()
