"""The workload's own instructions per operation, per allocator (issue 17): a cell's measured phase run under
callgrind (its client requests at the phase's bounds, workloads/cost_marker.hpp, as the cost pass does), every
instruction executed in vmbench attributed through the debug line tables to the source it was written in, the
inlining chain included. An instruction is the workload's own when the innermost frame of its chain that is
not a standard-library header lies in workloads/ but not in workloads/heaps/: the driver, the workload, its
random numbers. Heap, library (lib/), libc and libstdc++ code, and anything without line information, is the
allocator's or the runtime's. Divided by the workload's operations, that is the figure every allocator must
share: the same source loops, compiled the same way around each heap.

The workloads library is built with -g (workloads/CMakeLists.txt): GCC's code does not change with it (the
release binary's disassembly is the same with and without), so this measures the release binary itself.

  python3 tests/tool/workload_instructions.py [--vmbench PATH] [-w tree,churn] [-a arena,pool]
prints the table (docs/library.md, "The workload's own instructions").
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# The allocators compiled into vmbench, and one preloaded malloc (the same binary code as malloc).
ALLOCATORS = ["malloc", "jemalloc", "pool", "pool-remote", "pmr-pool", "oracle", "arena", "bump", "pmr-monotonic"]
WORKLOADS = ["tree", "churn", "strings", "frag"]
PRELOADED = {"jemalloc": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}
SEED = 42

# Callgrind writes an object's instruction addresses less the object's load offset, so a position-independent
# executable's are its link-time addresses; the attribution checks that against the symbol table
# (base_checked) rather than trusting it.
CALLGRIND_ADDRESS_BASE = 0

_NAMED = re.compile(r"^(ob|fl|fi|fe|fn|cob|cfl|cfi|cfn)=(?:\((\d+)\))?\s?(.*)$")


def ci_cells(vmbench, workloads):
    """{workload: its --scale ci parameters} and whether vmbench is a sanitizer build, from one native run."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = subprocess.run([vmbench, "run", "--scale", "ci", "--reps", "1", "-w", ",".join(workloads), "-a", "malloc",
                            "-q", "--out", out], capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f"vmbench run failed: {p.stderr.strip()}")
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
    params = {c["workload"]: c["params"] for c in doc["cells"]}
    return params, "sanitize" in doc["context"]["build_flags"]


def run_callgrind(vmbench, workload, allocator, params, work_dir):
    """One cell under callgrind, counting its measured phase only, every instruction's address kept.
    Returns (callgrind output path, the cell's result)."""
    spec = {"workload": workload, "allocator": allocator, "dispatch": "inline", "params": params, "seed": SEED,
            "warmup": 0, "pass": "cost"}
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    if allocator in PRELOADED:
        spec["library"] = env["LD_PRELOAD"] = PRELOADED[allocator]
    cg_out = os.path.join(work_dir, f"{workload}-{allocator}.callgrind")
    result = os.path.join(work_dir, f"{workload}-{allocator}.json")
    with open(result, "w", encoding="utf-8") as fd3:  # the cell hands in its result on descriptor 3
        p = subprocess.run(["valgrind", "--tool=callgrind", "-q", "--instr-atstart=no", "--dump-instr=yes",
                            "--demangle=no", f"--callgrind-out-file={cg_out}", vmbench, "__cell", json.dumps(spec)],
                           env=env, capture_output=True, text=True, timeout=600, pass_fds=(3,),
                           preexec_fn=lambda: os.dup2(fd3.fileno(), 3))
    if p.returncode != 0:
        raise RuntimeError(f"{workload}/{allocator} under callgrind exited {p.returncode}: {p.stderr.strip()}")
    with open(result, encoding="utf-8") as f:
        return cg_out, json.load(f)


def _position(field, last):
    if field == "*":
        return last
    if field[0] in "+-":
        return last + int(field, 0)
    return int(field, 0)


def instruction_costs(cg_out):
    """{(object, function): {address: Ir}} of a callgrind file written with --dump-instr=yes, and its totals.
    The line after calls= is the call's inclusive cost: skipped (it is counted where it was spent)."""
    names, ob, fn = {}, None, None
    costs, total, skip, last_addr = {}, None, False, 0
    with open(cg_out, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = _NAMED.match(line)
            if m:
                kind, idx, name = m.groups()
                space = "ob" if kind in ("ob", "cob") else "fn" if kind in ("fn", "cfn") else "fl"
                if idx is not None and name:
                    names[(space, idx)] = name
                value = names.get((space, idx), name) if idx is not None else name
                if kind == "ob":
                    ob = value
                elif kind == "fn":
                    fn = value
                continue
            if line.startswith("calls="):
                skip = True
                continue
            if line.startswith("totals:"):
                total = int(line.split()[1])
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            fields = line.split()
            last_addr = _position(fields[0], last_addr)
            if skip:
                skip = False
                continue
            per_fn = costs.setdefault((ob, fn), {})
            per_fn[last_addr] = per_fn.get(last_addr, 0) + int(fields[2])
    return costs, total


def symbol_ranges(exe):
    """{mangled name: [(start, end), ...]} of the executable's functions (a local name may repeat)."""
    p = subprocess.run(["nm", "-S", "--defined-only", exe], capture_output=True, text=True, check=True)
    ranges = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            start = int(parts[0], 16)
            ranges.setdefault(parts[3], []).append((start, start + int(parts[1], 16)))
    return ranges


def base_checked(exe, costs):
    """What to take off callgrind's addresses of the executable, proven: every executed address of a function must lie
    inside that function's symbol once the base is taken off."""
    ranges = symbol_ranges(exe)
    checked = 0
    for (ob, fn), addrs in costs.items():
        if ob != exe or fn not in ranges:
            continue
        for a in addrs:
            if not any(start <= a - CALLGRIND_ADDRESS_BASE < end for start, end in ranges[fn]):
                raise RuntimeError(f"{fn}: address {a:#x} is not inside its symbol at base {CALLGRIND_ADDRESS_BASE:#x}")
            checked += 1
    if checked == 0:
        raise RuntimeError("no executed address of vmbench could be matched with its symbol table")
    return CALLGRIND_ADDRESS_BASE


def inline_chains(exe, addresses):
    """{address: ["file:line", ...]} innermost frame first, from the debug line tables (addr2line -i)."""
    p = subprocess.run(["addr2line", "-i", "-a", "-e", exe], input="\n".join(f"{a:#x}" for a in addresses),
                       capture_output=True, text=True, check=True)
    chains, current = {}, None
    for line in p.stdout.splitlines():
        if line.startswith("0x"):
            current = chains.setdefault(int(line, 16), [])
        elif current is not None:
            current.append(line.split(" (discriminator")[0])
    return chains


def is_workload_source(chain):
    """The innermost frame that is not a standard-library header decides (std::rotl in churn is churn's,
    std::pmr code inside a heap is the heap's)."""
    return workload_frame(chain) is not None


def workload_frame(chain):
    """The chain's deciding frame ("file:line") when it is the workload's, else None."""
    for frame in chain:
        if frame.startswith("/usr/include/"):
            continue
        path = os.path.normpath(frame.rsplit(":", 1)[0])
        return frame if "/workloads/" in path and "/workloads/heaps/" not in path else None
    return None


def workload_instructions(exe, cg_out, per_line=None):
    """(the workload's own instructions, every instruction counted) in a callgrind file; `per_line`, a dict,
    gets them by source line."""
    exe = os.path.realpath(exe)
    costs, total = instruction_costs(cg_out)
    counted = sum(sum(a.values()) for a in costs.values())
    if counted != total:
        raise RuntimeError(f"{cg_out}: the instructions read ({counted}) are not the file's totals ({total})")
    base = base_checked(exe, costs)
    own = {}
    for (ob, _), addrs in costs.items():
        if ob == exe:
            for a, ir in addrs.items():
                own[a - base] = own.get(a - base, 0) + ir
    chains = inline_chains(exe, sorted(own))
    mine = 0
    for a, ir in own.items():
        frame = workload_frame(chains.get(a, []))
        if frame is not None:
            mine += ir
            if per_line is not None:
                key = os.path.basename(frame.rsplit(":", 1)[0]) + ":" + frame.rsplit(":", 1)[1]
                per_line[key] = per_line.get(key, 0) + ir
    return mine, total


def ops(result):
    """The workload's operations as the cell counted them (driver.hpp, WorkloadStats::ops)."""
    return result["ops"]


# The heap class each allocator's cells instantiate the workloads with (workloads/heap_runs/*.cpp, one file per heap).
HEAP_CLASSES = {"malloc": "MallocHeap", "jemalloc": "MallocHeap", "pool": "PoolHeap", "pool-remote": "RemotePoolHeap",
                "pmr-pool": "PmrPoolHeap", "oracle": "OracleHeap", "arena": "ArenaHeap", "bump": "BumpHeap",
                "pmr-monotonic": "PmrMonotonicHeap"}
_MEASURED_WORKLOAD = re.compile(r"vmbench::(tree|churn|strings|frag)::|vmbench::Driver<")
_OTHER_WORKLOAD = re.compile(r"vmbench::(xfer|larson|replay)::|Probed<|DispatchHeap<|RecordingPoolHeap")


def out_of_line_functions(exe, allocators):
    """{allocator: the functions of tree, churn, strings, frag and the driver that the compiler left out of line
    for its heap, the heap's name replaced by H}: the same set for two heaps means the same calls in their loops."""
    p = subprocess.run(["nm", "-C", "--defined-only", exe], capture_output=True, text=True, check=True)
    names = [line.split(" ", 2)[2] for line in p.stdout.splitlines() if line.count(" ") >= 2]
    names = [n for n in names if _MEASURED_WORKLOAD.search(n) and not _OTHER_WORKLOAD.search(n)]
    out = {}
    for a in allocators:
        heap = "vmbench::" + HEAP_CLASSES[a]
        out[a] = {re.sub(re.escape(heap) + r"\b", "H", n) for n in names if re.search(re.escape(heap) + r"\b", n)}
    return out


def available(allocator):
    return allocator not in PRELOADED or os.path.exists(PRELOADED[allocator])


def measure(vmbench, workloads=WORKLOADS, allocators=ALLOCATORS, overrides=None):
    """{workload: {allocator: {"workload_ir", "total_ir", "ops", "checksum", "lines"}}}."""
    params, sanitized = ci_cells(vmbench, workloads)
    if sanitized:
        raise RuntimeError("a sanitizer build cannot run under valgrind")
    table = {}
    with tempfile.TemporaryDirectory() as work_dir:
        for w in workloads:
            p = dict(params[w], **(overrides or {}).get(w, {}))
            for a in (a for a in allocators if available(a)):
                cg_out, result = run_callgrind(vmbench, w, a, p, work_dir)
                lines = {}
                own, total = workload_instructions(vmbench, cg_out, lines)
                table.setdefault(w, {})[a] = {"workload_ir": own, "total_ir": total, "ops": ops(result),
                                              "checksum": result["checksum"], "lines": lines}
                os.remove(cg_out)
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vmbench", default=os.environ.get("VMBENCH", "build/release/tool/vmbench"))
    ap.add_argument("-w", "--workloads", default=",".join(WORKLOADS))
    ap.add_argument("-a", "--allocators", default=",".join(ALLOCATORS))
    ap.add_argument("--lines", action="store_true", help="also each source line's instructions per operation")
    args = ap.parse_args()
    if not shutil.which("valgrind") or not shutil.which("addr2line"):
        sys.exit("workload_instructions: needs valgrind and addr2line (Debian packages valgrind, binutils)")
    table = measure(args.vmbench, args.workloads.split(","), args.allocators.split(","))
    print("| workload | allocator | workload instructions | operations | per operation | all instructions |")
    print("|---|---|---:|---:|---:|---:|")
    for w, row in table.items():
        step = max(c["ops"] for c in row.values())
        for a, c in row.items():
            print(f"| {w} | {a} | {c['workload_ir']} | {c['ops']} | {c['workload_ir'] / step:.3f} | {c['total_ir']} |")
        if args.lines:
            keys = sorted({k for c in row.values() for k in c["lines"]})
            print("line " + " ".join(f"{a:>9}" for a in row))
            for k in keys:
                v = [row[a]["lines"].get(k, 0) / step for a in row]
                if max(v) - min(v) > 0.05:
                    print(f"{k:20} " + " ".join(f"{x:9.3f}" for x in v))


if __name__ == "__main__":
    main()
