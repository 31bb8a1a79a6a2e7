"""The report's first section, computed from the file alone: per workload the fastest and slowest, the
smallest and largest peak RSS, the key ratios (against the slowest and against glibc malloc), the lowest F4
and the fewest commit calls where the run measured them; then the warnings and, with a second file, compare's
verdict. Nothing here is written in advance: every sentence names the figures it was computed from.
"""
import html

import common

NOISY_CV = 0.10  # above this, the run itself warns that the timing varies (docs/metrics.md)
RSS_RATIO_FLOOR_BYTES = 1 << 20  # below 1 MiB a peak RSS growth is within the kernel's noise: no ratio
# Not allocators one could choose: the oracle replays the pool's addresses with no allocator work, the
# floor under every other row. Named beside the fastest, never ranked as the fastest.
FLOORS = ("oracle",)


def _e(x):
    return html.escape(str(x))


def _median(g, name):
    s = g["figures"].get(name)
    return s.get("median") if isinstance(s, dict) else None


def _extremes(groups, value):
    """(lowest group, its value, highest group, its value) over the groups that have one, or None."""
    have = [(g, value(g)) for g in groups]
    have = [(g, v) for g, v in have if isinstance(v, (int, float))]
    if not have:
        return None
    lo = min(have, key=lambda x: x[1])
    hi = max(have, key=lambda x: x[1])
    return lo[0], lo[1], hi[0], hi[1]


def _timing(doc, gs, label):
    ext = _extremes(gs, lambda g: _median(g, "wall_s"))
    if ext is None:
        return None
    fast, t_fast, slow, t_slow = ext
    text = f"fastest <b>{_e(label(fast))}</b> {common.fmt_seconds(t_fast)}"
    if slow is not fast and t_fast > 0:
        text += f", slowest {_e(label(slow))} {common.fmt_seconds(t_slow)} ({t_slow / t_fast:.1f}x the fastest's time)"
    malloc = [g for g in gs if g["allocator"] == "malloc" and g.get("dispatch") == fast.get("dispatch")
              and g.get("swept") == fast.get("swept")]
    t_malloc = _median(malloc[0], "wall_s") if malloc else None
    if malloc and fast is not malloc[0] and t_malloc and t_fast > 0:
        text += f"; {_e(fast['allocator'])} takes {t_fast / t_malloc:.2f}x malloc's time ({t_malloc / t_fast:.1f}x faster)"
    cvs = [(g["figures"]["wall_s"].get("cv") or 0) for g in (fast, slow)]
    if max(cvs) > NOISY_CV:
        text += f" <span class=warnword>(times vary by up to {max(cvs) * 100:.0f}% between repetitions: read with care)</span>"
    return text


def _memory(gs, label):
    ext = _extremes(gs, lambda g: _median(g, "peak_rss_delta_bytes"))
    if ext is None:
        return None
    small, r_small, big, r_big = ext
    text = f"smallest peak RSS growth <b>{_e(label(small))}</b> {common.fmt_bytes(r_small)}"
    if big is not small:
        text += f", largest {_e(label(big))} {common.fmt_bytes(r_big)}"
        if r_small >= RSS_RATIO_FLOOR_BYTES:
            text += f" ({r_big / r_small:.1f}x)"
    return text


def _deep(gs, label):
    parts = []
    ext = _extremes(gs, lambda g: (g.get("fragmentation") or {}).get("F4"))
    if ext:
        parts.append(f"lowest F4 (peak RSS / peak live) {_e(label(ext[0]))} {ext[1]:.2f}, highest {_e(label(ext[2]))} "
                     f"{ext[3]:.2f}")
    ext = _extremes(gs, lambda g: (g.get("syscalls") or {}).get("commits"))
    if ext:
        parts.append(f"fewest traced commit calls {_e(label(ext[0]))} {ext[1]:,}, most {_e(label(ext[2]))} {ext[3]:,}")
    ext = _extremes(gs, lambda g: ((g.get("latency") or {}).get("alloc") or {}).get("p99_ns"))
    if ext:
        parts.append(f"lowest allocation p99 {_e(label(ext[0]))} {ext[1]:,.0f} ns, highest {_e(label(ext[2]))} "
                     f"{ext[3]:,.0f} ns")
    return "; ".join(parts) or None


def per_workload(doc):
    """One list item per workload, each sentence computed from that workload's groups."""
    dispatch = len({g.get("dispatch") for g in doc["groups"]}) > 1
    label = lambda g: common.group_label(g, with_dispatch=dispatch)  # noqa: E731
    items = []
    for w in common.order_workloads(g["workload"] for g in doc["groups"]):
        everything = [g for g in doc["groups"] if g["workload"] == w]
        gs = [g for g in everything if g["allocator"] not in FLOORS] or everything
        parts = [p for p in (_timing(doc, gs, label), _memory(gs, label), _deep(gs, label)) if p]
        for g in everything:
            if g["allocator"] in FLOORS and _median(g, "wall_s") is not None:
                parts.append(f"the floor, {_e(label(g))} (no allocator work), {common.fmt_seconds(_median(g, 'wall_s'))}")
        failed = sum(g.get("reps_failed") or 0 for g in gs)
        if failed:
            parts.append(f"<span class=warnword>{failed} repetition(s) failed</span>")
        if parts:
            items.append(f"<li><b>{_e(w)}</b> ({len(gs)} combinations): " + "; ".join(parts) + ".</li>")
    return items


def warnings(doc):
    ws = doc.get("warnings") or []
    if not ws:
        return "<p>The run gave no warning.</p>"
    noisy = sum("varies by" in w or w.startswith("noisy measurements:") for w in ws)
    head = f"{len(ws)} warning{'s' if len(ws) > 1 else ''} from the run" + (
        f" ({noisy} about timings that vary between repetitions: the machine was busy or shared; compare medians "
        "with care)" if noisy else "")
    items = "".join(f"<li>{_e(w)}</li>" for w in ws)
    return (f"<div class=warn><details{' open' if len(ws) <= 3 else ''}><summary><b>{_e(head)}</b></summary>"
            f"<ul>{items}</ul></details></div>")


def summary(doc, compare_line=None):
    c, p = doc["context"], doc["plan"]
    cells = doc["cells"]
    ok = sum(1 for x in cells if x.get("status") == "ok")
    out = [f"<p class=lead>{ok} of {len(cells)} cells measured ({len(doc['groups'])} combinations x "
           f"{p.get('reps', '?')} repetitions, scale {_e(p.get('scale', '?'))}) on {_e(c.get('cpu_model', '?'))}, "
           f"{_e(c.get('date_utc', '?'))}" + ("" if doc.get("complete", True) else
                                               ". <span class=warnword>The run was interrupted: this file is partial."
                                               "</span>") + "</p>"]
    if compare_line:
        out.append(f"<p class=verdict>{_e(compare_line)}</p>")
    items = per_workload(doc)
    if items:
        out.append("<ul class=summary>" + "".join(items) + "</ul>")
    out.append(warnings(doc))
    return "".join(out)
