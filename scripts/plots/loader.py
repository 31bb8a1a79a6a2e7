"""Reads a vmbench results file (schema `vmbench-results`, version 1) and checks what the figures need;
reads the tool's own description (`vmbench list --format json`: workload and allocator order, colours,
the figure registry's labels and units), of which the plots keep no copy.

Every problem is reported as one line (UnusableFile); the figure modules never see a half-valid file.
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

SCHEMA_NAME = "vmbench-results"
SCHEMA_VERSION = 1
EXIT_UNUSABLE = 2  # the file cannot be used: nothing was drawn


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one line (argparse prints the whole usage first), exit code 2."""

    def error(self, message):
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)


class UnusableFile(Exception):
    """A results file that cannot be drawn from; str() is the one-line reason."""


class UnusableOutput(Exception):
    """An output path that must not be written (a device, a FIFO, a link...); str() is the one-line reason."""


STANDARD_OUTPUT = "-"  # the output path that means standard output


def _kind(mode):
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def _regular_or_absent(path):
    """The lstat of PATH when it is a regular file, None when nothing is there; UnusableOutput otherwise."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        raise UnusableOutput(f"cannot write {path}: it exists and is {_kind(st.st_mode)}, not a regular file "
                             "(only regular files are replaced)")
    return st


def write_text_atomically(text, path):
    """Writes TEXT to PATH the way vmbench writes its results (tool/results/atomic_file.cpp): a temporary
    created exclusively under a random name beside PATH (never a planted file or link), flushed, then
    renamed over PATH, which must be absent or a regular file. PATH "-" is standard output."""
    if path == STANDARD_OUTPUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    st = _regular_or_absent(path)
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    else:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=os.path.basename(path) + ".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        _regular_or_absent(path)  # something may have been put there meanwhile
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class NoDescription(UnusableFile):
    """The vmbench binary could not be found or did not describe itself; str() says why."""


_description = None
DESCRIPTION_SCHEMA = "vmbench-list"


def vmbench_binary():
    """$VMBENCH (`vmbench plot` and `report` set it to themselves), else the release build of the source
    tree these scripts are in, else vmbench on PATH; None when there is none."""
    if os.environ.get("VMBENCH"):
        return os.environ["VMBENCH"]
    source = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    built = os.path.join(source, "build", "release", "tool", "vmbench")
    return built if os.access(built, os.X_OK) else shutil.which("vmbench")


def describe():
    """The tool's description, read once: {workloads, allocators, figures, sections, ...}."""
    global _description
    if _description is not None:
        return _description
    exe = vmbench_binary()
    if not exe:
        raise NoDescription("cannot find the vmbench binary, which describes the figures "
                            "(set VMBENCH=PATH/TO/vmbench)")
    try:
        out = subprocess.run([exe, "list", "--format", "json"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise NoDescription(f"{exe}: cannot run it ({e}); set VMBENCH=PATH/TO/vmbench") from None
    try:
        desc = json.loads(out.stdout) if out.returncode == 0 else None
    except json.JSONDecodeError:
        desc = None
    if not isinstance(desc, dict) or desc.get("schema") != DESCRIPTION_SCHEMA:
        last = (out.stderr.strip().splitlines() or ["no description"])[-1]
        raise NoDescription(f"{exe} list --format json: {last} (a vmbench older than these scripts?)")
    _description = desc
    return desc


def _require(cond, path, what):
    if not cond:
        raise UnusableFile(f"{path}: {what}")


class _RepeatedMember(ValueError):
    pass


def _object_without_repeats(pairs):
    """json's object_pairs_hook: a member named twice in one object is refused (json keeps the last, other
    readers the first), as by vmbench's loader (tool/results/results_loader.cpp)."""
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _RepeatedMember(key)
        obj[key] = value
    return obj


def _check_cells_match_groups(doc, path):
    """Each combination once, each repetition once, each group's counts those of its cells: the rules of
    vmbench's loader (check_cells_match_groups)."""
    counted, seen = {}, set()
    for i, c in enumerate(doc["cells"]):
        _require((c["key"], c.get("rep")) not in seen, path, f"cells[{i}]: repeats {c['key']} rep {c.get('rep')}: "
                 "each cell once")
        seen.add((c["key"], c.get("rep")))
        ok, failed = counted.get(c["key"], (0, 0))
        counted[c["key"]] = (ok + 1, failed) if c["status"] == "ok" else (ok, failed + 1)
    first = {}
    for i, g in enumerate(doc["groups"]):
        key = g.get("key")
        _require(key not in first, path, f"groups[{i}].key: {json.dumps(key)} repeats groups[{first.get(key)}]: "
                 "each combination once")
        first[key] = i
        ok, failed = counted.get(key, (0, 0))
        _require((g.get("reps_ok"), g.get("reps_failed")) == (ok, failed), path,
                 f"groups[{i}]: reps_ok and reps_failed disagree with the cells of {key} ({ok} ok, {failed} failed)")


MAX_RESULTS_FILE_BYTES = 256 << 20  # as vmbench's loader (kMaxResultsFileBytes, results_loader.hpp)


def _read_bounded(path):
    """The file's text. Only a regular file of at most MAX_RESULTS_FILE_BYTES is read, as by vmbench's
    loader: a device or a pipe has no size to check (/dev/zero never ends), and opening does not block
    (a FIFO with no writer would block the open itself)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnusableFile(f"{path}: no such file") from None
    except OSError as e:
        raise UnusableFile(f"{path}: cannot read ({e.strerror})") from None
    try:
        st = os.fstat(fd)
        _require(not stat.S_ISDIR(st.st_mode), path, "is a directory, not a results file")
        _require(stat.S_ISREG(st.st_mode), path, "not a regular file (a device, FIFO or socket): give a results file")
        _require(st.st_size <= MAX_RESULTS_FILE_BYTES, path, f"{st.st_size} bytes: larger than a results file can be "
                 f"({MAX_RESULTS_FILE_BYTES >> 20} MiB)")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(MAX_RESULTS_FILE_BYTES)
    except OSError as e:
        raise UnusableFile(f"{path}: cannot read ({e.strerror})") from None
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnusableFile(f"{path}: not a text file (expected vmbench's JSON results)") from None


MAX_NESTING_DEPTH = 64  # as vmbench's loader (kMaxNestingDepth)
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _text_rule_violation(text):
    """The rules of the text itself, the same as vmbench's loader (text_rule_violation in
    tool/results/results_loader.cpp), tested by both on one corpus (tests/fixtures/loader-rules/): no
    byte-order mark, no NUL byte, no nesting deeper than MAX_NESTING_DEPTH (json's recursive parser
    would raise RecursionError). None, or what is wrong."""
    if text.startswith("\ufeff"):
        return "starts with a byte-order mark (vmbench writes none): not a results file"
    nul = text.find("\0")
    if nul >= 0:
        return f"a NUL byte at offset {len(text[:nul].encode('utf-8'))}: not a text file"
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(text):  # strings are skipped whole: brackets in them do not count
        ch = token.group()
        if ch in "[{":
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                return f"nested more than {MAX_NESTING_DEPTH} levels deep: not a results file"
        elif ch in "]}":
            depth -= 1
    return None


def load(path):
    """The parsed document, or UnusableFile with one line saying why not."""
    text = _read_bounded(path)
    _require(text.strip(), path, "empty file, not a results document")
    broken = _text_rule_violation(text)
    _require(broken is None, path, broken)
    try:
        doc = json.loads(text, object_pairs_hook=_object_without_repeats)
    except _RepeatedMember as e:
        raise UnusableFile(f"{path}: the member {json.dumps(str(e))} appears twice in one object: "
                           "not a results file") from None
    except json.JSONDecodeError as e:
        raise UnusableFile(f"{path}: not JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    _require(isinstance(doc, dict), path, "not a vmbench results file (the top level is not an object)")
    _require(doc.get("schema") == SCHEMA_NAME, path,
             f"not a vmbench results file (schema is {doc.get('schema')!r}, expected {SCHEMA_NAME!r})")
    _require(doc.get("schema_version") == SCHEMA_VERSION, path,
             f"schema version {doc.get('schema_version')!r} is not supported (this script reads {SCHEMA_VERSION})")
    for key, kind in (("context", dict), ("plan", dict), ("cells", list), ("groups", list), ("warnings", list)):
        _require(isinstance(doc.get(key), kind), path, f"field '{key}' is missing or not a {kind.__name__}")
    for i, g in enumerate(doc["groups"]):
        _require(isinstance(g, dict) and isinstance(g.get("figures"), dict) and "workload" in g and "allocator" in g,
                 path, f"groups[{i}] lacks workload, allocator or figures")
    for i, c in enumerate(doc["cells"]):
        _require(isinstance(c, dict) and "key" in c and "status" in c, path, f"cells[{i}] lacks key or status")
        if c["status"] == "ok":
            _require(isinstance(c.get("figures"), dict), path, f"cells[{i}] is ok but has no figures")
    _check_cells_match_groups(doc, path)
    _require(doc["cells"], path, "no cells: the run measured nothing")
    return doc


def ok_cells(doc):
    return [c for c in doc["cells"] if c.get("status") == "ok"]


def cells_of(doc, group):
    """The ok cells (repetitions) of one group, matched on the group's key."""
    return [c for c in ok_cells(doc) if c["key"] == group["key"]]


def median(group, figure):
    s = group["figures"].get(figure)
    return None if s is None else s.get("median")
