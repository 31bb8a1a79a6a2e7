// Functions that do nothing but one fast-path call each, compiled as in a release build whatever the
// build type (tests/bench/CMakeLists.txt), for check_fast_path.sh to disassemble: what the compiler
// makes of the library's inline fast paths at a typical call site (a constant size, a pool of one
// slot size). extern "C": plain names to find in objdump's output.
#include <cstddef>

#include "vmb/arena.hpp"
#include "vmb/pool.hpp"
#include "vmb/remote_free_pool.hpp"
#include "vmb/remote_free_size_class_pool.hpp"
#include "vmb/size_class_pool.hpp"

using ProbeSizeClassPool = vmb::BasicSizeClassPool<vmb::PoolPolicy{.checks = false, .counts = false}>;
using ProbeRemoteSizeClassPool = vmb::UncheckedRemoteFreeSizeClassPool;

extern "C" {

// push(sizeof(T)) of a 64-byte T at the default alignment: one compare and one branch.
void* vmb_probe_arena_push_64(vmb::Arena* arena) { return arena->push(64); }

// push(sizeof(int), alignof(int)): the same, with an alignment below the default.
void* vmb_probe_arena_push_int(vmb::Arena* arena) { return arena->push(sizeof(int), alignof(int)); }

// Pop the free list, else bump the tail: two branches (list empty, tail room), no check, no counter.
void* vmb_probe_pool_allocate(vmb::UncheckedPool* pool) { return pool->allocate(); }

// Push on the free list: one branch (free(nullptr) does nothing).
void vmb_probe_pool_free(vmb::UncheckedPool* pool, void* p) { pool->free(p); }

// A table load for the class, then the pool's allocate: two branches, none on the size.
void* vmb_probe_size_class_allocate(ProbeSizeClassPool* pools, std::size_t bytes) {
  return pools->allocate_in(ProbeSizeClassPool::small_class_of(bytes));
}

// The remote-free pool's owner: the same fast paths as the pool's (two branches, one), and no atomic
// instruction: the remote list is looked at only on the slow path, out of line.
void* vmb_probe_remote_pool_allocate(vmb::UncheckedRemoteFreePool* pool) { return pool->allocate(); }
void vmb_probe_remote_pool_free(vmb::UncheckedRemoteFreePool* pool, void* p) { pool->free(p); }
void* vmb_probe_remote_size_class_allocate(ProbeRemoteSizeClassPool* pools, std::size_t bytes) {
  return pools->allocate_in(ProbeRemoteSizeClassPool::small_class_of(bytes));
}

// Another thread's free: the one place with an atomic instruction (lock cmpxchg), which also shows
// that check_fast_path.sh finds one where there is one.
void vmb_probe_remote_pool_free_remote(vmb::UncheckedRemoteFreePool* pool, void* p) { pool->free_remote(p); }

}  // extern "C"
