"""One self-contained HTML report of a results file: a summary computed from the data first, then every
table the file holds data for, the figures inline as SVG (values on hover) under captions computed from the
same data, what the file lacks, and where it was measured. Nothing is loaded from the network; the layout
fits an 800 px window (tables scroll inside their own box).

The parts: report_summary.py (the summary), report_tables.py (the tables), report_figures.py (figures and
captions), report_compare.py (`--compare`: compare's verdict table).
"""
import html
import os

import common
import loader
import report_compare
import report_figures
import report_summary
import report_tables

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1180px;margin:1.2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{margin:.2em 0}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
nav{font-size:.9em;color:#555}nav a{margin-right:.8em;color:#2060a0}
.lead{font-size:1.02em;margin:.3em 0 .6em}.summary li{margin:.35em 0}
.scroll{width:fit-content;max-width:100%;overflow-x:auto;margin:.5em 0 1em}
table{border-collapse:collapse;font-size:.86em}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:right;vertical-align:top}
td{white-space:nowrap}th{background:#f3f3f3}
table.wrap td{white-space:normal;min-width:7em}
td:first-child,th:first-child,td.t{text-align:left}
.ctx td{text-align:left;white-space:normal}.muted{color:#666;font-size:.92em}
.warn{background:#fff4e5;border-left:4px solid #f0a030;padding:.5em .8em;margin:.8em 0}
.warnword{color:#a05000}.verdict{font-weight:600;background:#f4f6fa;border-left:4px solid #5070a0;padding:.4em .7em}
figure{margin:1em 0 2em}svg.fig{width:100%;height:auto;display:block;border:1px solid #eee}
figcaption{color:#333;font-size:.92em;max-width:900px}.facts{color:#1a4a7a}ul.facts{margin:.2em 0;columns:2 22em;column-gap:2.5em}
code{background:#f4f4f4;padding:0 .25em;overflow-wrap:anywhere}
dt{font-weight:600}dd{margin:0 0 .5em 1.2em}
"""

def _e(x):
    return html.escape(str(x))


def _num(x, fmt="{:.3g}"):
    return "" if x is None else fmt.format(x)


def _context(doc, source):
    c, p = doc["context"], doc["plan"]
    rows = [("results file", os.path.basename(source)), ("command", c.get("command_line")),
            ("date (UTC)", c.get("date_utc")), ("vmbench", f"{c.get('vmbench_version')} ({c.get('git_commit')})"),
            ("CPU", f"{c.get('cpu_model')} ({c.get('cpu_count')} logical CPUs)"),
            ("memory", common.fmt_bytes(c.get("memory_bytes")) if c.get("memory_bytes") else None),
            ("kernel", f"{c.get('kernel')} {c.get('machine') or ''}"), ("page size", c.get("page_size")),
            ("transparent huge pages", c.get("transparent_hugepages")),
            ("overcommit mode", c.get("overcommit_memory")),
            ("compiler / build", f"{c.get('compiler')} / {c.get('build_type')}"),
            ("scale, repetitions, warm-up", f"{p.get('scale')}, {p.get('reps')}, {p.get('warmup')}"),
            ("seed", p.get("seed")), ("complete", "yes" if doc.get("complete") else "no: the run was interrupted"),
            ("skipped allocators", "; ".join(p.get("skipped_allocators") or []) or "none")]
    return "<table class=ctx>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows
                                         if v is not None) + "</table>"


def _rss_ratio(vs):
    """The growth against malloc's, in words; n/a where vmbench took no ratio (malloc grew by less than the
    floor, docs/metrics.md)."""
    if not vs:
        return ""
    r = vs.get("peak_rss_ratio")
    if r is None:
        return "n/a"
    if r == 0:
        return "none"
    return f"{r:.2f}x more" if r >= 1 else f"{1 / r:.2f}x less"


def _cpu(share):
    """The median share of one CPU the phase had; below 90% it waited (docs/metrics.md, Noise)."""
    if not share:
        return ""
    return f"{share['median'] * 100:.0f}%" + (" (waited)" if share["median"] < 0.9 else "")


def _tables(doc):
    out = []
    for w in common.order_workloads(g["workload"] for g in doc["groups"]):
        gs = [g for g in doc["groups"] if g["workload"] == w]
        gs.sort(key=lambda g: (g.get("dispatch"), sorted((g.get("swept") or {}).items()),
                               common.order_allocators([g["allocator"], "zz"]).index(g["allocator"])))
        dispatch = len({g.get("dispatch") for g in gs}) > 1
        label = lambda name: _e(common.figure(name)["label"])  # noqa: E731
        out.append(f"<h3>{_e(w)}</h3><table><tr><th>allocator</th><th>{label('wall_s')} (median)</th>"
                   f"<th>min - max</th><th>CV</th><th>CPU</th><th>faster than malloc</th><th>{label('peak_rss_bytes')}</th>"
                   f"<th>{label('peak_rss_delta_bytes')}</th><th>growth vs malloc's</th><th>{label('heap_commit_calls')} / {label('heap_decommit_calls')}</th>"
                   f"<th>{label('minor_faults')}</th><th>reps ok</th></tr>")
        for g in gs:
            f = g["figures"]
            wall = f.get("wall_s")
            rss, peak = f.get("peak_rss_delta_bytes"), f.get("peak_rss_bytes")
            cm, dc = f.get("heap_commit_calls"), f.get("heap_decommit_calls")
            sc = g.get("syscalls")
            if isinstance(sc, dict):  # traced system calls: the same method for every allocator
                cm, dc = {"median": sc["commits"]}, {"median": sc["decommits"]}
            vs = g.get("vs_malloc") or {}
            cv = wall.get("cv") if wall else None
            out.append(
                "<tr>" + "".join(f"<td>{x}</td>" for x in (
                    _e(common.group_label(g, with_dispatch=dispatch)),
                    common.fmt_seconds(wall["median"]) if wall else "n/a",
                    f"{common.fmt_seconds(wall['min'])} - {common.fmt_seconds(wall['max'])}" if wall else "",
                    (f"{cv * 100:.0f}%" + (" (noisy)" if cv > 0.10 else "")) if cv is not None else "",
                    _cpu(f.get("cpu_s_per_s")),
                    (f"{vs['speedup']:.2f}x" if vs.get("speedup") else ""),
                    common.fmt_bytes(peak["median"]) if peak else "n/a",
                    common.fmt_bytes(rss["median"]) if rss else "n/a",
                    _rss_ratio(vs),
                    f"{cm['median']:.0f} / {dc['median']:.0f}" if cm and dc else "not counted",
                    _num(f["minor_faults"]["median"], "{:.0f}") if f.get("minor_faults") else "",
                    f"{g['reps_ok']}" + (f" ({g['reps_failed']} failed)" if g.get("reps_failed") else ""),
                )) + "</tr>")
        out.append("</table>")
    return "".join(out)



def _scrolling(tables_html):
    """The time-and-memory tables, each in its own scrolling box."""
    return tables_html.replace("<table>", "<div class=scroll><table>").replace("</table>", "</table></div>")


def _glossary(doc):
    """The workloads and allocators of this file as vmbench describes them, and the words the page uses."""
    desc = loader.describe()
    present_w = {g["workload"] for g in doc["groups"]}
    present_a = {g["allocator"] for g in doc["groups"]}
    items = [(w["name"], w.get("summary", "")) for w in desc.get("workloads", []) if w["name"] in present_w]
    items += [(a["name"], a.get("summary", "")) for a in desc.get("allocators", []) if a["name"] in present_a]
    terms = [
        ("cell", "one workload run against one allocator with one set of parameters, in its own process: one "
                 "repetition of a combination"),
        ("repetition", "one of the cells of a combination; tables give the median and spread over them"),
        ("phase", "a named part of a workload's measured phase (build, check, release...), timed on its own"),
        ("RSS", "resident set size: the physical memory the process occupies"),
        ("live bytes", "bytes the program has allocated and not yet freed"),
        ("commit / decommit", "asking the kernel to back address space with memory, or to take it back"),
        ("traced", "counted by a separate pass that traces the memory system calls of the cell, the same way for "
                   "every allocator"),
        ("F3 / F4", "F3: RSS over live bytes at the moment RSS peaks; F4: peak RSS over peak live bytes (1 is no "
                    "overhead)"),
    ]
    return ("<dl>" + "".join(f"<dt>{_e(n)}</dt><dd>{_e(t)}</dd>" for n, t in items + terms) + "</dl>"
            "<p class=muted>More in docs/glossary.md of the vmbench source.</p>")


def write(doc, path, modules, other=None, source="", log=print, other_source=""):
    desc = loader.describe()  # noqa: F841  (colours, labels and units: read before anything is drawn)
    figures, skipped_figures = report_figures.render(doc, modules, other=other, log=log)
    tables, skipped_tables = [], []
    for build in report_tables.BUILDERS:
        title, *rest = build(doc)
        if rest[0] is None:
            skipped_tables.append((title, rest[1]))
        else:
            tables.append((title, rest[0]))
    compare_line = None
    compare_html = ""
    if other is not None:
        compare_html = report_compare.section(other, doc, os.path.basename(other_source) or "the other file",
                                              os.path.basename(source))
        try:
            compare_line = "vmbench compare: " + str(report_compare.verdicts.compare(other, doc).get("verdict", ""))
        except report_compare.verdicts.NoVerdicts:
            compare_line = None
    nav = [("summary", "Summary")] + ([("compare", "Compared")] if other is not None else []) + [
        ("tables", "Tables"), ("figures", "Figures"), ("missing", "Not in this file"), ("context", "Where measured"),
        ("glossary", "Words")]
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><meta name=viewport "
             f"content='width=device-width,initial-scale=1'><title>vmbench report: {_e(os.path.basename(source))}"
             f"</title><style>{CSS}</style></head><body><h1>vmbench report</h1>",
             f"<p class=muted><code>{_e(doc['context'].get('command_line', ''))}</code></p>",
             "<nav>" + "".join(f"<a href='#{k}'>{_e(t)}</a>" for k, t in nav) + "</nav>",
             "<h2 id=summary>Summary</h2>", report_summary.summary(doc, compare_line)]
    if other is not None:
        parts += ["<h2 id=compare>Compared with the other file</h2>", compare_html]
    parts += ["<h2 id=tables>Tables</h2>",
              "<h3>Time and memory</h3><p class=muted>Wall time is the measured phase only (process start-up "
              "excluded); lower is better. \"Faster than malloc\" is malloc's median time over this one in the same "
              "run; CV is the spread over repetitions (above 10%: noisy); CPU is the share of one CPU the measured phase "
              "had (below 90%: it waited, and its time with it). " + (
                  "Commit / decommit calls are memory system calls counted in one traced pass (vmbench run "
                  "--syscalls), the same way for every allocator." if any(g.get("syscalls") for g in doc["groups"])
                  else "Commit calls are counted by the arena and pool themselves; other allocators keep no such "
                  "counter in this file (vmbench run --syscalls counts them for every allocator).") + "</p>",
              _scrolling(_tables(doc))]
    parts += [f"<h3>{_e(t)}</h3>{h}" for t, h in tables]
    parts.append("<h2 id=figures>Figures</h2><p class=muted>Point at a bar, point or line for its value.</p>")
    parts += [h for _, h in figures]
    missing = [f"<li><b>table: {_e(t)}</b>: {_e(why)}</li>" for t, why in skipped_tables]
    missing += [f"<li><b>figure: {_e(n)}</b>: {_e(r)}</li>" for n, r in skipped_figures]
    parts.append("<h2 id=missing>Not in this file</h2>" + (
        "<p class=muted>What this report skipped, and why: the file lacks the data (a run without that pass, or a "
        "file written by an older vmbench). Nothing is drawn from invented data.</p><ul>" + "".join(missing) + "</ul>"
        if missing else "<p>Every table and figure this report knows had its data.</p>"))
    parts += ["<h2 id=context>Where and how it was measured</h2>", _context(doc, source),
              "<h2 id=glossary>Words</h2>", _glossary(doc),
              "<p class=muted>Generated by vmbench report from " + _e(os.path.basename(source)) + ". "
              + _e(common.context_line(doc)) + "</p></body></html>"]
    # Written whole, then renamed: a full disk leaves the previous report, never half of a new one.
    loader.write_text_atomically("".join(parts), path)
