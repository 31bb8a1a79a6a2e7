#!/usr/bin/env python3
"""Comparison of two result files: per matching group, the ratio of the second run to the first.

Groups are matched on their key (workload/allocator/dispatch/swept parameters). Ratios of median wall
time and of median peak RSS; below 1 the second run is faster or smaller. Timings of two separate runs
carry the machine's noise (10-30% on shared machines): read small ratios as no change.
"""
import sys

import common
from common import plt

NAME = "compare"
NEEDS_TWO_FILES = True
NOISE_BAND = 0.10  # +-10%: shaded, within run-to-run noise for wall time


def pairs(a, b):
    gb = {g["key"]: g for g in b["groups"]}
    out = []
    for g in a["groups"]:
        h = gb.get(g["key"])
        if h is None:
            continue
        row = [g["key"]]
        for fig in ("wall_s", "peak_rss_delta_bytes"):
            x, y = g["figures"].get(fig), h["figures"].get(fig)
            row.append(y["median"] / x["median"] if x and y and x["median"] > 0 and y["median"] > 0 else None)
        out.append(row)
    return out


def render(a, b, out_dir, formats=("png", "svg")):
    rows = pairs(a, b)
    if not rows:
        raise common.Skip("the two files have no group in common (same workload, allocator, dispatch, sweep)")
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.32 * len(rows) + 1.8), sharey=True)
    labels = [r[0] for r in rows]
    for ax, idx, title in ((axes[0], 1, "wall time, second / first"), (axes[1], 2, "peak RSS, second / first")):
        vals = [r[idx] for r in rows]
        ys = [i for i, v in enumerate(vals) if v is not None]
        vs = [v for v in vals if v is not None]
        colours = ["#1b9e77" if v < 1 - NOISE_BAND else "#d95f02" if v > 1 + NOISE_BAND else "#999999" for v in vs]
        ax.barh(ys, [v - 1 for v in vs], left=1, color=colours)
        ax.axvline(1, color="black", linewidth=0.8)
        ax.axvspan(1 - NOISE_BAND, 1 + NOISE_BAND, color="#dddddd", alpha=0.5, zorder=0)
        for y, v in zip(ys, vs):
            ax.annotate(f"{v:.2f}", (v, y), textcoords="offset points", xytext=(3 if v >= 1 else -3, 0),
                        ha="left" if v >= 1 else "right", va="center", fontsize=7)
        if common.use_log(vs + [1]):
            ax.set_xscale("log")
        ax.set_title(title + " (below 1: better)")
        missing = len(vals) - len(vs)
        if missing:
            ax.set_xlabel(f"{missing} group(s) without this figure in one file")
    axes[0].set_yticks(range(len(labels)), labels, fontsize=8)
    axes[0].invert_yaxis()
    fig.suptitle("Second run against first (grey band: +-10%, within run-to-run noise)", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    common.footer(fig, b, "first: " + common.context_line(a))
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
