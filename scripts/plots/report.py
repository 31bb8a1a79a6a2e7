"""One self-contained HTML report of a results file: context, summary tables, figures (embedded PNG) and
short explanations for a reader who has never seen vmbench. Nothing is loaded from the network."""
import base64
import html
import os
import tempfile

import common
import loader

EXPLAIN = {
    "throughput": "How much allocation work each allocator gets through per second: allocations plus object "
                  "deaths (a free, or a death an arena absorbs without a call). Taller is faster. Whiskers span "
                  "the fastest and slowest repetition; when they are long, the machine was noisy.",
    "memory": "Left: the most resident memory (RSS) the measured phase added. Right: how often the allocator "
              "asked the kernel for memory (commit) or gave it back (decommit): system calls of a traced pass "
              "when the run had --syscalls, else the arena's and pool's own counters. Each call costs a system "
              "call and page-table work.",
    "phases": "Each workload is split into named phases so that allocation (build, ramp, tokenize), use of the "
              "data (check: locality) and cleanup (release) can be judged apart. An arena's release is a "
              "pointer reset, so its bar is tiny or invisible.",
    "fragmentation": "At each checkpoint, the program's live bytes (light blue: what it still uses) beside the "
                     "memory the process holds (coloured). After the program frees 90% of its small objects "
                     "(\"after free\"), the gap between the bars is memory kept but unused: fragmentation. The "
                     "label is the ratio RSS / live. \"after release\" shows what each allocator hands back.",
    "timeline": "Live, resident and committed bytes sampled during the run, one panel per allocator. F3 is "
                "RSS / live when RSS peaks; F4 is peak RSS over peak live.",
    "latency": "Time of single allocate and free calls from the median (p50) to the worst (max), log scale: "
               "the right-hand end is what a latency-sensitive program feels.",
    "heapmap": "Each square is a small group of pages of the heap, in address order; colour is the fraction "
               "of it holding live objects (yellow full, dark nearly empty), grey pages are not resident. A page "
               "with one survivor cannot be returned to the system.",
    "sweep": "The same workload with one parameter changed (for example the arena's commit step): how time, "
             "commit calls, RSS and page faults follow it.",
    "scaling": "Each workload at several thread counts (vmbench run --threads 1,2,4,...), every thread on its own "
               "slice: the operations each thread gets through per second (top) and what it keeps of one thread's "
               "alone (bottom, 1 = nothing lost). A flat line scales perfectly; a falling one shows threads "
               "getting in each other's way inside the allocator (a shared lock, cache lines passed between "
               "cores, objects freed by another thread than their own). With more threads than CPUs the threads "
               "take turns, and the fall measures time-slicing, not the allocator.",
    "dispatch": "The same allocator called directly (inlined) and through the Allocator interface (a function "
                "pointer): the ratio is what the indirection costs.",
    "compare": "Each group of the second file against the same group of the first: below 1 is faster or "
               "smaller. Differences within the grey band are usually run-to-run noise.",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1180px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.88em}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:right}td{white-space:nowrap}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
.ctx td{text-align:left}.muted{color:#666}.warn{background:#fff4e5;border-left:4px solid #f0a030;
padding:.5em .8em}figure{margin:1em 0 2em}figure img{max-width:100%;border:1px solid #eee}
figcaption{color:#444;font-size:.92em;max-width:900px}code{background:#f4f4f4;padding:0 .25em}
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


def _tables(doc):
    out = []
    for w in common.order_workloads(g["workload"] for g in doc["groups"]):
        gs = [g for g in doc["groups"] if g["workload"] == w]
        gs.sort(key=lambda g: (g.get("dispatch"), sorted((g.get("swept") or {}).items()),
                               common.order_allocators([g["allocator"], "zz"]).index(g["allocator"])))
        dispatch = len({g.get("dispatch") for g in gs}) > 1
        label = lambda name: _e(common.figure(name)["label"])  # noqa: E731
        out.append(f"<h3>{_e(w)}</h3><table><tr><th>allocator</th><th>{label('wall_s')} (median)</th>"
                   f"<th>min - max</th><th>CV</th><th>faster than malloc</th><th>{label('peak_rss_delta_bytes')}</th>"
                   f"<th>RSS / malloc's</th><th>{label('heap_commit_calls')} / {label('heap_decommit_calls')}</th>"
                   f"<th>{label('minor_faults')}</th><th>reps ok</th></tr>")
        for g in gs:
            f = g["figures"]
            wall = f.get("wall_s")
            rss = f.get("peak_rss_delta_bytes")
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
                    (f"{vs['speedup']:.2f}x" if vs.get("speedup") else ""),
                    common.fmt_bytes(rss["median"]) if rss else "n/a",
                    (f"{vs['peak_rss_ratio']:.2f}" if vs.get("peak_rss_ratio") is not None else ""),
                    f"{cm['median']:.0f} / {dc['median']:.0f}" if cm and dc else "not counted",
                    _num(f["minor_faults"]["median"], "{:.0f}") if f.get("minor_faults") else "",
                    f"{g['reps_ok']}" + (f" ({g['reps_failed']} failed)" if g.get("reps_failed") else ""),
                )) + "</tr>")
        out.append("</table>")
    return "".join(out)


def _scaling(doc):
    """A table per workload run at several thread counts: per-thread throughput and scaling efficiency of
    each allocator at each count; empty when the run swept no threads."""
    import scaling  # the figure's own selection of groups, so that the table and the figure agree
    found = scaling.scaling_lines(doc)
    if not found:
        return ""
    cpus = doc["context"].get("cpu_count")
    out = [f"<h2>Scaling over threads</h2><p class=muted>Each thread runs the workload on its own share, on "
           f"its own heap where the allocator is not malloc. Per-thread throughput is the operations per second "
           f"of the whole cell divided by its threads; the efficiency is that over the same allocator's at one "
           f"thread (1 = nothing lost). This machine had {_e(cpus)} logical CPUs: at more threads than that the "
           f"threads take turns, and the efficiency measures time-slicing, not the allocator.</p>"]
    for w in common.order_workloads(found):
        counts = sorted({n for _, by in found[w].values() for n in by})
        head = "".join(f"<th>{n} thread{'s' if n > 1 else ''}</th>" for n in counts)
        out.append(f"<h3>{_e(w)}</h3><table><tr><th>allocator</th>{head}</tr>")
        for label, (_, by) in sorted(found[w].items(), key=lambda kv: common.order_allocators(
                [kv[1][0], "zz"]).index(kv[1][0])):
            cells = []
            for n in counts:
                f = by[n]["figures"] if n in by else {}
                per = (f.get("thread_ops_per_s") or {}).get("median")
                eff = (f.get("scaling_efficiency") or {}).get("median")
                cells.append("" if per is None else f"{per / 1e6:.1f} M/s" + (f" ({eff:.2f})" if eff is not None else ""))
            out.append("<tr>" + f"<td>{_e(label)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        out.append("</table>")
    return "".join(out)


def write(doc, path, modules, other=None, source="", log=print):
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><meta name=viewport "
             f"content='width=device-width,initial-scale=1'><title>vmbench report</title><style>{CSS}</style>"
             "</head><body><h1>vmbench report</h1>",
             "<p>vmbench runs small synthetic programs (<em>workloads</em>) against several memory allocators and "
             "measures how fast they allocate and free, and how much memory they hold. Each measurement runs in its "
             "own process, several times (<em>repetitions</em>); the tables give the median and the spread. "
             "Workloads: <b>tree</b> builds and drops binary trees; <b>churn</b> keeps a steady set of objects that "
             "die at random; <b>strings</b> tokenizes text line by line; <b>frag</b> allocates many small objects, "
             "frees 90% of them, then asks for larger ones: a fragmentation test; <b>xfer</b> hands objects from "
             "a producer thread to a consumer thread, which frees them; <b>larson</b> churns a live set per thread "
             "and passes the sets between threads every round. With <code>--threads N</code> each "
             "thread runs the workload on its own share. Allocators: <b>arena</b> "
             "(reserves address space, commits it in steps, frees everything at once), <b>bump</b> (a bare "
             "pointer increment: the lower bound), <b>pool</b> (fixed-size slots with a free list), <b>malloc</b> "
             "(glibc), <b>jemalloc</b>, <b>mimalloc</b>, <b>tcmalloc</b> (drop-in replacements) and "
             "<b>pmr-*</b> (C++ standard memory resources).</p>",
             "<h2>Where and how it was measured</h2>", _context(doc, source)]
    if doc.get("warnings"):
        items = "".join(f"<li>{_e(w)}</li>" for w in doc["warnings"])
        noisy = sum("varies by" in w for w in doc["warnings"])
        summary = (f"{len(doc['warnings'])} warnings from the run" +
                   (f" ({noisy} about noisy timings: the machine was busy or shared; compare medians with care)"
                    if noisy else ""))
        parts.append(f"<div class=warn><details{' open' if len(doc['warnings']) <= 5 else ''}><summary><b>"
                     f"{_e(summary)}</b></summary><ul>{items}</ul></details></div>")
    parts += ["<h2>Summary tables</h2><p class=muted>Wall time is the measured phase only (process start-up "
              "excluded). \"Faster than malloc\" is malloc's median time over this one in the same run; CV is the "
              "spread over repetitions (above 10%: noisy machine). " + (
                  "Commit / decommit calls are memory system calls counted in one traced pass (vmbench run "
                  "--syscalls), the same way for every allocator." if any(g.get("syscalls") for g in doc["groups"])
                  else "Commit calls are counted by the arena and pool themselves; other allocators keep no such "
                  "counter in this file (vmbench run --syscalls counts them for every allocator).") + "</p>", _tables(doc),
              _scaling(doc), "<h2>Figures</h2>"]
    skipped = []
    with tempfile.TemporaryDirectory() as tmp:
        for m in modules:
            if getattr(m, "NEEDS_TWO_FILES", False):  # "second / first": the other file is the baseline
                w, s = common.render_all(other if other is not None else doc, tmp, [m], ("png",), log=log,
                                         other=doc if other is not None else None)
            else:
                w, s = common.render_all(doc, tmp, [m], ("png",), log=log)
            skipped += s
            for p in w:
                with open(p, "rb") as f:
                    data = base64.b64encode(f.read()).decode("ascii")
                name = os.path.splitext(os.path.basename(p))[0]
                parts.append(f"<figure id='{_e(name)}'><img alt='{_e(name)}' src='data:image/png;base64,{data}'>"
                             f"<figcaption><b>{_e(name)}.</b> {_e(EXPLAIN.get(m.NAME, ''))}</figcaption></figure>")
    if skipped:
        parts.append("<h3>Figures not drawn</h3><p class=muted>The results file lacks the data these need; "
                     "nothing is drawn from invented data.</p><ul>" +
                     "".join(f"<li><b>{_e(n)}</b>: {_e(r)}</li>" for n, r in skipped) + "</ul>")
    parts.append("<h2>Glossary</h2><dl>"
                 "<dt>RSS</dt><dd>resident set size: the physical memory the process occupies.</dd>"
                 "<dt>live bytes</dt><dd>bytes the program has allocated and not yet freed.</dd>"
                 "<dt>commit / decommit</dt><dd>asking the kernel to back address space with memory, or to take "
                 "it back. Reserving address space alone costs almost nothing.</dd>"
                 "<dt>fragmentation</dt><dd>memory held by the allocator that the program no longer uses "
                 "(RSS well above live bytes).</dd></dl>"
                 "<p class=muted>Generated by vmbench report from " + _e(os.path.basename(source)) + ". "
                 + _e(common.context_line(doc)) + "</p></body></html>")
    # Written whole, then renamed: a full disk leaves the previous report, never half of a new one.
    loader.write_text_atomically("".join(parts), path)
