"""The report's figures: each drawn as SVG and put inline in the page (values on hover: every mark carries a
<title>), under a caption computed from the same data: how to read the figure (no result in it), then what
this file shows, in numbers. A figure drawn once per workload gets that workload's caption.
"""
import html
import os
import re
import tempfile

import common
import dispatch
import fragmentation
import latency
import program
import throughput
import verdicts

HOW_TO_READ = {
    "throughput": "The workload's operations (allocations, deaths, whether freed or absorbed by an arena, and "
                  "resizes: the same count for every allocator) over the median time of the measured phase, so it "
                  "ranks exactly as time does; taller is faster. Whiskers span the slowest and the fastest repetition.",
    "program": "The command of vmbench run --program under each allocator, measured from outside: its wall time "
               "beside its CPU time (user + system, its threads and the children it waited for), the peak RSS of its "
               "own process, its page faults and, with --syscalls, the memory system calls of one traced run. Bars "
               "are medians, whiskers the smallest and largest repetition.",
    "memory": "Left: the most resident memory (RSS) the measured phase added. Right: how often the allocator asked "
              "the kernel for memory (commit) or gave it back (decommit): system calls of a traced pass when the run "
              "had --syscalls, else the arena's and pool's own counters.",
    "phases": "Each workload is split into named phases, so that allocation, use of the data (locality) and cleanup "
              "can be judged apart; median time per phase.",
    "fragmentation": "At each checkpoint, the live bytes (light blue: what the program still uses) beside the memory "
                     "the process holds above its baseline (coloured); the label is RSS / live.",
    "timeline": "Live, resident and committed bytes against the workload's operations (the same for every "
                "allocator), one panel per allocator, sampled in a separate probing pass: only the panel titles' "
                "times come from the timed pass. F3 is RSS / live where RSS peaks, the lowest over the points within 1% of "
                "the peak (\"to X\": the highest there); F4 is peak RSS over peak live.",
    "latency": "Time of single allocate and free calls from the median (p50) to the worst (max).",
    "heapmap": "Each square is a small group of pages of the heap, in address order; colour is the fraction of it "
               "holding live objects (yellow full, dark nearly empty), grey pages are not resident. A page with one "
               "survivor cannot be returned to the system.",
    "sweep": "The same workload with one parameter changed: how each figure follows it, one series per allocator.",
    "scaling": "Each workload at several thread counts (vmbench run --threads), every thread on its own share of the "
               "work: the operations each thread gets through per second (top) and what it keeps of the same "
               "allocator's at one thread (bottom, 1 = nothing lost). A flat line scales; a falling one shows "
               "threads getting in each other's way inside the allocator, or, past the machine's CPU count, "
               "taking turns on the CPUs.",
    "dispatch": "The same allocator called directly (inlined) and through the Allocator interface (a function "
                "pointer): the ratio of their times is what the indirection costs.",
    "compare": "The second file against the first, figure by figure: the bar is the change of the median, its colour "
               "vmbench compare's verdict (a U test for timings, thresholds for counts and memory).",
}


def _e(x):
    return html.escape(str(x))


def _range_sentence(what, items, fmt):
    """'what: lowest A (x), highest B (y)' over [(name, value)]."""
    items = [(n, v) for n, v in items if isinstance(v, (int, float))]
    if not items:
        return ""
    lo, hi = min(items, key=lambda x: x[1]), max(items, key=lambda x: x[1])
    if lo[0] == hi[0]:
        return f"{what}: {lo[0]} {fmt(lo[1])}"
    return f"{what}: lowest {lo[0]} {fmt(lo[1])}, highest {hi[0]} {fmt(hi[1])}"


def _throughput(doc, _suffix):
    data = throughput.bars(doc)
    return [_range_sentence(f"{w} (operations per second)", [(a, m) for _, a, m, _, _ in rows], common.fmt_number)
            for w, rows in data.items()]


def _program(doc, _suffix):
    data, _commands = program.rows(doc)
    out = []
    for key, what, fmt in (("wall_s", "wall time", common.fmt_seconds), ("cpu", "CPU time", common.fmt_seconds),
                           ("peak_rss_bytes", "peak RSS", common.fmt_bytes),
                           ("minor_faults", "minor faults", common.fmt_number),
                           ("syscall_commits", "commit calls (traced)", common.fmt_number)):
        out.append(_range_sentence(what, [(label.replace("\n", " "), (s.get(key) or (None,))[0])
                                          for label, _, s in data], fmt))
    return out


def _memory(doc, _suffix):
    out = []
    for w in common.order_workloads(g["workload"] for g in doc["groups"]):
        gs = [g for g in common.plain_groups(doc) if g["workload"] == w]
        out.append(_range_sentence(f"{w} (peak RSS growth)", [(g["allocator"], (g["figures"].get(
            "peak_rss_delta_bytes") or {}).get("median")) for g in gs], common.fmt_bytes))
    return out


def _phases(doc, _suffix):
    out = []
    for w in common.order_workloads(g["workload"] for g in doc["groups"]):
        gs = [g for g in common.plain_groups(doc) if g["workload"] == w and g.get("phases")]
        names = list(dict.fromkeys(p["name"] for g in gs for p in g["phases"]))
        for n in names:
            vals = [(g["allocator"], next(((p.get("seconds") or {}).get("median") for p in g["phases"]
                                           if p["name"] == n), None)) for g in gs]
            out.append(_range_sentence(f"{w} {n}", vals, common.fmt_seconds))
    return out


def _fragmentation(doc, workload):
    table = fragmentation.checkpoint_table(doc, workload)
    labels = list(dict.fromkeys(l for rows in table.values() for l, _, _ in rows))
    out = []
    for label in labels:
        ratios, held = [], []
        for a, rows in table.items():
            for l, live, rss in rows:
                if l == label:
                    held.append((a, rss))
                    if live > 0:
                        ratios.append((a, rss / live))
        if ratios:
            out.append(_range_sentence(f"{label} (RSS / live)", ratios, lambda v: f"{v:.1f}x"))
        else:
            out.append(_range_sentence(f"{label} (nothing live; RSS held)", held, common.fmt_bytes))
    return out


def _timeline(doc, workload):
    gs = [g for g in doc["groups"] if g["workload"] == workload and isinstance(g.get("fragmentation"), dict)]
    return [_range_sentence("F4", [(g["allocator"], g["fragmentation"].get("F4")) for g in gs], lambda v: f"{v:.2f}"),
            _range_sentence("F3", [(g["allocator"], g["fragmentation"].get("F3")) for g in gs], lambda v: f"{v:.2f}")]


def _latency(doc, _suffix):
    out = []
    for (w, op), by_alloc in latency.spectra(doc).items():
        for q in (99, "max"):
            vals = [(a, dict(pts).get(q)) for a, pts in by_alloc.items()]
            out.append(_range_sentence(f"{w} {op} {'p99' if q == 99 else 'max'}", vals,
                                       lambda v: f"{v:,.0f} ns" if v < 10_000 else common.fmt_seconds(v * 1e-9)))
    return out


def _sweep(doc, suffix):
    out = []  # the figure's own data: per series, time at each value of the parameter
    for (workload, param), groups in sorted(_sweeps(doc).items()):
        if f"{workload}-{param}" != suffix:
            continue
        series = {}
        for g in groups:
            t = (g["figures"].get("wall_s") or {}).get("median")
            label = common.group_label(g, with_swept=False)
            series.setdefault(label, []).append((g["swept"][param], t))
        for label, pts in series.items():
            pts = [(v, t) for v, t in pts if isinstance(t, (int, float))]
            if len(pts) >= 2:
                out.append(_range_sentence(f"{label}, time", pts, common.fmt_seconds))
    return out


def _sweeps(doc):
    found = {}
    for g in doc["groups"]:
        for p in g.get("swept") or {}:
            found.setdefault((g["workload"], p), []).append(g)
    return found


def _dispatch(doc, _suffix):
    r = dispatch.ratios(doc)
    return [_range_sentence("virtual / inline time", [(f"{w}/{a}", m) for (w, a), (m, _, _) in r.items()],
                            lambda v: f"{v:.2f}")]


def _heapmap(doc, workload):
    cells = [c for c in doc["cells"] if c["workload"] == workload and c.get("status") == "ok"
             and isinstance(c["figures"].get("heap_map"), dict)]
    snaps = {}
    for c in cells:
        for s in c["figures"]["heap_map"].get("snapshots", []):
            snaps.setdefault(c["allocator"], []).append(str(s.get("label")))
    return [f"{len(snaps)} allocators mapped, at " + ", ".join(sorted({l for v in snaps.values() for l in v}))] \
        if snaps else []


def _scaling(doc, _suffix):
    import scaling  # the figure's own selection of groups
    out = []
    for w, lines in scaling.scaling_lines(doc).items():
        most = max(n for _, by in lines.values() for n in by)
        kept = [(label, (by[most]["figures"].get("scaling_efficiency") or {}).get("median"))
                for label, (_, by) in lines.items() if most in by]
        out.append(_range_sentence(f"{w} at {most} threads (kept of 1 thread's per-thread throughput)", kept,
                                   lambda v: f"{v:.2f}"))
    return out


CAPTIONS = {"scaling": _scaling, "throughput": _throughput, "program": _program, "memory": _memory, "phases": _phases, "fragmentation": _fragmentation,
            "timeline": _timeline, "latency": _latency, "sweep": _sweep, "dispatch": _dispatch, "heapmap": _heapmap}


def caption(module_name, file_name, doc, compare_answer=None):
    """How to read it, then what this file shows (computed)."""
    suffix = file_name[len(module_name) + 1:] if file_name.startswith(module_name + "-") else ""
    facts = []
    if module_name == "compare" and compare_answer:
        facts = [str(compare_answer.get("verdict", ""))] + list(compare_answer.get("notes") or [])
    elif module_name in CAPTIONS:
        try:
            facts = [f for f in CAPTIONS[module_name](doc, suffix) if f]
        except (common.Skip, KeyError, TypeError, ValueError, ZeroDivisionError):
            facts = []
    text = f"<b>{_e(file_name)}.</b> {_e(HOW_TO_READ.get(module_name, ''))}"
    if len(facts) > 3:  # one line each: a paragraph of twelve ranges cannot be read
        text += " <span class=facts>In this file:</span><ul class=facts>" + "".join(
            f"<li>{_e(f)}</li>" for f in facts) + "</ul>"
    elif facts:
        text += " <span class=facts>In this file: " + "; ".join(_e(f) for f in facts) + ".</span>"
    return text


def inline_svg(svg_text, prefix):
    """The SVG for a page that holds several: the XML prologue dropped, every id prefixed (matplotlib's own ids
    repeat from figure to figure), and its size left to the page (it scales down to the column's width)."""
    svg_text = re.sub(r"^.*?(?=<svg)", "", svg_text, count=1, flags=re.S)
    # in HTML the parser puts <svg> in its namespace: the namespace URLs and the RDF metadata (more URLs)
    # are dropped, so that the page holds no address at all
    svg_text = re.sub(r"<metadata>.*?</metadata>\s*", "", svg_text, count=1, flags=re.S)
    svg_text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg_text)
    svg_text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg_text)
    svg_text = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}-{m.group(1)})", svg_text)
    svg_text = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}-{m.group(1)}"', svg_text)
    m = re.search(r'<svg[^>]*?\swidth="([\d.]+)pt"', svg_text)
    width_px = float(m.group(1)) * 96 / 72 if m else None
    svg_text = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", svg_text, count=1)
    svg_text = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", svg_text, count=1)
    style = f'style="max-width:{width_px:.0f}px"' if width_px else ""
    return svg_text.replace("<svg", f"<svg class=fig {style}", 1)


def render(doc, modules, other=None, log=print):
    """([html of each figure], [(module, why skipped)]). With OTHER, the compare figure shows DOC against it."""
    blocks, skipped = [], []
    answer = None
    with tempfile.TemporaryDirectory() as tmp:
        for m in modules:
            if getattr(m, "NEEDS_TWO_FILES", False):  # "second / first": the other file is the baseline
                w, s = common.render_all(other if other is not None else doc, tmp, [m], ("svg",), log=log,
                                         other=doc if other is not None else None)
                if other is not None and w:
                    try:
                        answer = verdicts.compare(other, doc)
                    except verdicts.NoVerdicts:
                        answer = None
            else:
                w, s = common.render_all(doc, tmp, [m], ("svg",), log=log)
            skipped += s
            for p in w:
                name = os.path.splitext(os.path.basename(p))[0]
                with open(p, encoding="utf-8") as f:
                    svg = inline_svg(f.read(), name)
                blocks.append((name, f"<figure id='fig-{_e(name)}'>{svg}<figcaption>"
                                     f"{caption(m.NAME, name, doc, answer)}</figcaption></figure>"))
    return blocks, skipped
