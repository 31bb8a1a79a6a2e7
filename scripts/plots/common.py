"""What every figure shares: matplotlib set-up, colours, labels, saving PNG + SVG, skip messages, CLI."""
import os
import sys

import loader

try:
    import matplotlib
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt
except ImportError:  # the entry point checks first; this keeps a direct run of a module just as clear
    sys.stderr.write("vmbench-plot: matplotlib is missing for %s (Debian: apt-get install python3-matplotlib)\n"
                     % sys.executable)
    sys.exit(3)

EXIT_MISSING_MATPLOTLIB = 3

# Colours, orders, figure labels and units come from the tool (loader.describe(): `vmbench list --format
# json`), so that every figure reads the same way as the tool's own tables, and nothing here can drift.
WIDE_RANGE = 20.0  # max / min above this: a log axis, or the small bars vanish

plt.rcParams.update({
    "figure.dpi": 110, "savefig.dpi": 110, "font.size": 10, "axes.titlesize": 11, "axes.grid": True,
    "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False, "legend.fontsize": 9,
    "svg.fonttype": "none",
})


class Skip(Exception):
    """A figure the data does not support; str() says which data is missing."""


def plain_groups(doc):
    """Groups outside any parameter sweep, inline only when the run had both dispatch modes (the sweep and
    dispatch figures draw the rest). Skip when none is left, saying why."""
    dispatches = {g.get("dispatch") for g in doc["groups"]}
    groups = [g for g in doc["groups"]
              if not g.get("swept") and not (len(dispatches) > 1 and g.get("dispatch") != "inline")]
    if not groups and doc["groups"]:
        raise Skip("every group is part of a parameter sweep (drawn by the sweep figure)")
    return groups


def colour(allocator):
    """The allocator's fixed colour (formats/plot_style.hpp), grey for one the tool does not style."""
    desc = loader.describe()
    return next((a["colour"] for a in desc["allocators"] if a["name"] == allocator), desc["unstyled_colour"])


def _ordered(names, order):
    names = list(dict.fromkeys(names))
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def order_allocators(names):
    return _ordered(names, [a["name"] for a in loader.describe()["allocators"]])


def order_workloads(names):
    return _ordered(names, [w["name"] for w in loader.describe()["workloads"]])


def figure(name):
    """The registry's entry for a figure (unit, label, better...); KeyError for a name it does not know."""
    for f in loader.describe()["figures"]:
        if f["name"] == name:
            return f
    raise KeyError(f"figure {name!r} is not in vmbench's figure registry")


def cell_value(cell, name):
    """A figure of one cell, wherever the registry says it lives (`heap.reserved_bytes`), or None."""
    holder = cell["figures"]
    *path, key = figure(name)["cell"].split(".")
    for part in path:
        holder = holder.get(part) or {}
    return holder.get(key)


# Axis units: the registry's unit, scaled to what the figures print.
_SCALED = {"s": (1e-3, "ms"), "bytes": (2 ** 20, "MiB"), "count": (1, ""), "1/s": (1e6, "M/s"), "hash": (1, "")}


def axis(name, scale=None, unit=None):
    """(label, divisor) for a figure's axis: the registry's label and its unit, scaled (ms, MiB)."""
    f = figure(name)
    divisor, text = _SCALED[f["unit"]]
    if scale is not None:
        divisor, text = scale, unit
    return (f"{f['label']}, {text}" if text else f["label"]), divisor


def fmt_bytes(n):
    if n is None:
        return "n/a"
    sign = "-" if n < 0 else ""
    n = abs(float(n))
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{sign}{n:.0f} {unit}" if unit == "B" else f"{sign}{n:.1f} {unit}"
        n /= 1024


def fmt_seconds(s):
    if s is None:
        return "n/a"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def fmt_number(v):
    """A short label for an annotated point: 9,010 rather than 9.01e+03."""
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.3g}"


def size_value(text):
    """'64K' -> 65536, '2M' -> 2097152, '14' -> 14: sorts swept values as numbers."""
    t = str(text).strip()
    mult = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
    try:
        if t and t[-1].lower() in mult:
            return float(t[:-1]) * mult[t[-1].lower()]
        return float(t)
    except ValueError:
        return None


def group_label(group, with_dispatch=False, with_swept=True):
    parts = [group["allocator"]]
    if with_dispatch:
        parts.append(group.get("dispatch", ""))
    if with_swept and group.get("swept"):
        parts.append(",".join(f"{k}={v}" for k, v in sorted(group["swept"].items())))
    return " ".join(parts)


def use_log(values):
    vals = [v for v in values if v is not None and v > 0]
    return len(vals) >= 2 and max(vals) / min(vals) > WIDE_RANGE


def context_line(doc):
    c, p = doc["context"], doc["plan"]
    return (f"vmbench {c.get('vmbench_version', '?')} ({c.get('git_commit', '?')}), {c.get('date_utc', '?')}, "
            f"{c.get('cpu_model', '?')} x{c.get('cpu_count', '?')}, scale {p.get('scale', '?')}, "
            f"{p.get('reps', '?')} reps")


def save(fig, out_dir, name, formats=("png", "svg")):
    """Writes OUT_DIR/NAME.png and .svg; returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for fmt in formats:
        path = os.path.join(out_dir, f"{name}.{fmt}")
        fig.savefig(path, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
        paths.append(path)
    plt.close(fig)
    return paths


def footer(fig, doc, extra=""):
    text = context_line(doc) + (f"  |  {extra}" if extra else "")
    fig.text(0.01, -0.01, text, fontsize=7.5, color="#555555", ha="left", va="top")


def render_all(doc, out_dir, modules, formats=("png", "svg"), log=print, other=None):
    """Calls each module's render(); returns (written paths, [(name, reason)] skipped)."""
    written, skipped = [], []
    for mod in modules:
        try:
            if getattr(mod, "NEEDS_TWO_FILES", False):
                if other is None:
                    raise Skip("needs a second results file (--compare OTHER.json)")
                paths = mod.render(doc, other, out_dir, formats)
            else:
                paths = mod.render(doc, out_dir, formats)
            written.extend(paths)
            for p in paths:
                if p.endswith(".png"):
                    log(f"wrote {p}")
        except Skip as why:
            skipped.append((mod.NAME, str(why)))
            log(f"skipped {mod.NAME}: {why}")
        except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as e:
            # data of a shape this script does not know (a newer writer?): say so in one line, go on
            why = f"the data has an unexpected shape ({type(e).__name__}: {e})"
            skipped.append((mod.NAME, why))
            log(f"skipped {mod.NAME}: {why}")
    return written, skipped


def module_main(mod, argv=None):
    """The command line of one figure module run on its own."""
    two = getattr(mod, "NEEDS_TWO_FILES", False)
    ap = loader.OneLineArgumentParser(
        prog=os.path.basename(sys.argv[0]), description=mod.__doc__.strip().splitlines()[0],
        epilog=f"Writes {mod.NAME}*.png and .svg into --out. Exit codes: 0 drawn, 1 skipped (the data lacks "
               f"what the figure needs; the message says what), 2 a file that cannot be used, 3 no matplotlib.")
    ap.add_argument("results", help="vmbench results JSON (vmbench run --out FILE)")
    if two:
        ap.add_argument("other", help="the second results JSON (compared against the first)")
    ap.add_argument("--out", default="vmbench-plots", help="output directory (default: %(default)s)")
    ap.add_argument("--format", default="png,svg", help="comma-separated: png, svg (default: %(default)s)")
    args = ap.parse_args(argv)
    formats = tuple(f for f in args.format.split(",") if f)
    if not formats or any(f not in ("png", "svg") for f in formats):
        ap.error("--format takes png, svg or png,svg")
    try:
        doc = loader.load(args.results)
        other = loader.load(args.other) if two else None
        loader.describe()
    except loader.UnusableFile as e:
        sys.stderr.write(f"{ap.prog}: {e}\n")
        return loader.EXIT_UNUSABLE
    try:
        written, skipped = render_all(doc, args.out, [mod], formats, other=other)
    except OSError as e:
        sys.stderr.write(f"{ap.prog}: cannot write {e.filename or args.out}: {e.strerror}\n")
        return loader.EXIT_UNUSABLE
    return 0 if written or not skipped else 1
