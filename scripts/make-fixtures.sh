#!/usr/bin/env bash
# Regenerates the results files the plot, report and loader tests read (tests/fixtures/):
#   scripts/make-fixtures.sh             uses build/release/tool/vmbench (scripts/setup.sh builds it)
#   VMBENCH=path/to/vmbench scripts/make-fixtures.sh
# Each fixture is one small run at ci scale (about a minute in all). Run it after a change to the
# results schema, then commit the four files; the tests check structure, never timings, so the
# machine it runs on does not matter.
set -euo pipefail

case "${1:-}" in
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "make-fixtures.sh: takes no arguments (see --help)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
vmbench=${VMBENCH:-build/release/tool/vmbench}
[ -x "$vmbench" ] || { echo "make-fixtures.sh: $vmbench not found: build first (scripts/setup.sh run) or set VMBENCH" >&2; exit 2; }
out=tests/fixtures

fixture() {  # NAME ARGS...: one run into $out/NAME.json
  local name=$1; shift
  echo "make-fixtures: $name: vmbench run $*"
  "$vmbench" run --scale ci --reps 2 "$@" --quiet --out "$out/$name.json" >/dev/null
}

# Every workload, the library's allocators against two malloc-family ones and the bump: the plots' base case.
fixture ci-suite -a arena,pool,malloc,jemalloc,bump
# A parameter sweep and both dispatch modes: the sweep and dispatch figures.
fixture ci-sweep-dispatch -w tree,frag -a arena,pool,malloc --dispatch both -p commit_step=4K,64K
# Every deep pass: latency, timeline, system calls, heap map.
fixture ci-deep --deep -w churn,frag -a arena,pool,malloc,jemalloc
# A sweep over threads, with xfer: the scaling figure (this machine's CPU count does not matter: the
# tests check the figure's structure).
fixture ci-threads -w churn,tree,xfer -a arena,pool,malloc,jemalloc --threads 1,2,4
