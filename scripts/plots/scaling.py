#!/usr/bin/env python3
"""Scaling over threads: per-thread throughput against the thread count, one line per allocator.

One panel per workload run at two or more thread counts (vmbench run --threads 1,2,4,...): the median
of `thread_ops_per_s` with a min-max band over the repetitions, and under it the scaling efficiency
(per-thread throughput over the same allocator's at 1 thread) where the run has a 1-thread group. A flat
line is perfect scaling; a falling one is what the allocator loses when threads share it (locks, cache
lines bouncing between cores, frees handed back across threads), or what time-slicing costs when the
run had more threads than CPUs (the footer says how many CPUs the machine had).
"""
import sys

import common
from common import plt

NAME = "scaling"
PER_THREAD = "thread_ops_per_s"
EFFICIENCY = "scaling_efficiency"


def _threads(g):
    """A group's thread count: its `threads` parameter (files before it: 1)."""
    return int((g.get("params") or {}).get("threads", "1"))


def _line_label(g, param_groups):
    """The allocator, plus the dispatch and any other swept parameter that tells lines apart."""
    other = {k: v for k, v in (g.get("swept") or {}).items() if k != "threads"}
    label = common.group_label(g, with_dispatch=len(param_groups) > 1, with_swept=False)
    return label + (" " + ",".join(f"{k}={v}" for k, v in sorted(other.items())) if other else "")


def scaling_lines(doc):
    """{workload: {line label: (allocator, {threads: group})}} for workloads run at 2+ thread counts."""
    out = {}
    for g in doc["groups"]:
        if g.get("reps_ok", 0) > 0 and (g["figures"].get(PER_THREAD) or {}).get("median") is not None:
            out.setdefault(g["workload"], []).append(g)
    lines = {}
    for workload, groups in out.items():
        if len({_threads(g) for g in groups}) < 2:
            continue
        dispatches = {g.get("dispatch") for g in groups}
        for g in groups:
            entry = lines.setdefault(workload, {}).setdefault(_line_label(g, dispatches), (g["allocator"], {}))
            entry[1][_threads(g)] = g
    return lines


def _draw(ax, lines, figure, scale, unit_text):
    """Median and min-max band of `figure` per line, each point's value on hover; returns the medians."""
    drawn = []
    for label, (alloc, by_threads) in sorted(lines.items(), key=lambda kv: kv[0]):
        pts = [(n, by_threads[n]["figures"].get(figure)) for n in sorted(by_threads)]
        pts = [(n, s) for n, s in pts if s]
        if not pts:
            continue
        xs = [n for n, _ in pts]
        med = [s["median"] / scale for _, s in pts]
        colour = common.colour(alloc)
        ax.plot(xs, med, color=colour, label=label, linestyle="--" if "virtual" in label else "-")
        ax.fill_between(xs, [s["min"] / scale for _, s in pts], [s["max"] / scale for _, s in pts],
                        color=colour, alpha=0.15)
        common.hover_points(ax, xs, med, [f"{label}, {n} thread{'s' if n > 1 else ''}: {common.fmt_number(m)}"
                                          f"{unit_text} (min {common.fmt_number(s['min'] / scale)}, max "
                                          f"{common.fmt_number(s['max'] / scale)})" for (n, s), m in zip(pts, med)],
                            colour, size=5)
        drawn += med
    return drawn


def _thread_axis(ax, counts):
    """Ticks at the thread counts run, and no others. Doubling counts (1,2,4,...) read evenly on a
    log2 axis; with fewer than 3 counts a log axis would be unreadable (common.save would turn it
    linear and lose these ticks), so two counts get a linear axis."""
    if len(counts) >= 3:
        ax.set_xscale("log", base=2)
    ax.set_xticks(counts, [str(n) for n in counts])
    ax.minorticks_off()
    pad = 0.1 * (counts[-1] - counts[0]) if len(counts) < 3 else 0
    ax.set_xlim(counts[0] / (1.15 if pad == 0 else 1) - pad, counts[-1] * (1.15 if pad == 0 else 1) + pad)


def render(doc, out_dir, formats=("png", "svg")):
    found = scaling_lines(doc)
    if not found:
        raise common.Skip("no workload was run at two or more thread counts (vmbench run --threads 1,2,4)")
    workloads = common.order_workloads(found)
    with_efficiency = any((g["figures"].get(EFFICIENCY) or {}).get("median") is not None
                          for w in workloads for _, by in found[w].values() for g in by.values())
    rows = 2 if with_efficiency else 1
    fig, axes = plt.subplots(rows, len(workloads), figsize=(4.6 * len(workloads), 3.6 * rows), squeeze=False)
    ylabel, scale = common.axis(PER_THREAD)
    for col, w in enumerate(workloads):
        counts = sorted({n for _, by in found[w].values() for n in by})
        ax = axes[0][col]
        common.value_axis(ax, _draw(ax, found[w], PER_THREAD, scale, " M/s" if scale == 1e6 else ""))
        ax.set_title(f"{w}: {ylabel}\n({common.better(PER_THREAD)})", fontsize=9.5)
        _thread_axis(ax, counts)
        ax.legend(fontsize=7)
        if with_efficiency:
            eff = axes[1][col]
            _draw(eff, found[w], EFFICIENCY, 1, "")
            eff.axhline(1.0, color="#888888", linewidth=0.8, linestyle=":")
            eff.set_ylim(bottom=0)
            _thread_axis(eff, counts)
            eff.set_title(f"{w}: {common.figure(EFFICIENCY)['label']}, 1 = no loss per thread\n"
                          f"({common.better(EFFICIENCY)})", fontsize=9.5)
        axes[rows - 1][col].set_xlabel("threads")
    fig.suptitle("Scaling over threads (median; band: min-max over repetitions)", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    cpus = doc["context"].get("cpu_count", "?")
    common.footer(fig, doc, f"{cpus} logical CPUs: thread counts above it measure time-slicing")
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
