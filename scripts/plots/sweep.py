#!/usr/bin/env python3
"""Parameter sweeps: each figure against the swept parameter (e.g. time and commit calls against commit_step).

One figure per workload and swept parameter; one line per allocator (and dispatch), the median with a
min-max band over the repetitions.
"""
import sys

import common
import loader
from common import plt

NAME = "sweep"

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
        cols = min(3, len(panels))
        rows = (len(panels) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 3.3 * rows), squeeze=False)
        x = range(len(values))
        for ax, panel in zip(axes.flat, panels):
            fig_name = panel[0]
            ylabel, scale = _axis(panel)
            all_vals = []
            for label, (alloc, by_value) in sorted(lines.items()):
                pts = [(i, by_value[v]["figures"].get(fig_name)) for i, v in enumerate(values) if v in by_value]
                pts = [(i, s) for i, s in pts if s]
                if not pts:
                    continue
                xi = [i for i, _ in pts]
                med = [s["median"] / scale for _, s in pts]
                ax.plot(xi, med, marker="o", color=common.colour(alloc), label=label,
                        linestyle="--" if "virtual" in label else "-")
                ax.fill_between(xi, [s["min"] / scale for _, s in pts], [s["max"] / scale for _, s in pts],
                                color=common.colour(alloc), alpha=0.15)
                for i, m in zip(xi, med):
                    ax.annotate(common.fmt_number(m), (i, m), textcoords="offset points", xytext=(0, 5), ha="center",
                                fontsize=7)
                all_vals += med
            if common.use_log(all_vals):
                # zeros (e.g. no commit at all with a 2 MiB step) stay visible on a symmetric log axis
                ax.set_yscale("symlog", linthresh=1) if min(all_vals) <= 0 else ax.set_yscale("log")
            elif all_vals and min(all_vals) >= 0:
                ax.set_ylim(bottom=0)  # a flat line must look flat, not magnified noise
            ax.set_xticks(list(x), values)
            ax.set_xlabel(param)
            ax.set_title(ylabel, fontsize=10)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        axes.flat[0].legend(fontsize=8)
        fig.suptitle(f"{workload}: sweep of {param} (median; band: min-max over repetitions)", x=0.01, ha="left")
        fig.tight_layout(rect=(0, 0, 1, 0.95))
        common.footer(fig, doc)
        written += common.save(fig, out_dir, f"{NAME}-{workload}-{param}", formats)
    if not written:
        raise common.Skip("every swept parameter has a single value")
    return written


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
