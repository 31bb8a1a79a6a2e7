#!/usr/bin/env python3
"""Time per named phase of each workload (build, check, release...), per allocator.

Phases separate the seed article's claims: allocation speed (build, ramp, tokenize), locality (check)
and the cost of cleanup (release).
"""
import sys

import numpy as np

import common
from common import plt

NAME = "phases"


def render(doc, out_dir, formats=("png", "svg")):
    groups = [g for g in common.plain_groups(doc) if g.get("phases")]
    if not groups:
        raise common.Skip("no group has phase times")
    workloads = common.order_workloads(g["workload"] for g in groups)
    cols = min(2, len(workloads))  # 2 x 2 stays readable when the page scales the image down
    rows = (len(workloads) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.6 * cols, 3.6 * rows + 0.6), squeeze=False)
    for ax in axes.flat[len(workloads):]:
        ax.set_visible(False)
    for ax, w in zip(axes.flat, workloads):
        gs = [g for g in groups if g["workload"] == w]
        allocs = common.order_allocators(g["allocator"] for g in gs)
        phase_names = list(dict.fromkeys(p["name"] for g in gs for p in g["phases"]))
        width = 0.8 / len(allocs)
        values = []
        for i, a in enumerate(allocs):
            g = next(g for g in gs if g["allocator"] == a)
            secs = {p["name"]: p["seconds"] for p in g["phases"]}
            med = [secs[n]["median"] * 1e3 if n in secs and secs[n] else np.nan for n in phase_names]
            values += [v for v in med if v == v]
            bars = ax.bar(np.arange(len(phase_names)) - 0.4 + width * (i + 0.5), med, width * 0.92,
                          color=common.colour(a), label=a)
            for rect, n in zip(bars.patches, phase_names):
                s = secs.get(n)
                if s:
                    common.hover(rect, f"{w}, {n}, {a}: {common.fmt_seconds(s['median'])} (median; "
                                       f"{common.fmt_seconds(s['min'])} - {common.fmt_seconds(s['max'])})")
        log = common.value_axis(ax, values)
        ax.set_xticks(range(len(phase_names)), phase_names, fontsize=8.5)
        ax.set_title(w)
        ax.set_ylabel("ms (median)" + (", log scale" if log else ""))
    handles, labels = [], []
    for ax in axes.flat:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in labels:
                handles.append(h), labels.append(l)
    fig.legend(handles, labels, loc="lower center", ncol=min(5, len(labels)), frameon=False,
               bbox_to_anchor=(0.5, -0.01))
    fig.suptitle("Time per phase of each workload, ms (lower is better)", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    common.footer(fig, doc)
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
