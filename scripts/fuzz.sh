#!/usr/bin/env bash
# Fuzz the allocators and the results loader with libFuzzer (clang 14, ASan + UBSan, assertions on):
#   arena           arena operations against the reference model (tests/model/arena_model.hpp)
#   pool            pool operations against the reference model (tests/model/pool_model.hpp)
#   results_loader  any bytes as a results file; what it accepts must be safe for every consumer
#   cli_args        any arguments (one per line) to the command line, the option checks and the plan
# Each target starts from its committed corpus (tests/fuzz/corpus/<target>/); new inputs go to
# build/fuzz/runs/<target>/new/, crashes to build/fuzz/runs/<target>/artifacts/. Prints, per target,
# the executions, their rate and the coverage reached; exits 1 if any target found a failure.
#
# usage: scripts/fuzz.sh [--seconds N] [--merge] [TARGET...]
#   --seconds N  time per target (default 60; the test command under CI=true uses a short run)
#   --merge      then add the new inputs that reach new coverage to the committed corpus
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds=60
merge=false
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds needs a whole number of seconds >= 1, not '${2:-}'" >&2; exit 2; }
      seconds=$2; shift 2 ;;
    --merge) merge=true; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    arena|pool|results_loader|cli_args) targets+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (targets: arena pool results_loader cli_args)" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(arena pool results_loader cli_args)

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }
compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null ||
  { echo "fuzz.sh: libFuzzer not found (apt-get install libclang-rt-14-dev)" >&2; exit 2; }

cmake --preset fuzz >/dev/null
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]/%/_fuzz}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "fuzz.sh: the fuzz targets did not build" >&2
  exit 2
fi

found=0
for t in "${targets[@]}"; do
  bin="build/fuzz/tests/fuzz/${t}_fuzz"
  corpus="tests/fuzz/corpus/$t"
  run="build/fuzz/runs/$t"
  mkdir -p "$run/new" "$run/artifacts" "$corpus"
  shape=()  # what an input may look like
  [ -f "tests/fuzz/$t.dict" ] && shape+=(-dict="tests/fuzz/$t.dict")
  [ "$t" = results_loader ] && shape+=(-max_len=16384)  # whole small results documents
  [ "$t" = cli_args ] && shape+=(-max_len=8192)          # command lines, a long sweep included
  status=0
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$run/artifacts/" "${shape[@]}" "$run/new" "$corpus" >"$run/log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$run/log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  if [ "$status" -ne 0 ]; then
    found=1
    crash=$(ls -t "$run/artifacts" 2>/dev/null | head -1)
    echo "fuzz $t: FAILED after ${execs:-?} executions: $(grep -m1 -E 'model mismatch|results loader:|command line:|runtime error|Assertion|uncaught|ERROR:' "$run/log" || echo "exit $status")"
    echo "  input: $run/artifacts/$crash   reproduce: $bin $run/artifacts/$crash   log: $run/log"
    continue
  fi
  echo "fuzz $t: ${execs} executions in ${seconds} s (${rate}/s), coverage ${cov} edges, ${ft} features, corpus ${corp} inputs, no failure"
  if $merge; then
    before=$(ls "$corpus" | wc -l)
    "$bin" -merge=1 "${shape[@]}" "$corpus" "$run/new" >"$run/merge.log" 2>&1
    echo "  merged: corpus $before -> $(ls "$corpus" | wc -l) inputs"
  fi
done
exit "$found"
