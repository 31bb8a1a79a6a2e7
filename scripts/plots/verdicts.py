"""vmbench compare's own verdicts (`vmbench compare BASE NEW --format json`) for the compare figure and the
report: the plots never judge a change themselves, so that figure, report and terminal say the same.

Each row of the answer is one figure of one cell: {cell, figure, kind, base, new, change, p, threshold,
verdict (unchanged, better, worse, not judged), note, unit}; the top level carries the verdict line and notes.
"""
import json
import os
import subprocess
import tempfile

import loader

JUDGED = ("worse", "better", "unchanged")
_cache = {}


class NoVerdicts(Exception):
    """compare could not judge the two files; str() is its one-line reason."""


def compare(base, new):
    """compare's JSON answer for two loaded results documents (BASE the reference, NEW the one judged).
    The documents are written to scratch files, so that compare judges exactly what is drawn."""
    key = (id(base), id(new))
    if key in _cache:
        return _cache[key]
    exe = loader.vmbench_binary()
    if not exe:
        raise NoVerdicts("cannot find the vmbench binary to judge the change (set VMBENCH=PATH/TO/vmbench)")
    with tempfile.TemporaryDirectory(prefix="vmbench-compare-") as tmp:
        paths = []
        for name, doc in (("base.json", base), ("new.json", new)):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            paths.append(path)
        try:
            p = subprocess.run([exe, "compare", *paths, "--format", "json"], capture_output=True, text=True,
                               timeout=300)
        except (OSError, subprocess.SubprocessError) as e:
            raise NoVerdicts(f"vmbench compare could not run ({e})") from None
    answer = None
    if p.returncode in (0, 1):
        try:
            answer = json.loads(p.stdout)
        except json.JSONDecodeError:
            answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("rows"), list):
        last = (p.stderr.strip().splitlines() or ["no answer"])[-1]
        raise NoVerdicts(f"vmbench compare: {last}")
    _cache[key] = answer
    return answer


def shown_rows(answer, always=("wall_s", "peak_rss_delta_bytes")):
    """The rows a figure shows: the ALWAYS figures of every cell (whatever their verdict), and every row
    judged worse or better, of any figure: no judged regression is left out."""
    return [r for r in answer["rows"] if r.get("figure") in always or r.get("verdict") in ("worse", "better")]
