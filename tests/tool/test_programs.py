"""End-to-end tests of real programs, run by ctest (test vmbench_test_programs): your own allocator by
path (-a NAME=PATH), any program measured (run --program), allocation traces recorded (record) and
replayed (-w replay).

Known answers only: which allocator a cell proved, exit statuses, the one line of every refusal,
allocation counts and checksums. Environment: VMBENCH, VMB_SCHEMA, VMB_SOURCE_DIR, VMB_PYTHON.
"""
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import tempfile
import unittest

from vmbtest import PYTHON, QUICK, VMBENCH, Scratch, load_results, one_line, sanitized_build, stderr_lines
from vmbtest import vmbench as run

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
MIMALLOC = "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"
LIBZ = "/usr/lib/x86_64-linux-gnu/libz.so.1"


def needs(*paths):
    missing = [p for p in paths if not os.path.exists(p)]
    return unittest.skipIf(missing, f"not installed here: {', '.join(missing)}")


class OwnAllocatorByPath(Scratch):
    """-a NAME=PATH: any preloadable malloc replacement, proven like the built-in ones."""

    def setUp(self):
        super().setUp()
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime")

    @needs(JEMALLOC)
    def test_builtin_and_own_library_are_both_measured_with_their_proofs(self):
        p = run("run", *QUICK, "-w", "churn", "-a", f"jemalloc,mine={JEMALLOC}", "-q", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = self.load()
        proofs = {g["allocator"]: g["proof"] for g in doc["groups"]}
        self.assertEqual(set(proofs), {"jemalloc", "mine"})
        self.assertIn("mallctl version", proofs["jemalloc"])
        self.assertIn(f"mine: malloc in {JEMALLOC}", proofs["mine"])
        self.assertIn("(jemalloc 5.", proofs["mine"])  # its version, from the library's own mallctl
        # the same work on both: one checksum
        self.assertEqual(len({g["checksum"] for g in doc["groups"]}), 1)

    def skipped_line(self, spec):
        """Runs malloc beside a bad NAME=PATH: the bad one is skipped in one line, malloc still runs."""
        p = run("run", *QUICK, "-w", "churn", "-a", f"malloc,{spec}", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [l for l in stderr_lines(p.stderr) if "skipping" in l]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertEqual([g["allocator"] for g in self.load()["groups"]], ["malloc"])
        self.assertIn("skipped_allocators", self.load()["plan"])
        return lines[0]

    def test_a_missing_file_is_skipped(self):
        line = self.skipped_line("gone=/nonexistent/libgone.so")
        self.assertEqual(line, "vmbench: skipping allocator gone: /nonexistent/libgone.so: No such file or directory")

    def test_a_text_file_is_skipped(self):
        text = os.path.join(self.dir.name, "notes.so")
        with open(text, "w") as f:
            f.write("not a library\n")
        line = self.skipped_line(f"notes={text}")
        self.assertEqual(line, f"vmbench: skipping allocator notes: {text}: not a shared object (no ELF header)")

    @needs(LIBZ)
    def test_a_library_without_malloc_is_skipped(self):
        line = self.skipped_line(f"zlib={LIBZ}")
        self.assertTrue(line.startswith(f"vmbench: skipping allocator zlib: {LIBZ}: does not define malloc"), line)
        self.assertTrue(line.endswith("not a malloc replacement"), line)

    def test_nothing_left_to_run_is_refused(self):
        p = run("run", *QUICK, "-w", "churn", "-a", "gone=/nonexistent/libgone.so", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no allocator left to run: gone: /nonexistent/libgone.so", one_line(self, p))
        self.assertFalse(os.path.exists(self.out))

    def test_a_builtin_name_cannot_be_taken(self):
        p = run("run", *QUICK, "-a", f"arena={LIBZ}", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("'arena' is a built-in allocator's name", one_line(self, p))

    @needs(JEMALLOC, MIMALLOC)
    def test_one_library_given_twice_runs_once_and_two_under_one_name_are_refused(self):
        p = run("run", *QUICK, "-w", "tree", "-a", f"mine={JEMALLOC},mine={JEMALLOC}", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"vmbench: note: allocator mine={JEMALLOC} given twice: run once", p.stderr)
        self.assertEqual([g["allocator"] for g in self.load()["groups"]], ["mine"])
        p = run("run", *QUICK, "-w", "tree", "-a", f"mine={JEMALLOC},mine={MIMALLOC}", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(one_line(self, p), "vmbench: allocator mine is given twice, with two different libraries")

    @needs(MIMALLOC)
    def test_the_dynamic_loader_finds_builtin_libraries_on_ld_library_path(self):
        lib_dir = os.path.join(self.dir.name, "lib")
        os.mkdir(lib_dir)
        shutil.copy(MIMALLOC, lib_dir)
        p = run("list", env_extra={"LD_LIBRARY_PATH": lib_dir})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"LD_PRELOAD={lib_dir}/libmimalloc.so.2 (found by the dynamic loader)", p.stdout)
        # and a run proves it is that copy that answers malloc
        p = run("run", *QUICK, "-w", "tree", "-a", "mimalloc", "-q", "--out", self.out,
                env_extra={"LD_LIBRARY_PATH": lib_dir})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("mimalloc", self.load()["groups"][0]["proof"])


SCRIPT = "x = [str(i) for i in range(100000)]; print(len(x))"


class AnyProgramMeasured(unittest.TestCase):
    """vmbench run --program -- CMD ARGS: the command under glibc and a preloaded allocator."""

    @classmethod
    def setUpClass(cls):
        if sanitized_build() or not os.path.exists(JEMALLOC):
            raise unittest.SkipTest("needs jemalloc and a build without sanitizers")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "results.json")
        cls.proc = run("run", "--program", "-a", "malloc,jemalloc", "--reps", "2", "-q", "--out", cls.path,
                       "--", PYTHON, "-c", SCRIPT)
        assert cls.proc.returncode == 0, cls.proc.stderr
        cls.doc = load_results(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_cell_succeeds_with_its_proof(self):
        self.assertEqual(len(self.doc["cells"]), 4)  # 2 allocators x 2 repetitions
        for c in self.doc["cells"]:
            self.assertEqual(c["status"], "ok", c.get("error"))
            self.assertEqual(c["workload"], "program")
        proofs = {g["allocator"]: g["proof"] for g in self.doc["groups"]}
        self.assertIn("glibc", proofs["malloc"])
        self.assertIn("jemalloc", proofs["jemalloc"])

    def test_the_command_is_recorded(self):
        for g in self.doc["groups"]:
            self.assertEqual(g["workload_params"], {"command": f"{PYTHON} -c '{SCRIPT}'"})

    def test_figures_per_allocator(self):
        for g in self.doc["groups"]:
            f = g["figures"]
            for name in ("wall_s", "cpu_user_s", "peak_rss_bytes", "minor_faults"):
                self.assertEqual(f[name]["n"], 2, (g["key"], name))
            self.assertGreater(f["peak_rss_bytes"]["median"], 1 << 20)

    def test_the_same_output_gives_the_same_checksum(self):
        self.assertEqual(len({g["checksum"] for g in self.doc["groups"]}), 1)
        self.assertEqual(self.doc["cells"][0]["figures"]["program"]["stdout_bytes"], len("100000\n"))

    def test_the_table_shows_no_operation_rate_for_a_program(self):
        self.assertIn("program  (command=", self.proc.stdout)
        lines = self.proc.stdout.splitlines()
        header = next(l for l in lines if "Mops/s" in l)
        row = next(l for l in lines if l.strip().startswith("jemalloc"))
        # Columns are right-aligned under their header; which come before Mops/s depends on the run
        # (the modelled time with --cost, the time in faults when the kernel's costs were measured).
        end = header.index("Mops/s") + len("Mops/s")
        self.assertEqual(row[:end].split()[-1], "-", header + "\n" + row)  # a program's operations are not counted


class ProgramRefusalsAndFailures(Scratch):
    def test_a_command_that_does_not_exist_is_refused_in_one_line(self):
        p = run("run", "--program", "--out", self.out, "--", "no-such-command-here")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(one_line(self, p), "vmbench: command not found: no-such-command-here")
        self.assertFalse(os.path.exists(self.out))

    def test_a_program_that_exits_non_zero_is_a_failed_cell_with_its_status(self):
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--out", self.out, "--",
                "/bin/sh", "-c", "echo broken >&2; exit 3")
        self.assertEqual(p.returncode, 1)
        cell = self.load()["cells"][0]
        self.assertEqual(cell["status"], "failed")
        self.assertEqual(cell["error"], "the program exited with status 3: broken")

    def test_a_program_killed_by_a_signal_says_which(self):
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--out", self.out, "--",
                "/bin/sh", "-c", "kill -SEGV $$")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.load()["cells"][0]["error"], "the program was killed by signal 11 (SIGSEGV)")

    def test_an_allocator_that_cannot_run_a_program_is_refused(self):
        p = run("run", "--program", "-a", "arena", "--out", self.out, "--", "/bin/true")
        self.assertEqual(p.returncode, 2)
        self.assertIn("allocator arena cannot run a program", one_line(self, p))

    def test_a_program_output_folder_that_does_not_exist_is_refused(self):
        p = run("run", "--program", "--program-output", "/nonexistent/out", "--out", self.out, "--", "/bin/true")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(one_line(self, p), "vmbench: --program-output /nonexistent/out: not a folder vmbench can write in")

    def test_a_command_without_program_is_refused(self):
        p = run("run", "--out", self.out, "--", "/bin/true")
        self.assertEqual(p.returncode, 2)
        self.assertIn("to measure a program: vmbench run --program -- CMD ARGS", one_line(self, p))

    def test_the_program_output_stays_apart_from_vmbench_output(self):
        keep = os.path.join(self.dir.name, "out")
        os.mkdir(keep)
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "-f", "json", "--out", self.out,
                "--program-output", keep, "--", "/bin/sh", "-c", "printf 'MARK%s\\n' ER-OUT; printf 'MARK%s\\n' ER-ERR >&2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("MARKER", p.stdout + p.stderr)
        with open(os.path.join(keep, "malloc-rep0.stdout")) as f:
            self.assertEqual(f.read(), "MARKER-OUT\n")
        with open(os.path.join(keep, "malloc-rep0.stderr")) as f:
            self.assertEqual(f.read(), "MARKER-ERR\n")

    def test_syscalls_of_a_program_are_counted(self):
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime")
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "--syscalls", "-q", "--out", self.out, "--",
                PYTHON, "-c", SCRIPT)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = self.load()["cells"][0]["figures"]["syscalls"]
        self.assertIsNotNone(s)
        self.assertGreater(s["commits"], 0)

    def test_syscalls_follow_the_processes_and_threads_a_program_starts(self):
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime")
        script = ("import os, threading\n"
                  "t = threading.Thread(target=lambda: [str(i) for i in range(10000)]); t.start(); t.join()\n"
                  "pid = os.fork()\n"
                  "if pid == 0:\n"
                  "    x = [str(i) * 100 for i in range(10000)]; os._exit(0)\n"
                  "os.waitpid(pid, 0)\n"
                  "os.system('true')\n")
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "--syscalls", "-q", "--out", self.out, "--",
                PYTHON, "-c", script)
        self.assertEqual(p.returncode, 0, p.stderr)
        f = self.load()["cells"][0]["figures"]
        self.assertIsNotNone(f["syscalls"], f["unavailable"])
        self.assertGreater(f["syscalls"]["commits"], 0)
        self.assertEqual(f["program"]["processes_probed"], 2)  # python and sh: a fork is no new image


def run_bytes(*args):
    """vmbench with arguments that may hold bytes that are not UTF-8: its output as bytes."""
    env = dict(os.environ)
    env.pop("VMBENCH_TEST_ALLOCATORS", None)
    return subprocess.run([VMBENCH, *args], capture_output=True, env=env, timeout=300)


class HostileInputToProgramsAndTraces(Scratch):
    """Issue 16's checks reach what programs and traces added: record writes only a regular file, a
    program gets --clean-env and the timeout as given, may take an empty argument, and a command that
    is not UTF-8 reaches every format; a path a cell would receive in its JSON spec must be UTF-8."""

    def test_record_writes_nothing_but_a_regular_file(self):
        victim, link, fifo = (os.path.join(self.dir.name, n) for n in ("victim", "link", "fifo"))
        with open(victim, "w") as f:
            f.write("victim")
        os.symlink(victim, link)
        os.mkfifo(fifo)
        cases = [(link, "a symbolic link"), (fifo, "a FIFO")]
        null = os.path.join(self.dir.name, "null")  # a copy of /dev/null: the system's own is shared
        try:
            os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            cases.append((null, "a character device"))
        except PermissionError:
            pass  # not root: the device case needs mknod
        for out, needle in cases:
            with self.subTest(out=out):
                p = run("record", "-o", out, "--", "/bin/true")
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(needle, one_line(self, p))
        with open(victim) as f:
            self.assertEqual(f.read(), "victim")
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        if os.path.exists(null):
            self.assertTrue(stat.S_ISCHR(os.lstat(null).st_mode))

    def test_clean_env_keeps_the_allocators_variables_from_a_program(self):
        keep = os.path.join(self.dir.name, "out")
        os.mkdir(keep)
        env = {"MALLOC_ARENA_MAX": "2", "MIMALLOC_VERBOSE": "0", "VMB_NOT_AN_ALLOCATORS": "kept"}
        script = 'echo "${MALLOC_ARENA_MAX-unset} ${MIMALLOC_VERBOSE-unset} ${VMB_NOT_AN_ALLOCATORS-unset}"'
        for clean, said in (([], "2 0 kept\n"), (["--clean-env"], "unset unset kept\n")):
            with self.subTest(clean=clean):
                p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--out", self.out, "--program-output",
                        keep, *clean, "--", "/bin/sh", "-c", script, env_extra=env)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(os.path.join(keep, "malloc-rep0.stdout")) as f:
                    self.assertEqual(f.read(), said)
                self.assertEqual(self.load()["context"]["allocator_environment"],
                                 {"MALLOC_ARENA_MAX": "2", "MIMALLOC_VERBOSE": "0"})

    def test_a_program_past_its_timeout_is_told_with_the_timeout_as_given(self):
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--timeout", "0.5", "--out", self.out, "--",
                "/bin/sleep", "30")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(self.load()["cells"][0]["error"], "timed out after 0.5 s")

    def test_a_program_may_take_an_empty_argument(self):
        p = run("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--out", self.out, "--",
                "/bin/sh", "-c", 'test "$#" = 1 && test -z "$1"', "sh", "")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.load()["cells"][0]["status"], "ok")

    def test_a_command_that_is_not_utf8_reaches_every_format(self):
        for fmt in ("table", "json", "csv", "markdown", "gbench", "custom-smaller", "custom-bigger", "bmf"):
            with self.subTest(format=fmt):
                p = run_bytes("run", "--program", "-a", "malloc", "--reps", "1", "-q", "--format", fmt,
                              "--out", self.out, "--", b"/bin/echo", b"\xff")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertNotIn(b"terminate called", p.stderr)
                if fmt not in ("table", "csv", "markdown"):
                    json.loads(p.stdout.decode("utf-8"))
        self.assertEqual(self.load()["groups"][0]["workload_params"]["command"], "/bin/echo '\ufffd'")

    def test_a_path_a_cell_receives_must_be_utf8(self):
        trace = os.path.join(self.dir.name, os.fsdecode(b"\xff.trace"))
        p = run_bytes("run", "-w", "replay", "-p", "trace=" + trace, "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertIn(b"the path is not UTF-8", p.stderr)
        p = run_bytes("run", *QUICK, "-w", "tree", "-a", "mine=" + os.path.join(self.dir.name, os.fsdecode(b"\xfe.so")),
                      "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, b"vmbench: --allocator mine=...: the library's path is not UTF-8; rename it\n")
        self.assertFalse(os.path.exists(self.out))


# --- The trace format, read independently of vmbench (docs/trace-format.md) -------------------------

OPS = ("malloc", "free", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign")
FILE_HEADER = struct.Struct("<8sII")
CHUNK_HEADER = struct.Struct("<IB3xQII")
CHUNK_MAGIC = 0x43424D56


def fnv1a32(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def varint(buf, at):
    value, shift = 0, 0
    while True:
        b = buf[at]
        at += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, at


def decode_events(payload):
    """The events of one chunk: (op name, null result, size) per call."""
    at, events = 0, []
    while at < len(payload):
        first = payload[at]
        at += 1
        op = OPS[first & 0x0F]
        if first & 0x80:
            _, at = varint(payload, at)  # thread index
        size = 0
        if op == "free":
            _, at = varint(payload, at)
        else:
            size, at = varint(payload, at)
            if op == "realloc":
                _, at = varint(payload, at)
            if op in ("posix_memalign", "aligned_alloc", "memalign"):
                at += 1
            if not first & 0x40:
                _, at = varint(payload, at)
        events.append((op, bool(first & 0x40), size))
    return events


def read_trace(path):
    """{"header": {key: value}, "streams": {id: {"pid", "events": [...], "end": (count, reason) or None}}}"""
    with open(path, "rb") as f:
        data = f.read()
    magic, version, text_bytes = FILE_HEADER.unpack_from(data, 0)
    assert magic == b"VMBTRACE" and version == 1, (magic, version)
    text = data[FILE_HEADER.size:FILE_HEADER.size + text_bytes].decode()
    unescape = lambda v: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)  # noqa: E731
    header = {k: unescape(v) for k, v in (line.split("=", 1) for line in text.splitlines())}
    at, streams = FILE_HEADER.size + text_bytes, {}
    while at < len(data):
        magic, kind, stream, size, checksum = CHUNK_HEADER.unpack_from(data, at)
        payload = data[at + CHUNK_HEADER.size:at + CHUNK_HEADER.size + size]
        assert magic == CHUNK_MAGIC and fnv1a32(payload) == checksum, at
        if kind == 1:
            pid, ppid, _, _ = struct.unpack_from("<IIII", payload)
            streams[stream] = {"pid": pid, "ppid": ppid, "events": [], "end": None}
        elif kind == 2:
            streams[stream]["events"] += decode_events(payload)
        else:
            streams[stream]["end"] = struct.unpack_from("<QI", payload)
        at += CHUNK_HEADER.size + size
    return {"header": header, "streams": streams}


def write_trace(path, events):
    """A one-stream trace by hand: events are (op, size, ptr, old_ptr[, thread]) with op a name from OPS."""
    def put_varint(v):
        out = bytearray()
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
        return out

    def zigzag(v):
        return (v << 1) ^ (v >> 63) if v >= 0 else ((-v) << 1) - 1

    payload, previous, thread = bytearray(), 0, None
    for i, (op, size, ptr, old, *on) in enumerate(events):
        now = on[0] if on else 0
        payload.append(OPS.index(op) | (0x80 if now != thread else 0))
        if now != thread:
            payload += put_varint(now)
            thread = now
        pointers = [ptr] if op == "free" else ([old, ptr] if op == "realloc" else [ptr])
        if op != "free":
            payload += put_varint(size)
        for p in pointers:
            payload += put_varint(zigzag(p - previous))
            previous = p
    text = b"program=hand-made\ncommand=none\n"
    chunks = bytearray(FILE_HEADER.pack(b"VMBTRACE", 1, len(text)) + text)
    stream = (4242 << 32) | 1
    begin = struct.pack("<IIII", 4242, 1, 0, 0)
    end = struct.pack("<QII", len(events), 0, 0)
    for kind, body in ((1, begin), (2, bytes(payload)), (3, end)):
        chunks += CHUNK_HEADER.pack(CHUNK_MAGIC, kind, stream, len(body), fnv1a32(body)) + body
    with open(path, "wb") as f:
        f.write(chunks)


RECORDED_SCRIPT = "x = [str(i) * 3 for i in range(20000)]; d = {i: str(i) for i in range(5000)}; del x"
PYTHON_ON_MALLOC = {"PYTHONMALLOC": "malloc"}  # every Python object through malloc, not pymalloc's arenas


class ThreadedReplay(unittest.TestCase):
    """The committed trace of five threads (workloads/traces/threads-input.cpp, half of its objects freed
    by another thread): replayed on five threads, one per recorded thread, against heaps that take a free
    from any thread. Its allocations equal the recorded count, and its checksum, folded from the stamps
    each free reads back, is the same under every heap and interleaving: a free that ran before its
    allocation would read another stamp (or crash)."""

    def test_counts_and_checksum_match_the_recording(self):
        trace = os.path.join(os.environ["VMB_SOURCE_DIR"], "workloads", "traces", "threads.trace")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            # jemalloc is preloaded: not in a sanitizer build (ThreadSanitizer runs this test in CI)
            heaps = "malloc,arena,pool-remote" + ("" if sanitized_build() else ",jemalloc")
            p = run("run", "-w", "replay", "-p", f"trace={trace}", "-a", heaps,
                    "--reps", "3", "--warmup", "1", "-q", "--out", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out) as f:
                doc = json.load(f)
        (stream,) = read_trace(trace)["streams"].values()  # decoded here, apart from the tool's reader
        allocating = sum(1 for op, null, _ in stream["events"] if op != "free" and not null)
        for c in doc["cells"]:
            f = c["figures"]
            self.assertEqual(c["status"], "ok", c.get("error"))
            counts = f["workload_counts"]
            self.assertEqual(counts["recorded_threads"], 5, c["key"])
            self.assertGreater(counts["cross_thread_frees"], 0)
            self.assertEqual(counts["recorded_allocations"], allocating)
            self.assertEqual(f["allocations"], allocating, c["key"])
        self.assertEqual(len({c["figures"]["checksum"] for c in doc["cells"]}), 1)
        self.assertEqual(len({c["figures"]["allocations"] for c in doc["cells"]}), 1)

    def test_deep_passes_are_unavailable_with_the_reason_not_a_failed_cell(self):
        # The probes and the tracer are made for one thread: each pass says why it did not run.
        trace = os.path.join(os.environ["VMB_SOURCE_DIR"], "workloads", "traces", "threads.trace")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            p = run("run", "-w", "replay", "-p", f"trace={trace}", "-a", "malloc", "--reps", "1",
                    "--latency", "--timeline", "-q", "--out", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out) as f:
                (cell,) = json.load(f)["cells"]
        self.assertEqual(cell["status"], "ok", cell.get("error"))
        for key in ("latency", "timeline"):
            self.assertEqual(cell["figures"]["unavailable"][key], "the deep passes run on one thread, not 5")


class RecordAndReplay(unittest.TestCase):
    """vmbench record, then -w replay of that trace against every kind of heap."""

    @classmethod
    def setUpClass(cls):
        if sanitized_build():
            raise unittest.SkipTest("a sanitizer build: nothing can be preloaded before its runtime")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.trace = os.path.join(cls.tmp.name, "py.trace")
        cls.record = run("record", "-o", cls.trace, "--", PYTHON, "-c", RECORDED_SCRIPT, env_extra=PYTHON_ON_MALLOC)
        assert cls.record.returncode == 0, cls.record.stderr
        cls.parsed = read_trace(cls.trace)
        cls.results = os.path.join(cls.tmp.name, "replay.json")
        cls.replay = run("run", "-w", "replay", "-p", f"trace={cls.trace}", "--reps", "1", "-q",
                         "-a", "arena,pool,malloc,bump,pmr-pool", "--out", cls.results)
        assert cls.replay.returncode == 0, cls.replay.stderr
        cls.doc = load_results(cls.results)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def main_stream(self):
        return max(self.parsed["streams"].values(), key=lambda s: len(s["events"]))

    def test_the_header_names_the_program_the_date_and_the_machine(self):
        h = self.parsed["header"]
        self.assertEqual(h["program"], PYTHON)
        self.assertTrue(h["command"].startswith(f"{PYTHON} -c "), h["command"])
        for key in ("date_utc", "machine", "kernel", "vmbench_version"):
            self.assertIn(key, h)

    def test_one_process_one_complete_stream(self):
        self.assertEqual(len(self.parsed["streams"]), 1)
        s = self.main_stream()
        self.assertEqual(s["end"], (len(s["events"]), 0))  # ended by exit, counting every event
        kinds = {op for op, _, _ in s["events"]}
        self.assertTrue({"malloc", "free", "realloc"} <= kinds, kinds)
        self.assertGreater(len(s["events"]), 20000)  # at least one string per list element

    def test_the_summary_line_counts_what_the_file_holds(self):
        s = self.main_stream()
        line = one_line(self, self.record)
        self.assertIn(f"recorded {len(s['events'])} calls", line)
        self.assertIn(f"{os.path.getsize(self.trace)} bytes", line)

    def test_every_allocator_replays_the_recorded_allocations(self):
        allocating = sum(1 for op, null, _ in self.main_stream()["events"] if op != "free" and not null)
        for c in self.doc["cells"]:
            self.assertEqual(c["status"], "ok", c.get("error"))
            f = c["figures"]
            self.assertEqual(f["allocations"], allocating, c["key"])
            self.assertEqual(f["workload_counts"]["recorded_allocations"], allocating)
            self.assertEqual(f["workload_counts"]["unknown_frees"], 0)

    def test_the_same_checksum_on_every_allocator(self):
        self.assertEqual(len({c["figures"]["checksum"] for c in self.doc["cells"]}), 1)

    def test_the_arena_skips_the_frees_the_others_make(self):
        figures = {c["allocator"]: c["figures"] for c in self.doc["cells"]}
        self.assertEqual(figures["arena"]["frees"], 0)
        self.assertEqual(figures["arena"]["frees_skipped"], figures["malloc"]["frees"])
        self.assertEqual(figures["pool"]["frees"], figures["malloc"]["frees"])

    def test_the_ideal_rss_is_the_same_for_every_allocator(self):
        self.assertEqual(len({c["figures"]["peak_live_bytes"] for c in self.doc["cells"]}), 1)
        self.assertGreater(self.doc["cells"][0]["figures"]["peak_live_bytes"], 20000 * 16)


class RecordAcrossForkAndExec(Scratch):
    SCRIPT = ("import os, sys\n"
              "x = [str(i) * 10 for i in range(2000)]\n"
              "pid = os.fork()\n"
              "if pid == 0:\n"
              "    y = [str(i) * 10 for i in range(500)]\n"
              "    os._exit(0)\n"
              "os.waitpid(pid, 0)\n"
              "os.execv(sys.executable, [sys.executable, '-c', 'z = [str(i) * 10 for i in range(300)]'])\n")

    def test_each_process_image_writes_its_own_complete_stream(self):
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime")
        trace = os.path.join(self.dir.name, "fe.trace")
        p = run("record", "-o", trace, "--", PYTHON, "-c", self.SCRIPT, env_extra=PYTHON_ON_MALLOC)
        self.assertEqual(p.returncode, 0, p.stderr)
        streams = list(read_trace(trace)["streams"].values())
        self.assertEqual(len(streams), 3)  # the parent before its exec, the forked child, the exec'd image
        ends = sorted(s["end"][1] for s in streams)
        self.assertEqual(ends, [0, 0, 1])  # an exit, an _exit (destructors skipped), an exec
        for s in streams:
            self.assertEqual(s["end"][0], len(s["events"]))
        pids = [s["pid"] for s in streams]
        self.assertEqual(len(set(pids)), 2)  # the exec'd image keeps its process id


class TraceRefusalsAndUnknownFrees(Scratch):
    def hand_made(self, events):
        path = os.path.join(self.dir.name, "hand.trace")
        write_trace(path, events)
        return path

    def test_a_free_of_an_unknown_pointer_is_counted_not_replayed(self):
        path = self.hand_made([("malloc", 100, 0x1000, 0), ("free", 0, 0x9999, 0), ("free", 0, 0x1000, 0),
                               ("realloc", 64, 0x2000, 0), ("free", 0, 0x2000, 0)])
        p = run("run", "-w", "replay", "-p", f"trace={path}", "-a", "malloc,arena", "--reps", "1", "-q",
                "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        for c in self.load()["cells"]:
            f = c["figures"]
            self.assertEqual(f["workload_counts"]["unknown_frees"], 1, c["key"])
            self.assertEqual(f["allocations"], 2)
            self.assertEqual(f["frees"] + f["frees_skipped"], 2)
            self.assertEqual(f["peak_live_bytes"], 100)

    def test_a_trace_of_two_threads_is_replayed_on_two(self):
        """Thread 1 frees thread 0's object A and an address nobody allocated; thread 0 reallocs thread 1's B into C,
        which thread 1 frees: each waits for the allocation; the unknown free is counted, not a crash."""
        path = self.hand_made([("malloc", 100, 0x1000, 0, 0), ("malloc", 40, 0x3000, 0, 1), ("free", 0, 0x1000, 0, 1),
                               ("free", 0, 0x7777, 0, 1), ("realloc", 64, 0x2000, 0x3000, 0),
                               ("malloc", 24, 0x4000, 0, 1), ("free", 0, 0x2000, 0, 1)])
        p = run("run", "-w", "replay", "-p", f"trace={path}", "-a", "malloc,arena,pool-remote,pool,oracle",
                "--reps", "2", "-q", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = self.load()
        refused = [w for w in doc["warnings"] if "not run" in w]
        self.assertEqual(len(refused), 2, refused)  # pool's free lists are one thread's; the oracle is one pool
        self.assertIn("recorded on 2 threads", refused[0])
        self.assertEqual(sorted({c["allocator"] for c in doc["cells"]}), ["arena", "malloc", "pool-remote"])
        for c in doc["cells"]:
            f = c["figures"]
            counts = f["workload_counts"]
            self.assertEqual((counts["recorded_threads"], counts["cross_thread_frees"], counts["unknown_frees"]),
                             (2, 3, 1), c["key"])  # A by 1, B by 0 (realloc), C by 1
            self.assertEqual(f["allocations"], counts["recorded_allocations"])
            self.assertEqual(f["allocations"], 4)  # the two mallocs, the realloc's new object, the last malloc
            self.assertEqual(f["frees"] + f["frees_skipped"], 3)  # two frees, the realloc's old object
        self.assertEqual(len({c["figures"]["checksum"] for c in doc["cells"]}), 1)

    def refused(self, path):
        p = run("run", "-w", "replay", "-p", f"trace={path}", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertFalse(os.path.exists(self.out))
        return one_line(self, p)

    def test_a_truncated_trace_is_refused_naming_the_offset(self):
        path = self.hand_made([("malloc", 100, 0x1000, 0), ("free", 0, 0x1000, 0)])
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(size - 45)  # into the events chunk: the end chunk is 40 bytes
        self.assertRegex(self.refused(path), r"hand\.trace: truncated at byte \d+: a chunk of \d+ bytes cut short$")

    def test_a_corrupted_trace_is_refused_naming_the_offset(self):
        path = self.hand_made([("malloc", 100, 0x1000, 0), ("free", 0, 0x1000, 0)])
        with open(path, "r+b") as f:
            data = bytearray(f.read())
            data[-45] ^= 0xFF  # a byte of the events chunk's payload
            f.seek(0)
            f.write(data)
        line = self.refused(path)
        self.assertRegex(line, r"corrupted at byte \d+: a chunk's checksum does not match$")

    def test_a_file_that_is_not_a_trace_is_refused(self):
        path = os.path.join(self.dir.name, "text.trace")
        with open(path, "w") as f:
            f.write("hello\n")
        self.assertEqual(self.refused(path), f"vmbench: {path}: not a vmbench allocation trace (no VMBTRACE at its start)")

    def test_replay_without_a_trace_is_refused(self):
        p = run("run", "-w", "replay", "--out", self.out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("workload replay needs --param trace=", one_line(self, p))

    def test_record_of_a_command_that_does_not_exist_is_refused(self):
        p = run("record", "-o", os.path.join(self.dir.name, "t"), "--", "no-such-command-here")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(one_line(self, p), "vmbench: command not found: no-such-command-here")

    def test_record_of_a_failing_program_keeps_the_trace_and_exits_1(self):
        if sanitized_build():
            self.skipTest("a sanitizer build: nothing can be preloaded before its runtime")
        trace = os.path.join(self.dir.name, "t")
        p = run("record", "-o", trace, "--", PYTHON, "-c", "import sys; x = [str(i) for i in range(99)]; sys.exit(3)")
        self.assertEqual(p.returncode, 1)
        self.assertIn("the program exited with status 3", stderr_lines(p.stderr)[-1])
        self.assertEqual(len(read_trace(trace)["streams"]), 1)


class CommittedTraces(Scratch):
    """The traces in workloads/traces/ replay on every allocator available here with their recorded counts."""

    def test_each_committed_trace_replays_on_every_allocator(self):
        from vmbtest import SOURCE_DIR
        for name in ("python", "sqlite", "gcc"):
            path = os.path.join(SOURCE_DIR, "workloads", "traces", f"{name}.trace")
            with self.subTest(trace=name):
                stream = max(read_trace(path)["streams"].values(), key=lambda s: len(s["events"]))
                allocating = sum(1 for op, null, _ in stream["events"] if op != "free" and not null)
                # every allocator available here; a sanitizer build cannot preload any
                builtin = () if not sanitized_build() else ("-a", "arena,pool,malloc,pmr-monotonic,pmr-pool,bump")
                p = run("run", "-w", "replay", "-p", f"trace={path}", "--reps", "1", "-q", *builtin, "--out", self.out)
                self.assertEqual(p.returncode, 0, p.stderr)
                cells = self.load()["cells"]
                self.assertGreaterEqual(len(cells), 6)  # arena, pool, malloc, the pmr heaps, bump at least
                for c in cells:
                    self.assertEqual(c["status"], "ok", c.get("error"))
                    self.assertEqual(c["figures"]["allocations"], allocating, c["key"])
                    self.assertEqual(c["figures"]["workload_counts"]["unknown_frees"], 0, c["key"])
                self.assertEqual(len({c["figures"]["checksum"] for c in cells}), 1)


if __name__ == "__main__":
    unittest.main()
