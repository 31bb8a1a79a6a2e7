#!/usr/bin/env python3
"""Heap map: page-occupancy heat map (live fraction per page; non-resident pages distinct), one panel per
allocator, at the peak and after the big free.

Drawn from each cell's `figures.heap_map` (`vmbench run --heapmap`: at the peak and at each checkpoint,
the span of the live objects cut into bins of a few pages, with live bytes and resident pages per bin).
Colour: live bytes over the bin's bytes; grey: no resident page. Results without one are skipped.

What it counts is not what the timeline counts, and each panel says both: the map's resident pages are
those of the address ranges that hold live objects, absolute (with whatever else sits there: the
allocator's metadata, pages it kept, for a malloc library the workload's own bookkeeping); the timeline's
R is the process's anonymous RSS grown since the phase started, which the snapshot reads too.
"""
import math
import sys

import numpy as np

import common
import loader
from common import plt

NAME = "heapmap"
FIELDS = ("heap_map",)
PADDING = -1.0  # below vmin: drawn in the colour map's "under" colour


PREFERRED = ("peak", "after free", "after large")  # frag: at the peak, after the big free, after regrowth
MAX_PANELS = 4


def _snapshots(hm):
    """vmbench's heap map (`--heapmap`): snapshots of regions cut into bins of `pages_per_bin` pages, each
    with its live bytes and resident pages -> [(label, [live fraction of the bin, or None if not resident])].
    A bin's live fraction is its live bytes over its pages' bytes; regions are drawn one after another."""
    page = hm.get("page_bytes") or 4096
    out = []
    for snap in hm["snapshots"]:
        values = []
        for r in snap.get("regions", []):
            ppb, pages = r["pages_per_bin"], r["pages"]
            for i, (live, resident) in enumerate(zip(r["live_bytes"], r["resident_pages"])):
                in_bin = max(1, min(ppb, pages - i * ppb))
                values.append(None if resident == 0 else min(1.0, live / (in_bin * page)))
        out.append((str(snap.get("label", "?")), values))
    labels = [l for l, _ in out]
    if all(p in labels for p in PREFERRED[:2]):
        return [x for x in out if x[0] in PREFERRED]
    return [x for x in out if x[1]][:MAX_PANELS]


def _maps(cell):
    """[(label, [live fraction or None for non-resident])] from a cell's heap map, whatever its layout."""
    hm = next((cell["figures"][f] for f in FIELDS if cell["figures"].get(f)), None)
    if isinstance(hm, dict) and isinstance(hm.get("snapshots"), list):
        return _snapshots(hm)
    if isinstance(hm, dict):
        hm = hm.get("checkpoints", hm.get("maps", [dict(label=k, pages=v) for k, v in hm.items()]))
    out = []
    for m in hm or []:
        if not isinstance(m, dict):
            continue
        pages = m.get("pages", m.get("live_fraction", m.get("occupancy")))
        if isinstance(pages, list) and pages:
            out.append((str(m.get("label", m.get("checkpoint", "?"))),
                        [None if (p is None or (isinstance(p, (int, float)) and p < 0)) else float(p) for p in pages]))
    return out


def _totals(cell):
    """{label: (live bytes, resident bytes in the map, process RSS growth)} of the snapshots that carry
    them (files written before they did have none)."""
    hm = next((cell["figures"][f] for f in FIELDS if cell["figures"].get(f)), None)
    if not isinstance(hm, dict):
        return {}
    return {str(s.get("label")): (s.get("live_bytes"), s["resident_bytes"], s["rss_delta_bytes"])
            for s in hm.get("snapshots", []) if "resident_bytes" in s and "rss_delta_bytes" in s}


def _caption(n_bins, totals):
    if totals is None:
        return f"{n_bins} bins (groups of pages), address order"
    live, resident, rss = totals
    return (f"{common.fmt_bytes(live)} live in {common.fmt_bytes(resident)} resident here;\n"
            f"process RSS {'+' if rss >= 0 else ''}{common.fmt_bytes(rss)} since the start (the timeline's R)")


def render(doc, out_dir, formats=("png", "svg")):
    cells = [c for c in loader.ok_cells(doc) if _maps(c)
             and not any(g["key"] == c["key"] and g.get("swept") for g in doc["groups"])]
    if not cells:
        raise common.Skip("the results have no heap map (cells[].figures.heap_map is absent: run with "
                          "--heapmap)")
    written = []
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("#bdbdbd")  # non-resident pages
    cmap.set_under("white")  # padding after the last bin
    for w in common.order_workloads(c["workload"] for c in cells):
        first = {}
        for c in cells:
            if c["workload"] == w:
                first.setdefault(c["allocator"], c)
        allocs = common.order_allocators(first)
        labels = list(dict.fromkeys(l for a in allocs for l, _ in _maps(first[a])))
        fig, axes = plt.subplots(len(allocs), len(labels), figsize=(4.2 * len(labels), 2.4 * len(allocs) + 0.8),
                                 squeeze=False)
        im = None
        for r, a in enumerate(allocs):
            maps = dict(_maps(first[a]))
            totals = _totals(first[a])
            for k, label in enumerate(labels):
                ax = axes[r][k]
                ax.grid(False)
                ax.set_xticks([]), ax.set_yticks([])
                if label not in maps:
                    ax.text(0.5, 0.5, "no map at this checkpoint", ha="center", va="center", fontsize=8,
                            transform=ax.transAxes)
                    continue
                pages = maps[label]
                if not pages:
                    ax.text(0.5, 0.5, "no live objects", ha="center", va="center", fontsize=8,
                            transform=ax.transAxes)
                    continue
                width = max(1, int(math.ceil(math.sqrt(len(pages) * 4))))
                rows_n = int(math.ceil(len(pages) / width))
                grid = np.full(rows_n * width, PADDING)  # past the last bin: white, not "not resident"
                grid[:len(pages)] = [np.nan if p is None else p for p in pages]
                im = ax.imshow(np.ma.masked_invalid(grid.reshape(rows_n, width)), cmap=cmap, vmin=0, vmax=1,
                               aspect="auto", interpolation="nearest")
                resident = [p for p in pages if p is not None]
                common.hover_area(ax, f"{a}, {label}: {len(pages)} bins, {len(pages) - len(resident)} not resident; "
                                      f"live fraction of the resident ones: median "
                                      f"{float(np.median(resident)) if resident else 0:.2f}")
                if r == 0:
                    ax.set_title(label, fontsize=10)
                if k == 0:
                    ax.set_ylabel(a, color=common.colour(a), fontweight="bold")
                ax.set_xlabel(_caption(len(pages), totals.get(label)), fontsize=7)
        h = fig.get_figheight()
        fig.subplots_adjust(top=1 - 0.75 / h, bottom=0.6 / h)  # the margins in inches (a two-line caption)
        if im is not None:
            fig.colorbar(im, ax=axes, fraction=0.02, label="live fraction of the pages, 0 to 1 (higher: denser, "
                                                           "better; grey: not resident)")
        fig.suptitle(f"{w}: heap map, where the live objects sit (one square per bin of pages of the address "
                     "ranges holding them)", x=0.01, ha="left")
        common.footer(fig, doc)
        written += common.save(fig, out_dir, f"{NAME}-{w}", formats)
    return written


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
