"""What every figure shares: matplotlib set-up, colours, labels, saving PNG + SVG, skip messages, CLI."""
import html
import os
import re
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
    if s >= 1e-6:
        return f"{s * 1e6:.0f} µs"
    return f"{s * 1e9:.0f} ns"


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


MIN_LOG_LABELS = 3  # a log axis with fewer labelled ticks cannot be read: it becomes linear (save() checks)


def value_axis(ax, values, which="y"):
    """A log axis when the values span more than WIDE_RANGE, with ticks at 1, 2 and 5 of each decade labelled
    as plain numbers (any range over 20x holds at least three of them), else linear from 0 for values that
    are never negative. Returns True when the axis is logarithmic."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    axis = ax.yaxis if which == "y" else ax.xaxis
    positive = [v for v in values if v is not None and v > 0]
    if use_log(values) and len(positive) == len([v for v in values if v is not None]):
        (ax.set_yscale if which == "y" else ax.set_xscale)("log")
        decades = max(positive) / min(positive)
        axis.set_major_locator(LogLocator(base=10, subs=(1.0,) if decades > 1e3 else (1.0, 2.0, 5.0), numticks=15))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_number(v)))
        axis.set_minor_formatter(NullFormatter())
        return True
    if values and all(v is None or v >= 0 for v in values):
        (ax.set_ylim if which == "y" else ax.set_xlim)(0, None)
    return False


def symlog_axis(ax):
    """A symmetric log axis (zero stays visible as 0: no commit call at all), labelled as plain numbers."""
    from matplotlib.ticker import FuncFormatter
    ax.set_yscale("symlog", linthresh=1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_number(v)))


def better(name):
    """"lower is better" / "higher is better" from the registry's `better` of a figure; "" for none."""
    b = figure(name).get("better")
    return f"{b} is better" if b in ("lower", "higher") else ""


# Values on hover: an artist given hover(artist, text) gets an SVG <title> (a browser's tooltip) when the
# figure is saved as SVG. matplotlib writes <g id="GID"> around an artist with a gid; save() adds the title.
_HOVER_PREFIX = "vmbhover"
_hover_count = [0]


def hover(artist, text):
    _hover_count[0] += 1
    gid = f"{_HOVER_PREFIX}{_hover_count[0]}"
    artist.set_gid(gid)
    titles = getattr(artist.figure, "_vmb_hover", None)
    if titles is None:
        titles = artist.figure._vmb_hover = {}
    titles[gid] = text
    return artist


def hover_points(ax, xs, ys, texts, colour, marker="o", size=4, **kw):
    """One marker per point, each with its own title (a Line2D's markers share one element)."""
    for x, y, t in zip(xs, ys, texts):
        if x is None or y is None:
            continue
        (pt,) = ax.plot([x], [y], linestyle="none", marker=marker, markersize=size, color=colour, **kw)
        hover(pt, t)


def hover_area(ax, text):
    """A title over a whole panel (an image has no marks of its own): a rectangle over the axes, transparent
    but for a trace of fill, since a browser gives hover events only to painted areas."""
    from matplotlib.patches import Rectangle
    rect = Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=(1, 1, 1, 0.004), edgecolor="none", zorder=5)
    ax.add_patch(rect)
    hover(rect, text)


def _with_titles(svg_text, titles):
    def add(m):
        t = titles.get(m.group(1))
        return m.group(0) if t is None else m.group(0) + "<title>" + html.escape(t) + "</title>"
    return re.sub(r'<g id="(' + _HOVER_PREFIX + r'\d+)"[^>]*>', add, svg_text)


def _log_axes(ax):
    out = []
    for which, axis in (("y", ax.yaxis), ("x", ax.xaxis)):
        if axis.get_scale() in ("log", "symlog"):
            out.append((which, axis))
    return out


def _labelled_ticks(axis):
    lo, hi = sorted(axis.get_view_interval())
    ticks = axis.get_major_ticks() + axis.get_minor_ticks()
    return sum(1 for t in ticks if t.label1.get_visible() and t.label1.get_text().strip()
               and lo <= t.get_loc() <= hi)


AXIS_AUDIT = []  # (figure file name, axis, labelled ticks) of every log axis saved: tests read it


def _readable_log_axes(fig, name):
    """Every log axis keeps at least MIN_LOG_LABELS labelled ticks; one that has fewer becomes linear."""
    axes = [ax for ax in fig.axes if ax.get_visible() and _log_axes(ax)]
    if not axes:
        return
    fig.canvas.draw()
    for ax in axes:
        for which, axis in _log_axes(ax):
            n = _labelled_ticks(axis)
            if n < MIN_LOG_LABELS:
                (ax.set_yscale if which == "y" else ax.set_xscale)("linear")
                ax.relim()
                ax.autoscale_view()
                fig.canvas.draw()
                n = _labelled_ticks(axis)
            AXIS_AUDIT.append((name, which, axis.get_scale(), n))


def context_line(doc):
    c, p = doc["context"], doc["plan"]
    return (f"vmbench {c.get('vmbench_version', '?')} ({c.get('git_commit', '?')}), {c.get('date_utc', '?')}, "
            f"{c.get('cpu_model', '?')} x{c.get('cpu_count', '?')}, scale {p.get('scale', '?')}, "
            f"{p.get('reps', '?')} reps")


def save(fig, out_dir, name, formats=("png", "svg")):
    """Writes OUT_DIR/NAME.png and .svg (with a <title> per hovered mark); returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    _readable_log_axes(fig, name)
    paths = []
    for fmt in formats:
        path = os.path.join(out_dir, f"{name}.{fmt}")
        fig.savefig(path, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
        if fmt == "svg" and getattr(fig, "_vmb_hover", None):
            with open(path, encoding="utf-8") as f:
                text = _with_titles(f.read(), fig._vmb_hover)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
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
