#!/usr/bin/env python3
"""Latency percentile spectrum: p50 to max of single allocate / free operations, per allocator, log scale.

Drawn from each cell's `figures.latency` (`vmbench run --latency`: `alloc` and `free`, each with p50_ns to
max_ns, from one extra timed pass per combination). Without it the figure is skipped, never drawn empty.

The values have the timer's read cost subtracted (`overhead_subtracted_ns`). A value below three timer
steps (`resolved_from_ns`) is not resolved: it is drawn on the dashed line at that floor with a hollow
marker, meaning "< floor". Files written before the subtraction say so in the footer.
"""
import re
import sys

import numpy as np

import common
import loader
from common import plt

NAME = "latency"
FIELDS = ("latency",)
OPS = ("alloc", "free")
_PCT = re.compile(r"^p(\d+(?:[._]\d+)?)(?:_ns)?$")


def _percentiles(entry):
    """[(percentile 0..100 or 'max', ns)] from one operation kind's entry, whatever its layout."""
    pts = []
    src = entry.get("percentiles", entry) if isinstance(entry, dict) else entry
    if isinstance(src, dict):
        for k, v in src.items():
            m = _PCT.match(str(k))
            if m and isinstance(v, (int, float)):
                pts.append((float(m.group(1).replace("_", ".")), float(v)))
            elif k in ("max", "max_ns") and isinstance(v, (int, float)):
                pts.append(("max", float(v)))
    elif isinstance(src, list):
        for item in src:
            if isinstance(item, dict):
                q = item.get("percentile", item.get("p", item.get("q", item.get("quantile"))))
                v = item.get("ns", item.get("value_ns", item.get("value")))
                if isinstance(q, (int, float)) and isinstance(v, (int, float)):
                    pts.append((float(q) * (100 if q <= 1 and "quantile" in item or "q" in item else 1), float(v)))
    if isinstance(entry, dict):
        for k in ("max", "max_ns"):
            if isinstance(entry.get(k), (int, float)) and not any(p[0] == "max" for p in pts):
                pts.append(("max", float(entry[k])))
    return sorted(pts, key=lambda p: 101.0 if p[0] == "max" else p[0])


def spectra(doc):
    """{op kind: {group label: [(percentile, median ns over reps)]}}"""
    out = {}
    for g in common.plain_groups(doc):
        per_op = {}
        for c in loader.cells_of(doc, g):
            lat = next((c["figures"][f] for f in FIELDS if c["figures"].get(f)), None)
            if not isinstance(lat, dict):
                continue
            for op, entry in lat.items():
                if op not in OPS:
                    continue  # timer, ns_per_tick, timer_cost_ns...: about the timer, not an operation
                for q, ns in _percentiles(entry):
                    per_op.setdefault(op, {}).setdefault(q, []).append(ns)
        for op, by_q in per_op.items():
            pts = sorted(((q, float(np.median(v))) for q, v in by_q.items()),
                         key=lambda p: 101.0 if p[0] == "max" else p[0])
            if pts:
                out.setdefault((g["workload"], op), {})[g["allocator"]] = pts
    return out


def timer_of(doc):
    """(floor ns, read cost subtracted ns, step ns) over the ok cells' latency passes (medians), or Nones
    for files written before vmbench measured its timer's resolution."""
    lats = [c["figures"][f] for c in loader.ok_cells(doc) for f in FIELDS if isinstance(c["figures"].get(f), dict)]
    def med(key):
        xs = [x[key] for x in lats if isinstance(x.get(key), (int, float))]
        return float(np.median(xs)) if xs else None
    return med("resolved_from_ns"), med("overhead_subtracted_ns"), med("resolution_ns")


def _qlabel(q):
    return "max" if q == "max" else f"p{q:g}"


def render(doc, out_dir, formats=("png", "svg")):
    if not any(c["figures"].get(f) for c in loader.ok_cells(doc) for f in FIELDS):
        raise common.Skip("the results have no latency percentiles (cells[].figures.latency is absent: "
                          "this run did not time single operations)")
    data = spectra(doc)
    if not data:
        raise common.Skip("figures.latency is present but holds no percentiles this script can read")
    workloads = common.order_workloads(w for w, _ in data)
    keys = sorted(data, key=lambda k: (workloads.index(k[0]), OPS.index(k[1]) if k[1] in OPS else 9))
    cols = 2 if len(keys) <= 4 else 4  # a workload's alloc and free side by side
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    floor, overhead, step = timer_of(doc)
    for ax, key in zip(axes.flat, keys):
        qs = []
        for alloc in common.order_allocators(data[key]):
            for q, _ in data[key][alloc]:
                if q not in qs:
                    qs.append(q)
        qs.sort(key=lambda q: 101.0 if q == "max" else q)
        plotted = []
        for alloc in common.order_allocators(data[key]):
            d = dict(data[key][alloc])
            xs = [i for i, q in enumerate(qs) if q in d]
            ys = [max(d[qs[i]], floor or 0) for i in xs]  # below the floor: drawn on it, hollow
            ax.plot(xs, ys, marker="o", markersize=3, color=common.colour(alloc), label=alloc)
            below = [(x, y) for x, y in zip(xs, ys) if floor and d[qs[x]] < floor]
            if below:  # not resolved: "< floor", hollow on the floor line
                ax.plot(*zip(*below), linestyle="none", marker="o", markersize=5, markerfacecolor="white",
                        color=common.colour(alloc))
            common.hover_points(ax, xs, ys,
                                [f"{key[0]} {key[1]}, {alloc}: {_qlabel(qs[i])} "
                                 + (f"< {common.fmt_number(floor)} ns" if floor and d[qs[i]] < floor
                                    else f"{common.fmt_number(d[qs[i]])} ns") for i in xs],
                                common.colour(alloc), size=3)
            plotted += ys
        if floor:
            ax.axhline(floor, color="#777777", linestyle="--", linewidth=0.8)
        common.value_axis(ax, plotted)
        ax.set_xticks(range(len(qs)), [_qlabel(q) for q in qs], fontsize=7.5, rotation=30)
        ax.set_title(f"{key[0]}: {key[1]}")
        ax.set_ylabel("ns" + (" (log)" if ax.get_yscale() == "log" else ""))
    for ax in axes.flat[len(keys):]:
        ax.set_visible(False)
    handles, labels = [], []
    for ax in axes.flat:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h), labels.append(l)
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.955), ncol=min(9, len(labels)),
               frameon=False)
    fig.suptitle("Latency of single operations, p50 to max (lower is better)",
                 x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.91))
    costs = [c["figures"][f].get("timer_cost_ns", {}).get("median") for c in loader.ok_cells(doc) for f in FIELDS
             if isinstance(c["figures"].get(f), dict)]
    costs = [x for x in costs if isinstance(x, (int, float))]
    if floor is not None:
        timer = (f"timer read cost ({overhead:.0f} ns) subtracted; timer steps of {step:.0f} ns: a hollow marker on the "
                 f"dashed line ({floor:.0f} ns, 3 steps) is only known to be < {floor:.0f} ns")
    else:
        timer = f"each figure includes the timer's own cost (median {np.median(costs):.0f} ns)" if costs else ""
    common.footer(fig, doc, timer)
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
