#!/usr/bin/env python3
"""Memory over time: live, resident and committed bytes per allocator as small multiples, F3 and F4 marked.

Drawn from each cell's `figures.timeline` (`vmbench run --timeline`: live bytes, anonymous RSS above the
phase's start and committed bytes, sampled every N operations; the workload's checkpoints are labelled).
The horizontal axis is the workload's operations, the same for every allocator, so that all panels share
it: the series is sampled in a probing pass that runs several times slower than the timed pass, so its
clock would mislead. The only time shown is the timed pass's own median (in each panel's title).
F3 = RSS / live where RSS peaks: the lowest over the points within 1% of the peak RSS (marked with a dot;
"to X" gives the highest on that plateau when it differs); F4 = peak RSS / peak live (in the title).
Results without a series are skipped (the checkpoints alone are in the fragmentation figure).
"""
import sys

import common
import loader
from common import plt
from matplotlib.ticker import FuncFormatter

NAME = "timeline"
FIELDS = ("timeline",)


def _columns_to_samples(t):
    """results schema v1 `timeline`: equal-length arrays -> [{at_s, op, live_bytes, rss_delta, committed}]"""
    n = len(t["at_s"])
    col = lambda k: t.get(k) if isinstance(t.get(k), list) and len(t.get(k)) == n else [None] * n  # noqa: E731
    return [{"at_s": a, "op": o, "live_bytes": l, "rss_delta": r, "committed_bytes": c}
            for a, o, l, r, c in zip(t["at_s"], col("op"), col("live_bytes"), col("rss_delta_bytes"),
                                     col("committed_bytes"))]


def operations(meta, samples):
    """(x of each sample in operations, axis label): the recorded operation counts; for a file that predates
    them, the sample number times the sampling interval; else the sample number, said so."""
    ops = [_get(s, "op") for s in samples]
    if all(v is not None for v in ops):
        return ops, "operations of the workload"
    every = _get(meta, "every_ops")
    if every:
        return [i * every for i in range(len(samples))], "operations of the workload (sample x interval)"
    return list(range(len(samples))), "sample (this file records no operation counts)"


def _marks(meta, xs):
    """{checkpoint label: x} of a series."""
    out = {}
    for lab in meta.get("labels", []) if isinstance(meta, dict) else []:
        i = lab.get("index")
        if isinstance(i, int) and 0 <= i < len(xs):
            out[lab.get("label")] = xs[i]
    return out


def aligned(meta, xs, reference):
    """XS moved onto the REFERENCE series' operations, piecewise between the checkpoints both have: for a
    file written before vmbench counted the deaths an arena absorbs without a free, whose arena series
    counts fewer operations. Each checkpoint lands where the reference has it; the points between two
    checkpoints (in sample order) are placed in proportion to their own operations."""
    marks = sorted((lab["index"], reference[lab["label"]]) for lab in (meta.get("labels") or [])
                   if isinstance(lab.get("index"), int) and 0 <= lab["index"] < len(xs) and lab.get("label") in reference)
    if len(marks) < 2:
        return xs
    out = list(xs)
    for (i0, r0), (i1, r1) in zip(marks, marks[1:]):
        o0, o1 = xs[i0], xs[i1]
        for j in range(i0, i1 + 1):
            out[j] = r0 + (xs[j] - o0) * (r1 - r0) / (o1 - o0) if o1 > o0 else (r0 if j < i1 else r1)
    return out


def _ops_label(v, _pos=None):
    """1.2M, 250k, 500: operation counts without matplotlib's 1e6 offset."""
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}M"
    return f"{v / 1e3:g}k" if abs(v) >= 1e4 else f"{v:g}"


def timed_wall(doc, cell):
    """The timed pass's median wall time of the cell's group, or None."""
    g = next((g for g in doc["groups"] if g["key"] == cell["key"]), None)
    s = (g or {}).get("figures", {}).get("wall_s")
    return s.get("median") if isinstance(s, dict) else None


def _series(cell):
    for f in FIELDS:
        s = cell["figures"].get(f)
        if isinstance(s, dict) and isinstance(s.get("at_s"), list) and s["at_s"]:
            return s, _columns_to_samples(s)
        if isinstance(s, dict) and isinstance(s.get("samples"), list):
            return s, s["samples"]
        if isinstance(s, list) and s:
            return {}, s
    return None, None


def _get(sample, *names):
    for n in names:
        if isinstance(sample, dict) and isinstance(sample.get(n), (int, float)):
            return float(sample[n])
    return None


def render(doc, out_dir, formats=("png", "svg")):
    cells = [c for c in loader.ok_cells(doc) if _series(c)[1]]
    if not cells:
        raise common.Skip("the results have no memory series (cells[].figures.timeline is absent: run with "
                          "--timeline; the checkpoints alone are in the fragmentation figure)")
    written = []
    for w in common.order_workloads(c["workload"] for c in cells):
        # the first repetition of each unswept inline group: one curve per panel stays readable
        first = {}
        for c in cells:
            if c["workload"] == w and not any(g["key"] == c["key"] and g.get("swept") for g in doc["groups"]):
                if c.get("dispatch", "inline") == "inline" or c["allocator"] not in first:
                    first.setdefault(c["allocator"], c)
        if not first:
            continue
        allocs = common.order_allocators(first)
        cols = min(3, len(allocs))
        rows = (len(allocs) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 3.0 * rows + 0.9), squeeze=False, sharey=True,
                                 sharex=True)
        xs = {a: operations(*_series(first[a])) for a in allocs}
        longest = max(allocs, key=lambda a: xs[a][0][-1] if xs[a][0] else 0)
        reference = _marks(_series(first[longest])[0], xs[longest][0])
        short = [a for a in allocs if xs[a][0] and xs[a][0][-1] < xs[longest][0][-1]]
        for ax, a in zip(axes.flat, allocs):
            c = first[a]
            meta, samples = _series(c)
            base = c["figures"].get("rss_baseline_bytes") or 0
            t, xlabel = xs[a]
            if a in short:
                t = aligned(meta, t, reference)
            live = [_get(s, "live_bytes", "live") for s in samples]
            rss = [_get(s, "rss_delta") for s in samples]
            if any(v is None for v in rss):
                rss = [None if v is None else v - base for v in (_get(s, "rss_bytes", "rss") for s in samples)]
            base = 0  # rss now holds the phase's own share
            com = [_get(s, "committed_bytes", "committed") for s in samples]
            ax.set_xlabel(xlabel)
            mib = 2 ** 20
            if all(v is not None for v in live):
                (line,) = ax.plot(t, [v / mib for v in live], color="#3182bd", label="live")
                common.hover(line, f"{a}: live bytes, peak {common.fmt_bytes(max(live))}")
            if all(v is not None for v in rss):
                (line,) = ax.plot(t, [(v - base) / mib for v in rss], color=common.colour(a),
                                  label="RSS above the start (this allocator's colour)")
                common.hover(line, f"{a}: RSS above the start, peak {common.fmt_bytes(max(rss))}, "
                                   f"at the end {common.fmt_bytes(rss[-1])}")
            if any(v is not None for v in com):
                (line,) = ax.plot([x for x, v in zip(t, com) if v is not None], [v / mib for v in com if v is not None],
                                  color="#636363", linestyle="--", label="committed")
                common.hover(line, f"{a}: committed bytes, peak {common.fmt_bytes(max(v for v in com if v is not None))}")
            for lab in meta.get("labels", []) if isinstance(meta, dict) else []:
                i = lab.get("index")
                if isinstance(i, int) and 0 <= i < len(t) and lab.get("label") not in ("start", "end"):
                    ax.axvline(t[i], color="#999999", linestyle=":", linewidth=0.8)
                    ax.annotate(lab["label"], (t[i], 1.0), xycoords=("data", "axes fraction"), rotation=90,
                                fontsize=6.5, color="#555555", ha="right", va="top")
            f3 = _get(meta, "f3", "F3") or _get(c["figures"], "f3", "F3")
            f4 = _get(meta, "f4", "F4") or _get(c["figures"], "f4", "F4")
            if all(v is not None for v in rss) and rss:
                i = _get(meta, "F3_index")
                i = int(i) if i is not None else -1
                if not 0 <= i < len(rss):  # files before the plateau: the argmax
                    i = max(range(len(rss)), key=lambda k: rss[k])
                ax.plot([t[i]], [(rss[i] - base) / mib], "o", color="black", markersize=4)
                if f3 is not None:
                    f3_max = _get(meta, "F3_max")
                    wide = isinstance(f3_max, (int, float)) and f3_max > f3 * 1.05
                    ax.annotate(f"F3 {f3:.2f}" + (f" to {f3_max:.2f}" if wide else ""), (t[i], (rss[i] - base) / mib),
                                textcoords="offset points", xytext=(4, -10), fontsize=7.5)
            wall = timed_wall(doc, c)
            ax.set_title(a + (f"  (F4 {f4:.2f})" if f4 is not None else "") +
                         (f"\ntimed pass: {common.fmt_seconds(wall)}" if wall else ""), color=common.colour(a),
                         fontsize=9.5)
        for ax in axes.flat[len(allocs):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("MiB (lower RSS is better)")
        for ax in axes.flat:
            ax.xaxis.set_tick_params(labelbottom=True)  # shared, but each panel keeps its numbers
            ax.xaxis.set_major_formatter(FuncFormatter(_ops_label))
        handles, names = [], []
        for ax in axes.flat:
            for h, l in zip(*ax.get_legend_handles_labels()):
                if l not in names:
                    handles.append(h), names.append(l)
        h = fig.get_figheight()
        fig.legend(handles, names, loc="upper left", bbox_to_anchor=(0.0, 1 - 0.3 / h), ncol=len(names), frameon=False,
                   fontsize=8.5)
        fig.suptitle(f"{w}: memory against operations (dot: F3 on the RSS peak; F4 = peak RSS / peak live; "
                     "RSS close to live is better)", x=0.01, ha="left")
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / h))
        common.footer(fig, doc, "first repetition of each allocator" + (
            f"\n{', '.join(short)}: placed on {longest}'s operations between the checkpoints (this file, written "
            "before vmbench counted the frees they skip, counts fewer operations for them)" if short else ""))
        written += common.save(fig, out_dir, f"{NAME}-{w}", formats)
    if not written:
        raise common.Skip("no unswept cell has a memory series")
    return written


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
