#!/usr/bin/env python3
"""Fragmentation at the workload's checkpoints: live bytes against resident memory, per allocator.

At each checkpoint the cell read the live bytes L (what the program still uses) and the RSS R at the
same instant. R is shown above the baseline taken before the measured phase. Where R stays high while
L drops (frag's `after free`), the allocator keeps memory the program no longer uses.
"""
import sys

import numpy as np

import common
import loader
from common import plt

NAME = "fragmentation"


def checkpoint_table(doc, workload):
    """{allocator: [(label, live median, rss-delta median)]} over the repetitions of unswept groups."""
    out = {}
    for g in common.plain_groups(doc):
        if g["workload"] != workload:
            continue
        per_label = {}
        for c in loader.cells_of(doc, g):
            base = common.cell_value(c, "rss_baseline_bytes")
            if base is None:
                continue
            for cp in c["figures"].get("checkpoints", []):
                per_label.setdefault(cp["label"], []).append((cp["live_bytes"], cp["rss_bytes"] - base))
        if per_label:
            out[g["allocator"]] = [(label, float(np.median([v[0] for v in vals])),
                                    float(np.median([v[1] for v in vals]))) for label, vals in per_label.items()]
    return out


def render(doc, out_dir, formats=("png", "svg")):
    workloads = common.order_workloads(g["workload"] for g in doc["groups"])
    # frag exists for this figure; other workloads with at least two checkpoints are drawn too.
    written = []
    reasons = []
    for w in workloads:
        table = checkpoint_table(doc, w)
        if not table:
            reasons.append(f"{w}: no checkpoints")
            continue
        if max(len(v) for v in table.values()) < 2 and w != "frag":
            continue
        allocs = common.order_allocators(table)
        cols = min(3, len(allocs))
        rows = (len(allocs) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False, sharey=True)
        top = max(max(max(l, r) for _, l, r in v) for v in table.values()) / 2 ** 20
        for ax, alloc in zip(axes.flat, allocs):
            labels = [t[0] for t in table[alloc]]
            live = [t[1] / 2 ** 20 for t in table[alloc]]
            rss = [max(t[2], 0) / 2 ** 20 for t in table[alloc]]
            x = np.arange(len(labels))
            lbars = ax.bar(x - 0.2, live, 0.4, color="#9ecae1", label="live bytes (in use)")
            rbars = ax.bar(x + 0.2, rss, 0.4, color=common.colour(alloc), label="RSS above baseline")
            for lr, rr, lab, l, r in zip(lbars.patches, rbars.patches, labels, live, rss):
                common.hover(lr, f"{alloc}, {lab}: {l:.2f} MiB live")
                common.hover(rr, f"{alloc}, {lab}: {r:.2f} MiB RSS above the baseline" +
                             (f", {r / l:.1f}x the live bytes" if l > 0 else ""))
            for xi, (l, r) in enumerate(zip(live, rss)):
                if l > 0 and r > 0:
                    ax.annotate(f"{r / l:.1f}x", (xi + 0.2, r), ha="center", va="bottom", fontsize=7.5)
            ax.set_xticks(x, [l.replace(" ", "\n", 1) for l in labels], fontsize=8)
            ax.set_title(alloc, color=common.colour(alloc), fontweight="bold")
            ax.set_ylim(0, top * 1.18)
        for ax in axes.flat[len(allocs):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("MiB (RSS closer to live is better)")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper right", ncol=2, frameon=False, bbox_to_anchor=(1.0, 1.0))
        fig.suptitle(f"{w}: memory in use vs memory held at each checkpoint (label: RSS / live)", x=0.01,
                     ha="left", fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 0.95))
        common.footer(fig, doc, "medians over repetitions; RSS is noisy below a few hundred KiB")
        written += common.save(fig, out_dir, f"{NAME}-{w}", formats)
    if not written:
        raise common.Skip("no cell has checkpoints (" + "; ".join(reasons) + ")")
    return written


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
