#!/usr/bin/env python3
"""Peak RSS per allocator and workload, and commit / decommit system calls per allocator.

Peak RSS is the measured phase's own (VmHWM minus the baseline). Commit counts are the memory system
calls of a traced pass when the run had --syscalls (every allocator, one method), else the allocator's
own counters (arena, pool); allocators without either are left out of that panel and named.
"""
import sys

import common
from common import plt

NAME = "memory"


def _groups(doc):
    return common.plain_groups(doc)


def _summary(g, name):
    s = g["figures"].get(name)
    return None if s is None else (s["median"], s["min"], s["max"])


def _grouped(ax, rows, workloads, allocators, scale=1.0):
    width = 0.8 / max(1, len(allocators))
    values = []
    for i, alloc in enumerate(allocators):
        xs, med, lo, hi = [], [], [], []
        for j, w in enumerate(workloads):
            v = rows.get((w, alloc))
            if v is None:
                continue
            m, mn, mx = (max(x, 0) / scale for x in v)
            xs.append(j - 0.4 + width * (i + 0.5))
            med.append(m), lo.append(max(m - mn, 0)), hi.append(max(mx - m, 0))
            values += [m]
        if xs:
            bars = ax.bar(xs, med, width * 0.92, color=common.colour(alloc), label=alloc, yerr=[lo, hi], capsize=2,
                          error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
            names = [w for w in workloads if rows.get((w, alloc)) is not None]
            for rect, w, m, l, h in zip(bars.patches, names, med, lo, hi):
                common.hover(rect, f"{w}, {alloc}: {common.fmt_number(m)} (median; {common.fmt_number(m - l)} - "
                                   f"{common.fmt_number(m + h)})")
    ax.set_xticks(range(len(workloads)), workloads)
    return values


def render(doc, out_dir, formats=("png", "svg")):
    groups = _groups(doc)
    rss = {(g["workload"], g["allocator"]): _summary(g, "peak_rss_delta_bytes") for g in groups}
    rss = {k: v for k, v in rss.items() if v is not None}
    # System-call counts for every allocator, when the results have them; else the heaps' own counters.
    # System-call counts (vmbench run --syscalls: one traced pass, the same method for every allocator) when
    # the results have them; else the heaps' own counters (arena and pool only).
    traced = any(isinstance(g.get("syscalls"), dict) for g in groups)
    commits = {}
    for g in groups:
        if traced:
            sc = g.get("syscalls")
            if isinstance(sc, dict):
                c, d = sc["commits"], sc["decommits"]
                commits[(g["workload"], g["allocator"])] = ((c, c, c), (d, d, d))
        else:
            c, d = _summary(g, "heap_commit_calls"), _summary(g, "heap_decommit_calls")
            if c is not None:
                commits[(g["workload"], g["allocator"])] = (c, d)
    if not rss and not commits:
        raise common.Skip("no peak RSS and no commit counts in any group")
    workloads = common.order_workloads(g["workload"] for g in groups)
    panels = (1 if rss else 0) + (1 if commits else 0)
    fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 4.6), squeeze=False)
    axes = list(axes[0])
    notes = []
    if rss:
        ax = axes.pop(0)
        allocs = common.order_allocators(a for _, a in rss)
        ylabel, divisor = common.axis("peak_rss_delta_bytes")
        vals = _grouped(ax, rss, workloads, allocs, scale=divisor)
        if common.value_axis(ax, vals):
            ax.set_ylim(top=max(vals) * 40)  # headroom: the legend sits above the tallest bar
        else:
            ax.set_ylim(top=max(vals) * 1.35)
        ax.set_ylabel(ylabel + (" (log)" if common.use_log(vals) else ""))
        ax.set_title("Peak resident memory (lower is better)")
        ax.legend(fontsize=8, ncol=5, loc="upper center")
    if commits:
        ax = axes.pop(0)
        allocs = common.order_allocators(a for _, a in commits)
        labels, cvals, dvals, colours = [], [], [], []
        for w in workloads:
            for a in allocs:
                if (w, a) in commits:
                    c, d = commits[(w, a)]
                    labels.append(f"{w}\n{a}" if len(workloads) > 1 else a)
                    cvals.append(c[0]), dvals.append(d[0] if d else 0), colours.append(common.colour(a))
        x = range(len(labels))
        cbars = ax.bar([i - 0.2 for i in x], cvals, 0.4, color=colours, label="commit calls")
        dbars = ax.bar([i + 0.2 for i in x], dvals, 0.4, color=colours, hatch="//", alpha=0.55, label="decommit calls")
        for rect, label, v in zip(cbars.patches, labels, cvals):
            common.hover(rect, f"{label.replace(chr(10), ', ')}: {v:.0f} commit calls")
        for rect, label, v in zip(dbars.patches, labels, dvals):
            common.hover(rect, f"{label.replace(chr(10), ', ')}: {v:.0f} decommit calls")
        for i, (c, d) in enumerate(zip(cvals, dvals)):
            ax.annotate(f"{c:.0f}", (i - 0.2, c), ha="center", va="bottom", fontsize=7)
            ax.annotate(f"{d:.0f}", (i + 0.2, d), ha="center", va="bottom", fontsize=7)
        if common.use_log(cvals + dvals) and min(cvals + dvals) <= 0:
            # zero calls (a bar of height 0) must stay readable as "0": symmetric log below 1
            common.symlog_axis(ax)
        else:
            common.value_axis(ax, cvals + dvals)
        ax.set_xticks(list(x), labels, fontsize=8, rotation=30 if len(labels) > 6 else 0,
                      ha="right" if len(labels) > 6 else "center")
        ax.set_ylabel("calls during the measured phase" + (" (one traced pass)" if traced else " (median)"))
        src = "system calls, traced pass" if traced else "the allocator's own counters"
        ax.set_title(f"Commit / decommit calls ({src}; fewer is better)")
        ax.legend(fontsize=8)
        missing = sorted({g["allocator"] for g in groups} - {a for _, a in commits})
        if missing:
            notes.append(("not traced: " if traced else "no commit counters for ") +
                         ", ".join(common.order_allocators(missing)))
    common.footer(fig, doc, "; ".join(notes))
    fig.tight_layout()
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
