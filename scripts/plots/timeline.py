#!/usr/bin/env python3
"""Memory over time: live, resident and committed bytes per allocator as small multiples, F3 and F4 marked.

Drawn from each cell's `figures.timeline` (`vmbench run --timeline`: live bytes, anonymous RSS above the
phase's start and committed bytes, sampled every N operations; the workload's checkpoints are labelled).
F3 = RSS / live where RSS peaks: the lowest over the points within 1% of the peak RSS (marked with a dot;
"to X" gives the highest on that plateau when it differs); F4 = peak RSS / peak live (in the title).
Results without a series are skipped (the checkpoints alone are in the fragmentation figure).
"""
import sys

import common
import loader
from common import plt

NAME = "timeline"
FIELDS = ("timeline",)


def _columns_to_samples(t):
    """results schema v1 `timeline`: equal-length arrays -> [{at_s, live_bytes, rss_delta, committed}]"""
    n = len(t["at_s"])
    col = lambda k: t.get(k) if isinstance(t.get(k), list) and len(t.get(k)) == n else [None] * n  # noqa: E731
    return [{"at_s": a, "live_bytes": l, "rss_delta": r, "committed_bytes": c}
            for a, l, r, c in zip(t["at_s"], col("live_bytes"), col("rss_delta_bytes"), col("committed_bytes"))]


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
        fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 3.0 * rows), squeeze=False, sharey=True)
        for ax, a in zip(axes.flat, allocs):
            c = first[a]
            meta, samples = _series(c)
            base = c["figures"].get("rss_baseline_bytes") or 0
            t = [_get(s, "at_s") for s in samples]
            live = [_get(s, "live_bytes", "live") for s in samples]
            rss = [_get(s, "rss_delta") for s in samples]
            if any(v is None for v in rss):
                rss = [None if v is None else v - base for v in (_get(s, "rss_bytes", "rss") for s in samples)]
            base = 0  # rss now holds the phase's own share
            com = [_get(s, "committed_bytes", "committed") for s in samples]
            if any(v is None for v in t):
                t = list(range(len(samples)))
                ax.set_xlabel("sample")
            else:
                ax.set_xlabel("s since the phase started")
            mib = 2 ** 20
            if all(v is not None for v in live):
                ax.plot(t, [v / mib for v in live], color="#3182bd", label="live")
            if all(v is not None for v in rss):
                ax.plot(t, [(v - base) / mib for v in rss], color=common.colour(a), label="RSS above the start (this allocator's colour)")
            if any(v is not None for v in com):
                ax.plot([x for x, v in zip(t, com) if v is not None], [v / mib for v in com if v is not None],
                        color="#636363", linestyle="--", label="committed")
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
            ax.set_title(a + (f"  (F4 {f4:.2f})" if f4 is not None else ""), color=common.colour(a))
        for ax in axes.flat[len(allocs):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("MiB")
        handles, names = [], []
        for ax in axes.flat:
            for h, l in zip(*ax.get_legend_handles_labels()):
                if l not in names:
                    handles.append(h), names.append(l)
        fig.legend(handles, names, loc="upper right", ncol=len(names), frameon=False, fontsize=8.5)
        fig.suptitle(f"{w}: memory over time (dot: F3 at the RSS peak; F4 = peak RSS / peak live)", x=0.01,
                     ha="left")
        fig.tight_layout(rect=(0, 0, 1, 0.92))
        common.footer(fig, doc, "first repetition of each allocator")
        written += common.save(fig, out_dir, f"{NAME}-{w}", formats)
    if not written:
        raise common.Skip("no unswept cell has a memory series")
    return written


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
