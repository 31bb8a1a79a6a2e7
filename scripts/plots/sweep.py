#!/usr/bin/env python3
"""Parameter sweeps: each figure against the swept parameter (e.g. time and commit calls against commit_step).

One figure per workload and swept parameter; one series per allocator (and dispatch, and value of any
other swept parameter), each with its own colour and marker: the allocator's colour, in lighter and darker
shades when it has several series. A numeric parameter (sizes, counts) is drawn as lines with a min-max
band over the repetitions; a categorical one (on/off, a pattern) as grouped bars with min-max whiskers,
since no line between two categories means anything. Each panel names its unit and better direction.
"""
import sys

import common
import loader
from common import plt

NAME = "sweep"
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

# Panels, in order: a figure of the registry (its label and unit from the tool; a scale of our own where
# the default, ms or MiB, would print unreadable numbers), or the traced pass's commits (one value).
TRACED = "traced commits"  # not a figure: g["syscalls"]["commits"], drawn as a panel
PANELS = [
    ("wall_s", None, None),
    (TRACED, 1, "commit system calls (traced)"),
    ("heap_commit_calls", None, None),
    ("heap_decommit_calls", None, None),
    ("heap_peak_committed_bytes", None, None),
    ("heap_reserved_bytes", 2 ** 30, "GiB"),
    ("peak_rss_delta_bytes", None, None),
    ("page_table_delta_bytes", 2 ** 10, "KiB"),
    ("minor_faults", None, None),
    ("cpu_sys_s", None, None),
]


def _axis(panel):
    """(title, divisor) of a panel."""
    name, scale, unit = panel
    return (unit, scale) if name == TRACED else common.axis(name, scale, unit)


def categorical(param, values):
    """True for a parameter whose values are categories: a `choice` or `text` parameter in vmbench's
    description, or any value that is not a number or a size."""
    desc = loader.describe()
    kinds = [p.get("kind") for p in desc.get("allocator_params", []) if p.get("name") == param]
    kinds += [p.get("kind") for w in desc.get("workloads", []) for p in w.get("params", []) if p.get("name") == param]
    return any(k in ("choice", "text") for k in kinds) or any(common.size_value(v) is None for v in values)


def series_styles(lines):
    """{label: (colour, marker)}: the allocator's colour, shaded apart when it has several series, and a
    marker of its own per series."""
    from matplotlib.colors import to_rgb
    by_alloc = {}
    for label in sorted(lines):
        by_alloc.setdefault(lines[label][0], []).append(label)
    styles, k = {}, 0
    for alloc, labels in by_alloc.items():
        base = to_rgb(common.colour(alloc))
        for i, label in enumerate(labels):
            # spread the shades from darker to lighter around the allocator's own colour
            t = 0.0 if len(labels) == 1 else -0.45 + 0.9 * i / (len(labels) - 1)
            shade = tuple(c * (1 + t) if t < 0 else c + (1 - c) * t for c in base)
            styles[label] = (shade, MARKERS[k % len(MARKERS)])
            k += 1
    return styles


def _panel_title(panel, ylabel):
    name = panel[0]
    b = "lower is better" if name == TRACED else common.better(name)
    return ylabel + (f"\n({b})" if b else "")


def _draw_lines(ax, lines, styles, values, fig_name, scale):
    drawn = []
    for label, (alloc, by_value) in sorted(lines.items()):
        pts = [(i, by_value[v]["figures"].get(fig_name)) for i, v in enumerate(values) if v in by_value]
        pts = [(i, s) for i, s in pts if s]
        if not pts:
            continue
        colour, marker = styles[label]
        xi = [i for i, _ in pts]
        med = [s["median"] / scale for _, s in pts]
        ax.plot(xi, med, marker=marker, color=colour, label=label, linestyle="--" if "virtual" in label else "-")
        ax.fill_between(xi, [s["min"] / scale for _, s in pts], [s["max"] / scale for _, s in pts],
                        color=colour, alpha=0.15)
        common.hover_points(ax, xi, med, [f"{label}, {values[i]}: {common.fmt_number(m)} (min "
                                          f"{common.fmt_number(s['min'] / scale)}, max {common.fmt_number(s['max'] / scale)})"
                                          for (i, s), m in zip(pts, med)], colour, marker=marker, size=5)
        for i, m in zip(xi, med):
            ax.annotate(common.fmt_number(m), (i, m), textcoords="offset points", xytext=(0, 5), ha="center",
                        fontsize=7)
        drawn += med
    return drawn


def _draw_bars(ax, lines, styles, values, fig_name, scale):
    drawn = []
    labels = sorted(lines)
    width = 0.8 / max(1, len(labels))
    for k, label in enumerate(labels):
        alloc, by_value = lines[label]
        colour, _ = styles[label]
        legend_label = label
        for i, v in enumerate(values):
            s = (by_value.get(v) or {}).get("figures", {}).get(fig_name)
            if not s:
                continue
            m = s["median"] / scale
            x = i - 0.4 + width * (k + 0.5)
            bars = ax.bar([x], [m], width * 0.92, color=colour, label=legend_label,
                          yerr=[[m - s["min"] / scale], [s["max"] / scale - m]], capsize=2,
                          error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
            legend_label = None  # one legend entry per series
            common.hover(bars.patches[0], f"{label}, {v}: {common.fmt_number(m)}")
            ax.annotate(common.fmt_number(m), (x, m), textcoords="offset points", xytext=(0, 3), ha="center",
                        fontsize=6.5)
            drawn.append(m)
    return drawn


def sweeps(doc):
    """{(workload, parameter): [group, ...]} for groups that swept exactly that one parameter."""
    out = {}
    for g in doc["groups"]:
        for p in g.get("swept") or {}:
            out.setdefault((g["workload"], p), []).append(g)
    return out


def _with_reserved(doc, g):
    """The group's figures plus `heap_reserved_bytes` from its cells (a figure vmbench does not summarise)
    and the traced commits."""
    vals = [v for v in (common.cell_value(c, "heap_reserved_bytes") for c in loader.cells_of(doc, g)) if v is not None]
    figs = dict(g["figures"])
    sc = g.get("syscalls")
    if isinstance(sc, dict) and isinstance(sc.get("commits"), int):  # one traced pass: no spread
        figs[TRACED] = {"median": sc["commits"], "min": sc["commits"], "max": sc["commits"]}
    if vals:
        figs["heap_reserved_bytes"] = {"median": sorted(vals)[len(vals) // 2], "min": min(vals), "max": max(vals)}
    return dict(g, figures=figs)


def render(doc, out_dir, formats=("png", "svg")):
    found = {k: [_with_reserved(doc, g) for g in v] for k, v in sweeps(doc).items()}
    if not found:
        raise common.Skip("no parameter was swept in this run (vmbench run -p NAME=V1,V2,...)")
    written = []
    for (workload, param), groups in sorted(found.items()):
        values = sorted({g["swept"][param] for g in groups}, key=lambda v: (common.size_value(v) is None,
                                                                            common.size_value(v) or 0, v))
        if len(values) < 2:
            continue
        panels = [p for p in PANELS if any((g["figures"].get(p[0]) or {}).get("max") for g in groups)]
        dispatches = {g["dispatch"] for g in groups}
        lines = {}
        for g in groups:
            other = {k: v for k, v in g["swept"].items() if k != param}
            label = common.group_label(g, with_dispatch=len(dispatches) > 1, with_swept=False)
            if other:
                label += " " + ",".join(f"{k}={v}" for k, v in sorted(other.items()))
            lines.setdefault(label, (g["allocator"], {}))[1][g["swept"][param]] = g
        styles = series_styles(lines)
        as_bars = categorical(param, values)
        cols = min(3, len(panels))
        rows = (len(panels) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 3.3 * rows), squeeze=False)
        x = range(len(values))
        for ax, panel in zip(axes.flat, panels):
            fig_name = panel[0]
            ylabel, scale = _axis(panel)
            draw = _draw_bars if as_bars else _draw_lines
            all_vals = draw(ax, lines, styles, values, fig_name, scale)
            if common.use_log(all_vals) and min(all_vals) <= 0 and not as_bars:
                # zeros (e.g. no commit at all with a 2 MiB step) stay visible on a symmetric log axis
                common.symlog_axis(ax)
            else:
                # a log axis with 1-2-5 ticks, or linear from 0: a flat line must look flat, not magnified noise
                common.value_axis(ax, all_vals)
            ax.set_xticks(list(x), values)
            ax.set_xlabel(param + (" (categories)" if as_bars else ""))
            ax.set_title(_panel_title(panel, ylabel), fontsize=9.5)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        h = fig.get_figheight()
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, 1 - 0.3 / h), ncol=min(6, len(labels)),
                   frameon=False, fontsize=8.5)
        spread = "whiskers" if as_bars else "band"
        fig.suptitle(f"{workload}: sweep of {param} (median; {spread}: min-max over repetitions)", x=0.01, ha="left")
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.65 / h))
        common.footer(fig, doc)
        written += common.save(fig, out_dir, f"{NAME}-{workload}-{param}", formats)
    if not written:
        raise common.Skip("every swept parameter has a single value")
    return written


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
