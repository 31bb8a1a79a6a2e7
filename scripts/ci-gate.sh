#!/usr/bin/env bash
# The performance-regression gate: a fresh `vmbench run --scale ci` compared with the committed
# baseline (results/baseline/ci.json). Exit 0: no regression; 1: regression; 2: unusable input or
# a failed run. See docs/ci.md.
#
#   scripts/ci-gate.sh                       run and compare against results/baseline/ci.json
#   scripts/ci-gate.sh --refresh             rewrite the baseline instead (scripts/refresh-baseline.sh)
#   options: --vmbench PATH   the binary (default: $VMBENCH, else build/release/tool/vmbench)
#            --baseline FILE  the reference (default: results/baseline/ci.json)
#            --out FILE       where the fresh results go (default: a temporary file)
#            --allocators A,B the allocators measured (default: arena,pool,malloc; malloc is the reference)
#            -- ARGS...       more `vmbench run` arguments (e.g. -p test_delay_spins=200)
set -euo pipefail
cd "$(dirname "$0")/.."

vmbench=${VMBENCH:-build/release/tool/vmbench}
baseline=results/baseline/ci.json
out=""
refresh=false
allocators=arena,pool,malloc
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --vmbench) vmbench=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --allocators) allocators=$2; shift 2 ;;
    --refresh) refresh=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci-gate: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$vmbench" ] || { echo "ci-gate: no vmbench binary at $vmbench (build first, or --vmbench PATH)" >&2; exit 2; }

# What is measured. Nine interleaved repetitions: the U test needs at least 4 a side to ever reach
# p < 0.05, and Google Benchmark's compare.py asks for 9. At --scale ci some cells last 1-10 ms, too
# short to time on a shared runner (ratios between such runs moved by 2x on unchanged code): the
# gate makes each workload 4 to 64 times longer, so that every timed cell lasts 30 ms or more;
# every other parameter stays at --scale ci.
run_args=(run --scale ci --reps 9 --seed 42 -a "$allocators" --quiet
          -p depth=16 -p steps=2000k -p small_objects=400k -p words=640k)

# How it is judged. CI machines are not the machine that made the baseline: absolute times never
# gate, only ratios to malloc measured in the same run and repetition, and only when the U test
# (p < 0.05) AND a generous effect (50%) agree, on cells of 20 ms or more. Deterministic counts must
# match exactly; RSS and faults within 32 pages. CPU-time splits and throughput (the inverse of wall
# time) are reported only, as is peak_rss_bytes (the whole process, start-up included).
compare_args=(--normalize malloc --min-effect 50% --min-time 0.02
              -t cpu_user_s=off -t cpu_sys_s=off -t ops_per_s=off -t peak_rss_bytes=off)

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
# (bad arguments, interrupted) left nothing to judge.
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "ci-gate: vmbench run failed (exit $status)" >&2
  exit 2
fi
status=0
"$vmbench" compare "$baseline" "$out" "${compare_args[@]}" >"$report" || status=$?
# The full table when something is off; the verdict line always.
if [ "$status" -ne 0 ]; then cat "$report"; else tail -n 1 "$report"; fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  "$vmbench" compare "$baseline" "$out" "${compare_args[@]}" --format markdown >>"$GITHUB_STEP_SUMMARY" || true
fi
echo "ci-gate: exit $status after $(( $(date +%s) - start )) s (0 no regression, 1 regression, 2 unusable)"
exit "$status"
