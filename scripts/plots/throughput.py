#!/usr/bin/env python3
"""Throughput per workload: grouped bars per allocator, whiskers over the repetitions.

Throughput is vmbench's one definition (docs/metrics.md, "Throughput"): the workload's operations
(`ops`: allocations, deaths and resizes, the same count for every allocator doing the same work) over
the median time of the measured phase, so that the bars rank exactly as time does. The whiskers are
the same operations over the slowest and the fastest repetition.
"""
import sys

import numpy as np

import common
import loader
from common import plt
from matplotlib.ticker import FuncFormatter

NAME = "throughput"


def group_rate(doc, g):
    """(median, min, max) operations per second of a group's ok repetitions, or None."""
    walls = [w for w in (common.cell_value(c, "wall_s") for c in loader.cells_of(doc, g)) if w]
    ops = g.get("ops")
    if not walls or not ops:
        return None
    return ops / float(np.median(walls)), ops / max(walls), ops / min(walls)


def bars(doc):
    """{workload: [(label, allocator, median, min, max)]} for unswept inline-or-only groups."""
    out = {}
    for g in common.plain_groups(doc):  # sweeps and the virtual dispatch have their own figures
        rate = group_rate(doc, g)
        if rate is None:
            continue
        out.setdefault(g["workload"], []).append((common.group_label(g), g["allocator"], *rate))
    return out


def render(doc, out_dir, formats=("png", "svg")):
    data = bars(doc)
    if not data:
        raise common.Skip("no ok cell outside a parameter sweep (see the sweep figure)")
    workloads = common.order_workloads(data)
    allocators = common.order_allocators(a for rows in data.values() for _, a, *_ in rows)
    width = 0.8 / len(allocators)
    fig, ax = plt.subplots(figsize=(max(7.5, 1.9 * len(workloads) + 0.35 * len(allocators)), 4.6))
    all_values = []
    for i, alloc in enumerate(allocators):
        xs, med, lo, hi = [], [], [], []
        for j, w in enumerate(workloads):
            for _, a, m, mn, mx in data[w]:
                if a == alloc:
                    xs.append(j - 0.4 + width * (i + 0.5))
                    med.append(m), lo.append(m - mn), hi.append(mx - m)
                    all_values += [mn, mx]
        if xs:
            drawn = ax.bar(xs, med, width * 0.92, color=common.colour(alloc), label=alloc,
                           yerr=[lo, hi], capsize=2, error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
            names = [w for w in workloads if any(a == alloc for _, a, *_ in data[w])]
            for rect, w, m, l, h in zip(drawn.patches, names, med, lo, hi):
                common.hover(rect, f"{w}, {alloc}: {common.fmt_number(m)} per second (ops / median time; "
                                   f"{common.fmt_number(m - l)} - {common.fmt_number(m + h)})")
    unit = f"{common.figure('ops')['label']} per second"
    ax.set_ylabel(unit + (" (log scale)" if common.value_axis(ax, all_values) else ""))
    if ax.get_yscale() == "linear":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: common.fmt_number(v)))  # 20,000,000, not 2 1e7
    ax.set_xticks(range(len(workloads)), workloads)
    ax.set_title("Throughput per workload: operations / median time (higher is better; whiskers: slowest-fastest "
                 "repetition)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    common.footer(fig, doc)
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
