#!/usr/bin/env bash
# Build the allocator library's micro-benchmark (release preset), run it with repetitions, and print
# the median ns per operation and the library's two target ratios:
#   arena push / bare bump          target <= 1.3 (against the bump whose pointer lives in memory,
#                                   like the arena's; the register-only bump is shown too)
#   malloc+free / pool alloc+free   target >= 3
# plus bumping down against bumping up. Misses are printed as MISSED; the exit status is still 0.
# It is non-zero only when the benchmark could not be built or run.
#
# usage: scripts/bench-lib.sh [extra Google Benchmark flags, e.g. --benchmark_filter=arena]
# env:   VMB_BENCH_BUILD_DIR  an already configured build directory to use instead of the release
#                             preset (configuring is then left to you)
#        VMB_BENCH_MIN_TIME   seconds per repetition of each benchmark (default 0.25)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Five repetitions of 0.25 s each, interleaved in random order, so a burst of noise from the other
# tenant of a shared 2-core machine lands in one repetition of one benchmark, and the median of the
# five drops it (within a repetition, the benchmark already takes the median over its timed chunks).
# Google Benchmark 1.7 takes --benchmark_min_time as a bare number of seconds, without an "s".
repetitions=5
min_time_s="${VMB_BENCH_MIN_TIME:-0.25}"

if [[ -n "${VMB_BENCH_BUILD_DIR:-}" ]]; then
  build="$VMB_BENCH_BUILD_DIR"
else
  build="build/release"
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  if ! cmake --preset release >"$log" 2>&1; then
    cat "$log" >&2
    echo "bench-lib: configuring the release preset failed (output above)" >&2
    exit 1
  fi
fi

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "bench-lib: $build is not a configured CMake build directory" >&2
  exit 1
fi
json="$build/lib_bench.json"
console="$build/lib_bench.txt"

# Captured first: with pipefail, grep -q closing the pipe early could fail the pipeline.
targets="$(cmake --build "$build" --target help 2>/dev/null || true)"
if ! grep -Eq '(^|[[:space:]])vmb_lib_bench(:|[[:space:]]|$)' <<<"$targets"; then
  echo "bench-lib: no target vmb_lib_bench in $build: tests/CMakeLists.txt must add_subdirectory(bench)" \
       "(outside VMB_LIBRARY_ONLY), and VMB_BUILD_TESTS must be ON" >&2
  exit 2
fi
if ! cmake --build "$build" --target vmb_lib_bench >"$console" 2>&1; then
  cat "$console" >&2
  echo "bench-lib: building vmb_lib_bench failed (output above)" >&2
  exit 1
fi

bin="$(find "$build" -type f -name vmb_lib_bench -perm -u+x | head -n 1)"
if [[ -z "$bin" ]]; then
  echo "bench-lib: built vmb_lib_bench but cannot find the executable under $build" >&2
  exit 1
fi

flags=(--benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true
       --benchmark_min_time="$min_time_s" --benchmark_enable_random_interleaving=true
       --benchmark_out="$json" --benchmark_out_format=json "$@")
count="$("$bin" --benchmark_list_tests=true "$@" | wc -l)"
echo "running $count benchmarks x $repetitions repetitions (about $(awk -v n="$count" -v r="$repetitions" \
  -v t="$min_time_s" 'BEGIN { printf "%d", n * r * t * 1.3 + 5 }') s)"
echo "  $bin ${flags[*]}"
"$bin" "${flags[@]}" >"$console" 2>&1 || {
  cat "$console" >&2
  echo "bench-lib: the benchmark failed (output above)" >&2
  exit 1
}
echo "console output: $console"
echo "JSON:           $json"
echo

# The system Python first: the python3 on PATH may be another (pyenv) interpreter. Only the standard
# library is needed.
python=""
for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
  if [[ -n "$candidate" && -x "$candidate" ]]; then
    python="$candidate"
    break
  fi
done

if [[ -n "$python" ]]; then
  "$python" - "$json" <<'PY'
import json
import sys

# Targets the library is held to (see the header of this script).
ARENA_OVER_BUMP_MAX = 1.3
MALLOC_OVER_POOL_MIN = 3.0

with open(sys.argv[1]) as f:
    report = json.load(f)

median, cv, extra = {}, {}, {}
for b in report["benchmarks"]:
    if b.get("run_type") != "aggregate" or "ns_per_op" not in b:
        continue
    family, size_field = b["run_name"].split("/")[:2]
    key = (family, int(size_field.split(":")[-1]))
    if b["aggregate_name"] == "median":
        median[key] = b["ns_per_op"]
        extra[key] = b
    elif b["aggregate_name"] == "cv":
        cv[key] = b["ns_per_op"]

# Rows in reading order; families this script does not know go last.
ORDER = ["arena_push", "bump", "bump_in_memory", "bump_up", "bump_down", "bump_up_nostats", "bump_down_nostats",
         "bump_up_lean", "bump_down_lean", "pool_alloc_free", "malloc_free",
         "pool_alloc_free_batch", "malloc_free_batch"]
found = {f for f, _ in median}
families = [f for f in ORDER if f in found] + sorted(found - set(ORDER))
sizes = sorted({s for _, s in median})
if not median:
    sys.exit("bench-lib: no medians in the JSON (were the benchmarks filtered out?)")

def row(label, cells, width=9):
    return f"{label:<24}" + "".join(f"{c:>{width}}" for c in cells)

print("median ns per operation (cv = the largest coefficient of variation over the sizes)")
print(row("bytes", [str(s) for s in sizes] + ["cv"]))
for fam in families:
    cells = [f"{median[(fam, s)]:.2f}" if (fam, s) in median else "-" for s in sizes]
    worst_cv = max((cv.get((fam, s), 0.0) for s in sizes), default=0.0)
    print(row(fam, cells + [f"{worst_cv * 100:.0f}%"]))
print()

def ratio_line(label, num, den, target, higher_is_better):
    if not any((num, s) in median and (den, s) in median for s in sizes):
        return  # filtered out of this run
    cells, missed = [], []
    for s in sizes:
        if (num, s) not in median or (den, s) not in median:
            cells.append("-")
            continue
        r = median[(num, s)] / median[(den, s)]
        ok = r >= target if higher_is_better else r <= target
        cells.append(f"{r:.2f}" + ("" if ok else "!"))
        if not ok:
            missed.append(str(s))
    sign = ">=" if higher_is_better else "<="
    verdict = "ok" if not missed else "MISSED at " + ",".join(missed) + " bytes"
    print(row(label, cells) + f"   target {sign} {target:g}: {verdict}")

print("ratios of medians (! = target missed)")
print(row("bytes", [str(s) for s in sizes]))
ratio_line("arena_push / bump_in_memory", "arena_push", "bump_in_memory", ARENA_OVER_BUMP_MAX, False)
print("  (the target's like-for-like limit: a bare increment of a pointer kept in memory, as any")
print("   allocator's position is; `bump` keeps it in a register, which no allocator object can)")
ratio_line("arena_push / bump", "arena_push", "bump", ARENA_OVER_BUMP_MAX, False)
ratio_line("malloc / pool (one)", "malloc_free", "pool_alloc_free", MALLOC_OVER_POOL_MIN, True)
ratio_line("malloc / pool (batch)", "malloc_free_batch", "pool_alloc_free_batch",
           MALLOC_OVER_POOL_MIN, True)
print()

def direction(down, up):
    pairs = [(s, median[(down, s)] / median[(up, s)]) for s in sizes
             if (down, s) in median and (up, s) in median]
    if not pairs:
        return
    cells = [f"{r:.2f}" for _, r in pairs]
    geo = 1.0
    for _, r in pairs:
        geo *= r
    geo **= 1.0 / len(pairs)
    if abs(geo - 1.0) < 0.03:
        verdict = "a tie (within 3%)"
    elif geo < 1.0:
        verdict = f"down faster by {(1.0 / geo - 1.0) * 100:.0f}% (geometric mean)"
    else:
        verdict = f"up faster by {(geo - 1.0) * 100:.0f}% (geometric mean)"
    print(row(f"{down} / {up.split('_')[1]}", cells) + f"   {verdict}")

print("bumping down / bumping up, like for like (< 1: down is faster)")
print(row("bytes", [str(s) for s in sizes]))
direction("bump_down", "bump_up")
direction("bump_down_nostats", "bump_up_nostats")
direction("bump_down_lean", "bump_up_lean")
print()

# The arena's twin with parts of its fast path removed: what each part costs.
print("arena fast path, ratio to the bare bump (twins: stats = the two counters, lean = one compare)")
print(row("bytes", [str(s) for s in sizes]))
for fam in ["arena_push", "bump_up", "bump_up_nostats", "bump_up_lean", "bump_down_lean"]:
    if all((fam, s) in median and ("bump", s) in median for s in sizes):
        print(row(fam, [f"{median[(fam, s)] / median[('bump', s)]:.2f}" for s in sizes]))
print()

def span(values):
    lo, hi = round(min(values)), round(max(values))
    return f"{lo}" if lo == hi else f"{lo}-{hi}"

clear = [extra[("arena_push", s)].get("reset_ns") for s in sizes if ("arena_push", s) in extra]
floor = [extra[("bump", s)].get("reset_ns") for s in sizes if ("bump", s) in extra]
if clear and floor and None not in clear + floor:
    print(f"arena clear(): {span(clear)} ns per clear, kept out of ns_per_op (a clock read included: "
          f"resetting a bare pointer measures {span(floor)} ns)")
commits = [extra[("arena_push", s)].get("commit_calls", 0) for s in sizes if ("arena_push", s) in extra]
if any(c != 0 for c in commits):
    print("WARNING: the arena committed pages inside timed chunks: arena_push is not at steady state")
# Coefficient of variation across repetitions above which a median is not worth a ratio target.
NOISY_CV = 0.10
noisy = sorted(f"{f}/{s}" for (f, s), v in cv.items() if v > NOISY_CV)
if noisy:
    print(f"NOISY: {len(noisy)} of {len(cv)} benchmarks vary by more than {NOISY_CV:.0%} between "
          f"repetitions (the machine is busy): their ratios can be off; rerun when it is quieter")
PY
elif command -v jq >/dev/null; then
  echo "(no Python found: medians and ratios from jq)"
  jq -r '
    [.benchmarks[] | select(.run_type == "aggregate" and .aggregate_name == "median")
     | {f: (.run_name | split("/")[0]), s: (.run_name | split("/")[1] | split(":")[1]),
        v: .ns_per_op}] as $m
    | ($m | sort_by(.f, (.s | tonumber)) [] | "\(.f)/\(.s)\t\(.v * 100 | round / 100) ns"),
      "",
      ($m | map(select(.f == "arena_push")) | sort_by(.s | tonumber) [] as $a
       | ($m[] | select(.f == "bump" and .s == $a.s)) as $b
       | ($a.v / $b.v) as $r
       | "arena_push/bump \($a.s) B: \($r * 100 | round / 100) \(if $r <= 1.3 then "ok" else "MISSED (target <= 1.3)" end)"),
      ($m | map(select(.f == "malloc_free")) | sort_by(.s | tonumber) [] as $a
       | ($m[] | select(.f == "pool_alloc_free" and .s == $a.s)) as $b
       | ($a.v / $b.v) as $r
       | "malloc/pool \($a.s) B: \($r * 100 | round / 100) \(if $r >= 3 then "ok" else "MISSED (target >= 3)" end)"),
      ($m | map(select(.f == "bump_down")) | sort_by(.s | tonumber) [] as $a
       | ($m[] | select(.f == "bump_up" and .s == $a.s)) as $b
       | "bump_down/bump_up \($a.s) B: \($a.v / $b.v * 100 | round / 100)")
  ' "$json"
else
  echo "bench-lib: neither python3 nor jq found: read the medians from $json"
fi
exit 0
