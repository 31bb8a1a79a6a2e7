#!/usr/bin/env bash
# The performance-regression gate: a fresh `vmbench run --scale ci --cost` compared with the committed
# baseline (results/baseline/ci.json). It judges the deterministic cost of each cell's measured phase
# (instructions and estimated cycles under callgrind, within 1%), the exact counts and the memory
# figures; wall time is shown with its U test, never judged. Exit 0: no regression; 1: regression;
# 2: unusable input or a failed run (valgrind missing, bad arguments). See docs/ci.md.
#
#   scripts/ci-gate.sh                       run and compare against results/baseline/ci.json
#   scripts/ci-gate.sh --refresh             rewrite the baseline instead (scripts/refresh-baseline.sh)
#   options: --vmbench PATH   the binary (default: $VMBENCH, else build/release/tool/vmbench)
#            --baseline FILE  the reference (default: results/baseline/ci.json)
#            --out FILE       where the fresh results go (default: a temporary file)
#            --allocators A,B the allocators measured (default: arena,pool,bump,malloc,tcmalloc,jemalloc)
#            --workloads A,B  the workloads (default: all four)
#            -- ARGS...       more `vmbench run` arguments (e.g. -p test_delay_spins=2)
set -euo pipefail
cd "$(dirname "$0")/.."

vmbench=${VMBENCH:-build/release/tool/vmbench}
baseline=results/baseline/ci.json
out=""
refresh=false
allocators=arena,pool,bump,malloc,tcmalloc,jemalloc
workloads=tree,churn,strings,frag
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --vmbench) vmbench=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --allocators) allocators=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --refresh) refresh=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci-gate: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$vmbench" ] || { echo "ci-gate: no vmbench binary at $vmbench (build first, or --vmbench PATH)" >&2; exit 2; }

# What is measured: every cell at its plain --scale ci size, five interleaved repetitions (the times
# shown, and their U test, need at least 4 a side), and one cost pass per combination under callgrind
# (about 130 times slower than natively, which is why the sizes stay small: the counts are the same
# from run to run at any size). An allocator not installed here is skipped (the compare notes it).
# mimalloc is left out by default: its time-based decommit (25 ms in mimalloc 2.0) makes its RSS at
# these sizes bimodal, and the medians of unchanged code moved by up to 163 pages between runs.
run_args=(run --scale ci --reps 5 --seed 42 --cost -a "$allocators" -w "$workloads" --quiet)

# How it is judged. Instructions and estimated cycles of the measured phase within 1% (the registry's
# default); checksums and operation counts, heap commit and decommit calls and bytes exactly; RSS and
# page faults within 32 pages. Times are reported as ratios to malloc of the same run and repetition,
# with their U test, and never fail the gate: on a shared runner they move by 35-50% on unchanged code.
compare_args=(--normalize malloc
              -t wall_s=off -t cpu_user_s=off -t cpu_sys_s=off -t ops_per_s=off -t peak_rss_bytes=off)

if $refresh; then
  target=${out:-$baseline}
  mkdir -p "$(dirname "$target")"
  "$vmbench" "${run_args[@]}" --out "$target" "${extra[@]}" >/dev/null
  echo "ci-gate: baseline written to $target ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r))"
  exit 0
fi

[ -f "$baseline" ] || { echo "ci-gate: no baseline at $baseline (make one: scripts/refresh-baseline.sh)" >&2; exit 2; }
tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT
out=${out:-$tmpdir/ci.json}
report=$tmpdir/gate-report.txt

start=$(date +%s)
status=0
"$vmbench" "${run_args[@]}" --out "$out" "${extra[@]}" >/dev/null || status=$?
# Exit 1 means some cells failed: compare judges that (a failed cell is a regression). Anything else
# (bad arguments, valgrind missing, interrupted) left nothing to judge.
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "ci-gate: vmbench run failed (exit $status)" >&2
  exit 2
fi
status=0
"$vmbench" compare "$baseline" "$out" "${compare_args[@]}" >"$report" || status=$?
# The full table when something is off; the notes and the verdict line always.
if [ "$status" -ne 0 ]; then cat "$report"; else grep -E '^(note: |no regression|REGRESSION)' "$report" || true; fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  "$vmbench" compare "$baseline" "$out" "${compare_args[@]}" --format markdown >>"$GITHUB_STEP_SUMMARY" || true
fi
echo "ci-gate: exit $status after $(( $(date +%s) - start )) s (0 no regression, 1 regression, 2 unusable)"
exit "$status"
