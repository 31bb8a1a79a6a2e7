"""The report's tables beyond time and memory: every table the results file holds data for (throughput,
phases, latency, fragmentation, system calls, cost, allocator versions). Each builder returns
(title, html) when the file has its data, else (title, None, why): the report lists what it skipped.

Every table sits in its own scrolling box, so that a narrow window scrolls the table, never the page.
"""
import html

import common
import fragmentation
import loader
import throughput as throughput_figure


def _e(x):
    return html.escape(str(x))


def table(headers, rows, note="", wrap=False):
    """A table in a box that scrolls sideways on its own; the first column is the row's name. WRAP lets long
    text cells wrap instead of widening the table."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td{'' if _numeric(c) else ' class=t'}>{_e(c)}</td>" for c in r) + "</tr>"
                   for r in rows)
    return (f"<div class=scroll><table{' class=wrap' if wrap else ''}><tr>{head}</tr>{body}</table></div>" +
            (f"<p class=muted>{_e(note)}</p>" if note else ""))


def _numeric(cell):
    """Numbers align right, words left."""
    text = str(cell).strip()
    return not text or text[0].isdigit() or text[0] in "+-<.~"


def _groups_by_workload(doc):
    """[(workload, [groups in allocator order])] over every group (sweeps and dispatches labelled)."""
    out = []
    for w in common.order_workloads(g["workload"] for g in doc["groups"]):
        gs = [g for g in doc["groups"] if g["workload"] == w]
        order = common.order_allocators(g["allocator"] for g in gs)
        gs.sort(key=lambda g: (order.index(g["allocator"]), g.get("dispatch", ""), sorted((g.get("swept") or {}).items())))
        out.append((w, gs))
    return out


def _label(doc, g):
    dispatch = len({x.get("dispatch") for x in doc["groups"]}) > 1
    return common.group_label(g, with_dispatch=dispatch)


def _ns(v, floor=None):
    """A latency figure; "< N ns" below the timer's resolved floor (three of its steps: docs/metrics.md)."""
    if not isinstance(v, (int, float)):
        return "n/a"
    if isinstance(floor, (int, float)) and v < floor:
        return f"< {floor:,.0f} ns"
    return f"{v:,.0f} ns" if v < 10_000 else common.fmt_seconds(v * 1e-9)


def throughput(doc):
    """The throughput figure's own numbers (throughput.bars), so that table and figure cannot differ."""
    title = "Throughput"
    try:
        data = throughput_figure.bars(doc)
    except common.Skip as why:
        return title, None, str(why)
    rows = [[w, label, common.fmt_number(m), f"{common.fmt_number(lo)} - {common.fmt_number(hi)}"]
            for w in common.order_workloads(data) for label, _, m, lo, hi in data[w]]
    if not rows:
        return title, None, "no ok cell outside a parameter sweep"
    return title, table(["workload", "allocator", "operations per second (median)", "slowest - fastest"], rows,
                        "As in the throughput figure (its definition is in its caption); higher is better. Sweeps "
                        "are in the sweep figure.")


def phases(doc):
    title = "Time per phase"
    parts = []
    for w, gs in _groups_by_workload(doc):
        gs = [g for g in gs if g.get("phases")]
        if not gs:
            continue
        names = list(dict.fromkeys(p["name"] for g in gs for p in g["phases"]))
        rows = []
        for g in gs:
            secs = {p["name"]: p.get("seconds") for p in g["phases"]}
            rows.append([_label(doc, g)] + [common.fmt_seconds(secs[n]["median"]) if secs.get(n) else "" for n in names])
        parts.append(f"<h4>{_e(w)}</h4>" + table(["allocator"] + names, rows))
    if not parts:
        return title, None, "no group has phase times"
    return title, "".join(parts) + "<p class=muted>Median time of each named part of the measured phase; lower is better.</p>"


LATENCY_COLUMNS = (("p50_ns", "p50"), ("p90_ns", "p90"), ("p99_ns", "p99"), ("p99_9_ns", "p99.9"),
                   ("p99_99_ns", "p99.99"), ("max_ns", "max"))


def latency(doc):
    title = "Latency of single operations"
    rows, timers = [], set()
    for w, gs in _groups_by_workload(doc):
        for g in gs:
            lat = g.get("latency")
            if not isinstance(lat, dict):
                continue
            for op in ("alloc", "free"):
                e = lat.get(op)
                if isinstance(e, dict):
                    floor = lat.get("resolved_from_ns")
                    rows.append([w, _label(doc, g), op, f"{e.get('count', 0):,}"] +
                                [_ns(e.get(k), floor) for k, _ in LATENCY_COLUMNS])
                    if isinstance(lat.get("resolution_ns"), (int, float)):
                        timers.add((round(lat["resolution_ns"]), round(lat.get("overhead_subtracted_ns") or 0)))
    if not rows:
        return title, None, "this run did not time single operations (vmbench run --latency, or --deep)"
    timer = ("; ".join(f"the timer advanced in steps of {s} ns, and its {c} ns read cost was subtracted from every "
                       f"value; below three steps a value is shown as \"< N ns\"" for s, c in sorted(timers)) + ". "
             if timers else "Each value includes the timer's own read cost (this file predates its subtraction). ")
    return title, table(["workload", "allocator", "operation", "calls"] + [h for _, h in LATENCY_COLUMNS], rows,
                        "One timed pass per combination; " + timer + "Lower is better; the tail (p99 and beyond) is "
                        "what a latency-sensitive program feels.")


def checkpoints(doc):
    title = "Fragmentation at the checkpoints"
    parts = []
    for w in common.order_workloads(g["workload"] for g in doc["groups"]):
        try:
            t = fragmentation.checkpoint_table(doc, w)
        except common.Skip:
            t = {}
        if not t:
            continue
        labels = list(dict.fromkeys(l for rows in t.values() for l, _, _ in rows))
        rows = []
        for a in common.order_allocators(t):
            by = {l: (live, rss) for l, live, rss in t[a]}
            cells = []
            for l in labels:
                if l not in by:
                    cells.append("")
                    continue
                live, rss = by[l]
                cells.append(f"{rss / live:.1f}x ({common.fmt_bytes(rss)} / {common.fmt_bytes(live)})" if live > 0
                             else f"{common.fmt_bytes(rss)} held, nothing live")
            frag = next((g.get("fragmentation") for g in doc["groups"] if g["workload"] == w and g["allocator"] == a
                         and isinstance(g.get("fragmentation"), dict)), None)
            f3f4 = [f"{frag['F3']:.2f}" if isinstance(frag, dict) and isinstance(frag.get("F3"), (int, float)) else "",
                    f"{frag['F4']:.2f}" if isinstance(frag, dict) and isinstance(frag.get("F4"), (int, float)) else ""]
            rows.append([a] + cells + f3f4)
        parts.append(f"<h4>{_e(w)}</h4>" + table(["allocator"] + labels + ["F3", "F4"], rows))
    if not parts:
        return title, None, "no cell recorded checkpoints"
    return title, "".join(parts) + (
        "<p class=muted>At each checkpoint: RSS above the phase's baseline over the live bytes (RSS / live), medians "
        "over the repetitions; closer to 1x is better. F3 and F4 come from the timeline pass (--timeline): F3 is "
        "RSS / live where RSS peaks (the lowest over the points within 1% of the peak), F4 peak RSS over peak live; "
        "empty without that pass.</p>")


SYSCALLS = ("mmap", "munmap", "mremap", "brk", "mprotect", "madvise")


def syscalls(doc):
    title = "Memory system calls (traced)"
    rows = []
    for w, gs in _groups_by_workload(doc):
        for g in gs:
            sc = g.get("syscalls")
            if not isinstance(sc, dict):
                continue
            calls = sc.get("calls") or {}
            rows.append([w, _label(doc, g), sc.get("commits", ""), common.fmt_bytes(sc.get("commit_bytes")),
                         sc.get("decommits", ""), common.fmt_bytes(sc.get("decommit_bytes"))] +
                        [(calls.get(k) or {}).get("calls", "") for k in SYSCALLS])
    if not rows:
        return title, None, "this run did not trace system calls (vmbench run --syscalls, or --deep)"
    return title, table(["workload", "allocator", "commits", "committed", "decommits", "decommitted"] + list(SYSCALLS),
                        rows, "Counted in one traced pass per combination between the measured phase's markers, the "
                              "same way for every allocator; fewer is better.")


COST = (("cost_instructions", "instructions"), ("cost_estimated_cycles", "estimated_cycles"),
        ("cost_l1_misses", "l1_misses"), ("cost_ll_misses", "ll_misses"), ("modelled_s", "modelled_s"),
        ("modelled_kernel_s", "modelled_kernel_s"))


def cost(doc):
    title = "Cost pass (simulated)"
    rows = []
    for w, gs in _groups_by_workload(doc):
        for g in gs:
            c = g.get("cost")
            if not isinstance(c, dict):
                continue
            row = [w, _label(doc, g)]
            for name, key in COST:
                v = c.get(key)
                row.append("" if not isinstance(v, (int, float)) else
                           common.fmt_seconds(v) if key.endswith("_s") else f"{v:,.0f}")
            rows.append(row)
    if not rows:
        return title, None, "this run had no cost pass (vmbench run --cost)"
    headers = ["workload", "allocator"] + [common.figure(n)["label"] for n, _ in COST]
    return title, table(headers, rows, "Counted by callgrind in one pass per combination: deterministic, "
                                       "independent of the machine's load; lower is better.")


def versions(doc):
    """Which allocator answered, in which version, and how the child proved it."""
    title = "Allocator versions and proof"
    ctx = doc["context"]
    own = f"vmbench {ctx.get('vmbench_version', '?')} ({ctx.get('git_commit', '?')})"
    rows = []
    for a in common.order_allocators(g["allocator"] for g in doc["groups"]):
        gs = [g for g in doc["groups"] if g["allocator"] == a]
        proofs = sorted({str(g.get("proof")) for g in gs if g.get("proof")})
        cell_proofs = [c["figures"]["proof"] for c in loader.ok_cells(doc)
                       if c["allocator"] == a and isinstance(c["figures"].get("proof"), dict)]
        found = sorted({str(p["version"]) for p in cell_proofs if p.get("version")})
        built_in = any("built into vmbench" in str(p.get("evidence", "")) for p in cell_proofs) or \
            any("built into vmbench" in p for p in proofs)
        version = ", ".join(found) or (f"built in: {own}" if built_in else "not recorded in this file")
        rows.append([a, version, "; ".join(proofs) or "not recorded in this file"])
    if not rows:
        return title, None, "no group"
    return title, table(["allocator", "version", "proof (what the cell process found)"], rows, wrap=True, note=
                        "Each cell process proves which allocator answered malloc (its version call, and the library "
                        "malloc resolved to); a cell whose allocator is not proven fails (docs/metrics.md).")


def scaling(doc):
    """Per-thread throughput and scaling efficiency at each thread count: the scaling figure's own groups."""
    import scaling as scaling_figure
    title = "Scaling over threads"
    found = scaling_figure.scaling_lines(doc)
    if not found:
        return title, None, "no workload was run at two or more thread counts (vmbench run --threads 1,2,4)"
    parts = []
    for w in common.order_workloads(found):
        counts = sorted({n for _, by in found[w].values() for n in by})
        order = common.order_allocators(a for a, _ in found[w].values())
        rows = []
        for label, (alloc, by) in sorted(found[w].items(), key=lambda kv: (order.index(kv[1][0]), kv[0])):
            row = [label]
            for n in counts:
                f = by[n]["figures"] if n in by else {}
                per = (f.get("thread_ops_per_s") or {}).get("median")
                eff = (f.get("scaling_efficiency") or {}).get("median")
                row.append("" if per is None else f"{per / 1e6:.1f} M/s" + (f" ({eff:.2f})" if eff is not None else ""))
            rows.append(row)
        parts.append(f"<h4>{_e(w)}</h4>" + table(["allocator"] + [f"{n} thread{'s' if n > 1 else ''}" for n in counts],
                                                 rows))
    cpus = doc["context"].get("cpu_count")
    return title, "".join(parts) + (
        f"<p class=muted>Operations per second of each thread (the cell's over its threads; higher is better), and in "
        f"brackets what it keeps of the same allocator's at one thread (1 = nothing lost). The machine had {_e(cpus)} "
        f"logical CPUs: at more threads than that the threads take turns.</p>")


BUILDERS = (versions, throughput, phases, latency, checkpoints, syscalls, cost, scaling)
