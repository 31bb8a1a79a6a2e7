#!/usr/bin/env python3
"""A program run (vmbench run --program -- CMD ARGS): the command's time, memory and faults per allocator.

A program has no operation count, so the throughput figure cannot draw it: this one shows what its cells
measure from the outside (wait4). Panels: wall time and CPU time (user + system, every thread and child the
command waited for), the peak RSS of the command's own process, its page faults and, when the run had
--syscalls, the memory system calls of its traced pass. Bars are medians over the repetitions, whiskers
the fastest and the slowest (the smallest and the largest).
"""
import sys

import common
import loader
from common import plt

NAME = "program"


def _spread(values):
    """(median, min, max) of the repetitions' values, or None."""
    vals = sorted(v for v in values if isinstance(v, (int, float)))
    if not vals:
        return None
    n = len(vals)
    mid = vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2
    return mid, vals[0], vals[-1]


def _cpu_s(cell):
    u, s = common.cell_value(cell, "cpu_user_s"), common.cell_value(cell, "cpu_sys_s")
    return None if u is None or s is None else u + s


def rows(doc):
    """[(label, allocator, {series: (median, min, max)})] for the program groups that ran, in allocator order."""
    groups = [g for g in common.plain_groups(doc) if g["workload"] == "program" and g.get("reps_ok")]
    commands = list(dict.fromkeys(g.get("params", {}).get("command", "") for g in groups))
    out = []
    for g in sorted(groups, key=lambda g: (commands.index(g.get("params", {}).get("command", "")),
                                           common.order_allocators(x["allocator"] for x in groups).index(g["allocator"]))):
        cells = loader.cells_of(doc, g)
        label = g["allocator"] if len(commands) == 1 else \
            f"{g['allocator']}\ncommand {commands.index(g.get('params', {}).get('command', '')) + 1}"
        series = {name: _spread(common.cell_value(c, name) for c in cells)
                  for name in ("wall_s", "peak_rss_bytes", "minor_faults", "major_faults", "syscall_commits",
                               "syscall_decommits")}
        series["cpu"] = _spread(_cpu_s(c) for c in cells)
        out.append((label, g["allocator"], series))
    return out, commands


def _bars(ax, data, names, divisor, hatches, what):
    """Side-by-side bars per allocator, one per series in `names`; returns the values drawn."""
    width = 0.8 / len(names)
    drawn = []
    for k, (name, legend) in enumerate(names):
        for i, (label, alloc, series) in enumerate(data):
            v = series.get(name)
            if v is None:
                continue
            m, lo, hi = (x / divisor for x in v)
            x = i - 0.4 + width * (k + 0.5)
            bar = ax.bar([x], [m], width * 0.92, color=common.colour(alloc), hatch=hatches[k],
                         alpha=1.0 if k == 0 else 0.6, yerr=[[m - lo], [hi - m]], capsize=2,
                         error_kw={"elinewidth": 0.8, "ecolor": "#333333"},
                         edgecolor="#333333" if hatches[k] else None, linewidth=0.4)
            common.hover(bar.patches[0], f"{label.replace(chr(10), ', ')}: {legend} {common.fmt_number(m)} {what} "
                                         f"(median; {common.fmt_number(lo)} - {common.fmt_number(hi)})")
            ax.annotate(common.fmt_number(m), (x, hi), ha="center", va="bottom", fontsize=7,
                        textcoords="offset points", xytext=(0, 2))
            drawn += [lo, hi]
    ax.set_xticks(range(len(data)), [label for label, _, _ in data], fontsize=8)
    return drawn


def _panel(ax, data, names, figure_name, title, hatches=("", "//"), ylabel=None):
    label, divisor = common.axis(figure_name)
    ylabel = ylabel or label
    values = _bars(ax, data, names, divisor, hatches, ylabel.rsplit(", ", 1)[-1] if ", " in ylabel else "")
    log = common.value_axis(ax, values)
    ax.set_ylabel(ylabel + (" (log)" if log else ""))
    ax.set_title(f"{title} ({common.better(figure_name)})", fontsize=10)
    if len(names) > 1:  # grey keys: the colour is the allocator's, the hatch the series'
        from matplotlib.patches import Patch
        keys = [Patch(facecolor="#999999", hatch=h, alpha=1.0 if k == 0 else 0.6, edgecolor="#333333", linewidth=0.4,
                      label=legend) for k, ((_, legend), h) in enumerate(zip(names, hatches))]
        ax.legend(handles=keys, fontsize=8, loc="upper left", ncol=len(keys))
    if not log:
        ax.set_ylim(top=max(values) * 1.25 if values else None)  # room for the legend and the labels


def render(doc, out_dir, formats=("png", "svg")):
    data, commands = rows(doc)
    if not data:
        raise common.Skip("no program run in the file (vmbench run --program -- CMD ARGS)")
    traced = any(s.get("syscall_commits") is not None for _, _, s in data)
    panels = 4 if traced else 3
    fig, axes = plt.subplots(1, panels, figsize=(max(4.2, 0.9 * len(data) + 1.8) * panels, 4.4), squeeze=False)
    axes = list(axes[0])
    _panel(axes[0], data, [("wall_s", "wall"), ("cpu", "CPU (user + sys)")], "wall_s", "Time",
           ylabel="time of the command, ms")
    _panel(axes[1], data, [("peak_rss_bytes", "peak RSS")], "peak_rss_bytes", "Peak RSS of the command")
    _panel(axes[2], data, [("minor_faults", "minor"), ("major_faults", "major")], "minor_faults", "Page faults",
           ylabel="page faults of the command")
    if traced:
        _panel(axes[3], data, [("syscall_commits", "commits"), ("syscall_decommits", "decommits")],
               "syscall_commits", "Memory system calls, traced pass", ylabel="system calls (one traced run)")
    shown = commands[0] if len(commands) == 1 else "; ".join(f"{i + 1}: {c}" for i, c in enumerate(commands))
    fig.suptitle(f"Program: {shown[:110]}", fontsize=11)
    common.footer(fig, doc, "bars: median over the repetitions; whiskers: smallest - largest")
    fig.tight_layout()
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
