#!/usr/bin/env bash
# Runs the regression gate (scripts/ci-gate.sh) on unchanged code several times and counts its false
# alarms: every exit other than 0 is one (docs/ci.md, "False alarms"). Prints one Markdown row per run
# (exit status, seconds, verdict line) and a summary; exits 1 when any run raised an alarm.
#
#   scripts/gate-false-alarms.sh [--runs 20] [ci-gate.sh options...]
#   e.g. scripts/gate-false-alarms.sh --runs 5 --baseline /tmp/base.json
set -euo pipefail
cd "$(dirname "$0")/.."

runs=20
gate_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) gate_args+=("$1"); shift ;;
  esac
done
case "$runs" in ''|*[!0-9]*|0) echo "gate-false-alarms: --runs wants a whole number >= 1, not '$runs'" >&2; exit 2 ;; esac

alarms=0
total=0
echo "| run | exit | seconds | load average | largest cost change | verdict |"
echo "|---:|---:|---:|---|---:|---|"
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  status=0
  output=$(scripts/ci-gate.sh "${gate_args[@]}" 2>&1) || status=$?
  seconds=$(( $(date +%s) - start ))
  total=$(( total + seconds ))
  verdict=$(printf '%s\n' "$output" | grep -E '^(no regression|REGRESSION)' | tail -n 1 || true)
  # compare's last line: "no regression: N figures judged in C cells (K cost (largest +0.0132%), ...": the
  # cost figure that moved most, and the verdict without the counts
  largest=$(printf '%s\n' "$verdict" | grep -oE 'largest [-+][0-9.e+-]+%' | cut -d' ' -f2 || true)
  short=$(printf '%s\n' "$verdict" | sed -E 's/ \(first: ([^)]*)\).*/ (first: \1)/; s/ cells \(.*/ cells/')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "| $i | $status | $seconds | $load | ${largest:--} | ${short:-$(printf '%s\n' "$output" | tail -n 1)} |"
  if [ "$status" -ne 0 ]; then
    alarms=$(( alarms + 1 ))
    printf '%s\n' "$output" | grep -E ' worse ' | head -n 20 >&2 || true
  fi
done
echo
echo "gate-false-alarms: $alarms false alarms in $runs runs of unchanged code, $(( total / runs )) s a run on average"
[ "$alarms" -eq 0 ]
