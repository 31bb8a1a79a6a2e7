#!/usr/bin/env python3
"""Heap map: page-occupancy heat map (live fraction per page; non-resident pages distinct), one panel per
allocator, at the peak and after the big free.

Drawn from each cell's `figures.heap_map` (`vmbench run --heapmap`: at the peak and at each checkpoint,
the span of the live objects cut into bins of a few pages, with live bytes and resident pages per bin).
Colour: live bytes over the bin's bytes; grey: no resident page. Results without one are skipped.
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
        fig, axes = plt.subplots(len(allocs), len(labels), figsize=(4.2 * len(labels), 1.9 * len(allocs) + 0.8),
                                 squeeze=False)
        im = None
        for r, a in enumerate(allocs):
            maps = dict(_maps(first[a]))
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
                ax.set_xlabel(f"{len(pages)} bins (groups of pages), address order", fontsize=7)
        h = fig.get_figheight()
        fig.subplots_adjust(top=1 - 0.75 / h, bottom=0.45 / h)  # the margins in inches, whatever the rows
        if im is not None:
            fig.colorbar(im, ax=axes, fraction=0.02, label="live fraction of the pages, 0 to 1 (higher: denser, "
                                                           "better; grey: not resident)")
        fig.suptitle(f"{w}: heap map, where the live objects sit (one square per bin of pages)", x=0.01, ha="left")
        common.footer(fig, doc)
        written += common.save(fig, out_dir, f"{NAME}-{w}", formats)
    return written


if __name__ == "__main__":
    sys.exit(common.module_main(sys.modules[__name__]))
