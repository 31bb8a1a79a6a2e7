#!/bin/sh
# Disassemble the fast-path probes (fast_path_probe.cpp, an object built with release flags) and check
# how many conditional branches each has on its fast path: the function's own body in .text, without
# the cold part GCC moves to .text.unlikely. The arena's push of a constant size must be one compare
# and one branch. Counts are of x86-64 conditional jumps (j<cc>, not jmp); elsewhere the test skips.
# It also counts atomic instructions (a lock prefix, xchg with memory, mfence): none on any owner's
# path, the remote-free pool's included; one lock cmpxchg in another thread's free_remote.
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

# body FUNCTION: the function's instructions in .text (empty if it is not there)
body() {
  printf '%s\n' "$disassembly" | awk -v name="<$1>:" '
    $2 == name { inside = 1; next }
    inside && /^$/ { exit }
    inside { print }'
}

# expect FUNCTION BRANCHES WHY
expect() {
  body="$(body "$1")"
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

# expect_atomics FUNCTION COUNT WHY: instructions that are atomic read-modify-writes or fences. xchg
# counts only with a memory operand (xchg between registers is a padding nop).
expect_atomics() {
  body="$(body "$1")"
  if [ -z "$body" ]; then
    echo "check_fast_path: $1 not found in $object"
    failed=1
    return
  fi
  atomics="$(printf '%s\n' "$body" | grep -Ec '[[:space:]](lock[[:space:]]|mfence|xchg[a-z]*[[:space:]].*\()' || true)"
  if [ "$atomics" -eq "$2" ]; then
    echo "ok    $1: $atomics atomic instruction(s) ($3)"
  else
    echo "FAIL  $1: $atomics atomic instructions, expected $2 ($3):"
    printf '%s\n' "$body"
    failed=1
  fi
}

expect vmb_probe_arena_push_64 1 "arena push of a constant size: one compare and one branch"
expect vmb_probe_arena_push_int 1 "arena push of a constant size and alignment"
expect vmb_probe_pool_allocate 2 "pool allocate: free list empty, tail room"
expect vmb_probe_pool_free 1 "pool free: free(nullptr)"
expect vmb_probe_size_class_allocate 2 "size-class allocate: the class from a table, then the pool's two"
expect vmb_probe_remote_pool_allocate 2 "remote-free pool, owner's allocate: the pool's two"
expect vmb_probe_remote_pool_free 1 "remote-free pool, owner's free: the pool's one"
expect vmb_probe_remote_size_class_allocate 2 "remote-free size-class allocate: the size-class pool's two"
expect vmb_probe_remote_pool_free_remote 2 "free_remote: free(nullptr), and the compare-and-swap's retry"
for f in vmb_probe_arena_push_64 vmb_probe_pool_allocate vmb_probe_pool_free vmb_probe_size_class_allocate \
         vmb_probe_remote_pool_allocate vmb_probe_remote_pool_free vmb_probe_remote_size_class_allocate; do
  expect_atomics "$f" 0 "a single thread's path"
done
expect_atomics vmb_probe_remote_pool_free_remote 1 "another thread's free: one lock cmpxchg"
exit "$failed"
