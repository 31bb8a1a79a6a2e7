#!/usr/bin/env python3
"""Comparison of two result files, coloured by `vmbench compare`'s own verdict on each figure.

One bar per judged figure: the time and peak RSS of every cell the files share, and every other figure
compare judged worse or better (a commit count that grew, say), so that no judged regression is missing.
The bar is the change of the median in percent; its colour is compare's verdict (the U test and the
thresholds decide, not this script), and its label says the verdict in words and, where compare gave
one, the p value. A change too large for the axis is drawn to the edge and labelled with its value.
"""
import sys
import textwrap

import common
import verdicts
from common import plt
from matplotlib.ticker import MaxNLocator

NAME = "compare"
NEEDS_TWO_FILES = True
COLOURS = {"worse": "#d62728", "better": "#2ca02c", "unchanged": "#9e9e9e", "not judged": "#ffffff"}
AXIS_LIMIT_PERCENT = 150.0  # changes beyond this are clipped to the edge: one +49,962% must not flatten the rest


def fmt_value(value, unit):
    if value is None:
        return "n/a"
    if unit == "s":
        return common.fmt_seconds(value)
    if unit == "bytes":
        return common.fmt_bytes(value)
    return common.fmt_number(value)


def _label(row):
    try:
        f = common.figure(row["figure"])
        text = f["label"]
        b = common.better(row["figure"])
    except KeyError:  # a figure this vmbench does not describe: its name
        text, b = row["figure"], ""
    return f"{row['cell']}  {text}" + (f" ({b})" if b else "")


def _bar_text(row):
    change = row.get("change")
    pct = "from 0" if change is None else f"{change * 100:+,.1f}%"
    p = row.get("p")
    return f"{pct} {row['verdict']}" + (f" (p {p:.2g})" if isinstance(p, (int, float)) and row.get("kind") == "timing"
                                        else "")


def _hover_text(row):
    u = row.get("unit")
    parts = [f"{row['cell']} {row['figure']}: {fmt_value(row.get('base'), u)} -> {fmt_value(row.get('new'), u)}",
             _bar_text(row), f"threshold: {row.get('threshold')}"]
    if row.get("note"):
        parts.append(row["note"])
    return "; ".join(parts)


def render(a, b, out_dir, formats=("png", "svg")):
    """A is the base (the reference), B the results judged against it."""
    try:
        answer = verdicts.compare(a, b)
    except verdicts.NoVerdicts as e:
        raise common.Skip(str(e))
    rows = verdicts.shown_rows(answer)
    cells = list(dict.fromkeys(r["cell"] for r in rows))
    first = {"wall_s": 0, "peak_rss_delta_bytes": 1}
    rows.sort(key=lambda r: (cells.index(r["cell"]), first.get(r["figure"], 2)))
    if not rows:
        raise common.Skip("the two files have no cell in common (same workload, allocator, dispatch, sweep)")
    changes = [r["change"] * 100 for r in rows if isinstance(r.get("change"), (int, float))]
    right = min(AXIS_LIMIT_PERCENT, max([abs(c) for c in changes] + [10.0]) * 1.15)
    fig, ax = plt.subplots(figsize=(12, 0.3 * len(rows) + 2.4))
    for y, r in enumerate(rows):
        change = r.get("change")
        shown = right if change is None else max(-right, min(right, change * 100))
        clipped = change is None or abs(change * 100) > right
        verdict = r.get("verdict", "not judged")
        (bar,) = ax.barh([y], [shown], color=COLOURS.get(verdict, "#ffffff"), edgecolor="#555555",
                         linewidth=0.6, hatch="///" if verdict not in verdicts.JUDGED else None)
        common.hover(bar, _hover_text(r))
        text = _bar_text(r) + (" (beyond the axis)" if clipped else "")
        judged = verdict in ("worse", "better")  # a judged change may be small: its label carries the colour too
        ax.annotate(text, (shown, y), textcoords="offset points", xytext=(4 if shown >= 0 else -4, 0),
                    ha="left" if shown >= 0 else "right", va="center", fontsize=7,
                    color=COLOURS[verdict] if judged else "black", fontweight="bold" if judged else "normal")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-right * 1.9, right * 1.9)  # room for the labels on both sides
    ticks = [t for t in MaxNLocator(nbins=6, symmetric=True).tick_values(-right, right) if abs(t) <= right]
    ax.set_xticks(ticks, [f"{t:+.0f}%" if t else "0" for t in ticks])
    ax.set_yticks(range(len(rows)), [_label(r) for r in rows], fontsize=7.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top, no empty margin
    ax.set_xlabel("change of the median, % (new / base - 1); the colour is compare's verdict, which knows whether "
                  "higher or lower is better for each figure")
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="#555555", hatch="///" if v == "not judged" else None)
               for v, c in COLOURS.items()]
    ax.legend(handles, list(COLOURS), loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8,
              title="compare's verdict", title_fontsize=8)
    verdict = textwrap.fill("vmbench compare: " + str(answer.get("verdict", "")), 160)
    ax.set_title(verdict, loc="left", fontsize=7.5, color="#333333")
    fig.suptitle("Second run against first, per figure, coloured by vmbench compare's verdict", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    notes = "; ".join(answer.get("notes") or [])
    common.footer(fig, b, "first: " + common.context_line(a) + (f"  |  {notes}" if notes else ""))
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
