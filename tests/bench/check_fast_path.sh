#!/bin/sh
# Disassemble the fast-path probes (fast_path_probe.cpp, an object built with release flags) and check
# how many conditional branches each has on its fast path: the function's own body in .text, without
# the cold part GCC moves to .text.unlikely. The arena's push of a constant size must be one compare
# and one branch. Counts are of x86-64 conditional jumps (j<cc>, not jmp); elsewhere the test skips.
#
# usage: check_fast_path.sh OBJECT        exit 0: every count as expected; 1: a count differs (the
#                                         disassembly is printed); 77: skipped (no objdump, not x86-64)
set -eu

object="$1"
if ! command -v objdump >/dev/null 2>&1; then
  echo "check_fast_path: no objdump (binutils): skipped"
  exit 77
fi
arch="$(objdump -f "$object" | sed -n 's/^architecture: \([^,]*\),.*/\1/p')"
case "$arch" in
  i386:x86-64) ;;
  *) echo "check_fast_path: $object is $arch, not x86-64: skipped"; exit 77 ;;
esac

disassembly="$(objdump -d --no-show-raw-insn "$object")"
failed=0

# expect FUNCTION BRANCHES WHY
expect() {
  body="$(printf '%s\n' "$disassembly" | awk -v name="<$1>:" '
    $2 == name { inside = 1; next }
    inside && /^$/ { exit }
    inside { print }')"
  if [ -z "$body" ]; then
    echo "check_fast_path: $1 not found in $object"
    failed=1
    return
  fi
  branches="$(printf '%s\n' "$body" | grep -Ec '[[:space:]]j[a-z]+[[:space:]]' || true)"
  jumps="$(printf '%s\n' "$body" | grep -Ec '[[:space:]]jmp[[:space:]]' || true)"
  conditional=$((branches - jumps))
  if [ "$conditional" -eq "$2" ]; then
    echo "ok    $1: $conditional conditional branch(es) ($3)"
  else
    echo "FAIL  $1: $conditional conditional branches, expected $2 ($3):"
    printf '%s\n' "$body"
    failed=1
  fi
}

expect vmb_probe_arena_push_64 1 "arena push of a constant size: one compare and one branch"
expect vmb_probe_arena_push_int 1 "arena push of a constant size and alignment"
expect vmb_probe_pool_allocate 2 "pool allocate: free list empty, tail room"
expect vmb_probe_pool_free 1 "pool free: free(nullptr)"
expect vmb_probe_size_class_allocate 2 "size-class allocate: the class from a table, then the pool's two"
exit "$failed"
