#!/usr/bin/env bash
# Regenerates the reference results and figures in results/reference/ (used by docs/teaching.md and
# the README):
#   scripts/make-reference.sh            uses build/release/tool/vmbench (scripts/setup.sh builds it)
#   VMBENCH=path/to/vmbench scripts/make-reference.sh
#   scripts/make-reference.sh --figures-only   redraw the figures from the committed JSON, run nothing
#   scripts/make-reference.sh --threads        only the scaling reference over 1 to 16 threads (run it
#                                              on a quiet machine of 16 or more cores)
# Runs seven experiments (a few minutes in all), then draws every figure each supports with
# scripts/vmbench-plot (PNG only). Timings depend on the machine: run it on a quiet one.
set -euo pipefail

case "${1:-}" in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --figures-only) figures_only=1 ;;
  --threads) threads_only=1 ;;
  "") ;;
  *) echo "make-reference.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
figures_only=${figures_only:-0}
threads_only=${threads_only:-0}
vmbench=${VMBENCH:-build/release/tool/vmbench}
[ "$figures_only" = 1 ] || [ -x "$vmbench" ] || { echo "make-reference.sh: $vmbench not found: build first (scripts/setup.sh run) or set VMBENCH" >&2; exit 2; }
out=results/reference
mkdir -p "$out"

run() {  # NAME ARGS...: one experiment into $out/NAME.json, its figures into $out/NAME/
  local name=$1; shift
  if [ "$figures_only" = 0 ]; then
    echo "make-reference: $name: vmbench run $*"
    "$vmbench" run "$@" --quiet --out "$out/$name.json" >"$out/$name.txt"
  fi
  rm -rf "${out:?}/$name"
  scripts/vmbench-plot "$out/$name.json" --out "$out/$name" --format png --quiet
}

# The scaling reference (docs/workloads.md#threads---threads-n): per-thread throughput at 1 to 16
# threads. With fewer CPUs than 16 the larger counts measure time-slicing: it warns, and runs anyway.
if [ "$threads_only" = 1 ]; then
  cpus=$(nproc)
  [ "$cpus" -ge 16 ] || echo "make-reference: warning: $cpus CPUs: the counts above $cpus measure time-slicing, not the allocators" >&2
  run threads --scale default --reps 5 -w churn,tree,xfer,larson \
    -a arena,pool,bump,malloc,jemalloc,mimalloc,tcmalloc --threads 1,2,4,8,16
  echo "make-reference: done; figures in $out/threads/ (commit them with the machine named)"
  exit 0
fi

# 1. Every workload against every allocator: throughput, phases, peak RSS, fragmentation checkpoints.
run suite --scale default --reps 5
# 2. The seed's page-by-page commit (4K) against 64 KiB and 2 MiB steps.
run commit-step --scale default --reps 5 -w tree,frag -a arena,pool -p commit_step=4K,64K,2M
# 3. Reserving address space: 256 MiB, 64 GiB, 4 TiB per region, the same work.
run reserve --scale default --reps 5 -w tree -a arena -p reserve=256M,64G,4T
# 4. The cost of the Allocator interface: every combination inline and through the interface.
run dispatch --scale default --reps 5 --dispatch both -a arena,pool,malloc,bump
# 5. Fragmentation, larger: 4 million small objects, 90% freed at random.
run frag-large --scale large --reps 3 -w frag -a arena,pool,malloc,jemalloc,mimalloc,tcmalloc
# 6. Deep metrics: latency of every operation, memory over time, traced system calls, heap map (extra passes).
run deep --scale default --reps 3 --deep -w churn,frag -a arena,pool,malloc,jemalloc,mimalloc
# 7. Real programs: the committed traces of python3, sqlite3 and g++ (workloads/traces/) against every allocator.
run replay-python --reps 5 -w replay -p trace=workloads/traces/python.trace
run replay-sqlite --reps 5 -w replay -p trace=workloads/traces/sqlite.trace
run replay-gcc --reps 5 -w replay -p trace=workloads/traces/gcc.trace
echo "make-reference: done; figures in $out/*/"
