#!/usr/bin/env bash
# A small `vmbench run` under valgrind memcheck, cell processes included (--trace-children): every
# workload against malloc, the arena, the pool, the bump heap and a pmr pool. A memcheck error in
# any process makes that process exit 99, which fails its cell (or the run), and so this test.
# Reservations are shrunk: valgrind refuses a 16-64 GiB mapping that Linux grants.
# usage: valgrind_run.sh VMBENCH
set -euo pipefail
vmbench=$1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

status=0
valgrind --trace-children=yes --error-exitcode=99 --leak-check=no -q \
  "$vmbench" run --scale ci -w tree,churn,strings,frag -a malloc,arena,pool,bump,pmr-pool -r 1 \
  -p reserve=1G -p pool_reserve=256M --timeout 600 -o "$work/r.json" >"$work/stdout" 2>"$work/stderr" || status=$?
if [ "$status" -ne 0 ]; then
  cat "$work/stderr" >&2
  echo "valgrind_run: vmbench under memcheck exited $status (99: a memcheck error in vmbench itself; 1: a failed cell)" >&2
  exit 1
fi
ok=$(grep -c '"status": "ok"' "$work/r.json" || true)
if [ "$ok" -ne 20 ]; then
  echo "valgrind_run: $ok of 20 cells ok under memcheck" >&2
  exit 1
fi
if grep -q '==[0-9]*==' "$work/stderr"; then
  cat "$work/stderr" >&2
  echo "valgrind_run: memcheck reported something" >&2
  exit 1
fi
echo "valgrind_run: 20 cells (4 workloads x 5 allocators) ran under memcheck without an error"
