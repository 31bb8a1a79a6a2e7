#!/usr/bin/env python3
"""The cost of the Allocator interface: wall time through virtual dispatch over inline, per allocator.

Needs a run with `--dispatch both`: each combination ran both ways in the same run, interleaved.
A ratio of 1.10 means the indirect call made that workload 10% slower on that allocator.
"""
import sys

import numpy as np

import common
from common import plt

NAME = "dispatch"


def ratios(doc):
    by_key = {}
    for g in doc["groups"]:
        if g.get("swept"):
            continue
        by_key.setdefault((g["workload"], g["allocator"]), {})[g["dispatch"]] = g
    out = {}
    for (w, a), d in by_key.items():
        if "inline" in d and "virtual" in d:
            i, v = d["inline"]["figures"].get("wall_s"), d["virtual"]["figures"].get("wall_s")
            if i and v and i["median"] > 0:
                # spread: the extreme ratios the repetitions allow
                out[(w, a)] = (v["median"] / i["median"], v["min"] / i["max"], v["max"] / i["min"])
    return out


def render(doc, out_dir, formats=("png", "svg")):
    r = ratios(doc)
    if not r:
        raise common.Skip("no combination ran both inline and virtual (vmbench run --dispatch both)")
    workloads = common.order_workloads(w for w, _ in r)
    allocs = common.order_allocators(a for _, a in r)
    width = 0.8 / len(allocs)
    fig, ax = plt.subplots(figsize=(max(7, 1.8 * len(workloads) + 2), 4.4))
    for i, a in enumerate(allocs):
        xs, med, lo, hi = [], [], [], []
        for j, w in enumerate(workloads):
            if (w, a) in r:
                m, mn, mx = r[(w, a)]
                xs.append(j - 0.4 + width * (i + 0.5)), med.append(m), lo.append(m - mn), hi.append(mx - m)
        bars = ax.bar(xs, np.array(med) - 1, width * 0.92, bottom=1, color=common.colour(a), label=a, yerr=[lo, hi],
                      capsize=2, error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
        names = [w for w in workloads if (w, a) in r]
        for rect, w, m, l, h in zip(bars.patches, names, med, lo, hi):
            common.hover(rect, f"{w}, {a}: virtual / inline {m:.2f} (repetitions allow {m - l:.2f} - {m + h:.2f})")
        for x, m in zip(xs, med):
            ax.annotate(f"{m:.2f}", (x, m), textcoords="offset points", xytext=(0, 3 if m >= 1 else -10),
                        ha="center", fontsize=7)
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_xticks(range(len(workloads)), workloads)
    ax.set_ylabel("virtual / inline wall time (median), a ratio")
    ax.set_title("Cost of calling through the Allocator interface (above 1: slower; closer to 1 is better)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    common.footer(fig, doc, "whiskers: extreme ratios over repetitions")
    return common.save(fig, out_dir, NAME, formats)


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
