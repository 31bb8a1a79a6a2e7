// The pool's machinery, shared by BasicPool (one slot size) and BasicSizeClassPool (one pool per size
// class): the hot state that allocate and free touch, the cold state beside it, the inline fast
// paths and the out-of-line slow paths (src/pool.cpp). Internal: not part of the library's API.
//
// The state is split in two so that a size-class pool can keep the hot parts of all its classes in
// one compact array (two classes per cache line) and the cold parts elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "vmb/assert.hpp"
#include "vmb/config.hpp"
#include "vmb/detail/commit_ledger.hpp"
#include "vmb/error.hpp"
#include "vmb/pool_policy.hpp"

namespace vmb {

struct PoolOptions;
struct PoolStats;

namespace detail {

// The hot state: all an allocate or a free touches in a pool without checks or counters. 32 bytes.
// Invariants (VMB_ASSERT in debug builds): base <= tail <= commit_end <= limit (PoolCold); every
// slot in [base, tail) is live or on the free list; [tail, commit_end) was never handed out; slots
// are stride bytes apart from base.
struct SlotList {
  std::byte* free = nullptr;        // head of the free list; a free slot's first bytes link to the next
  std::byte* tail = nullptr;        // first never-used slot
  std::byte* commit_end = nullptr;  // end of the committed range
  // Slot size: >= sizeof(void*), a multiple of the alignment. SIZE_MAX until construction succeeds,
  // so that the tail-bump check of a failed pool can never pass.
  std::size_t stride = SIZE_MAX;
};

// The cold state: read by the slow paths, the checks, the counters and stats().
struct PoolCold {
  std::byte* base = nullptr;  // null when construction failed
  std::byte* limit = nullptr;
  std::size_t reservation_bytes = 0;
  std::size_t retain_bytes = 0;
  CommitLedger ledger;
  // Live-slot bitmap of a checked pool: its own reservation, committed as the pool commits.
  std::uint8_t* live_bits = nullptr;
  std::size_t live_bits_reserved = 0;
  std::size_t live_bits_committed = 0;
  // Counted only by pools whose policy counts. One plain counter per fast path: two adjacent
  // counters updated together became one 16-byte vector update that stalled store forwarding.
  std::uint64_t allocations = 0;
  std::uint64_t frees = 0;
  std::size_t peak_before_reset = 0;  // the tail's slot count when reset() last rewound it
  Error error = Error::none;
};

// Slow paths and inspection (src/pool.cpp).
void pool_init(SlotList& s, PoolCold& c, const PoolOptions& o, bool checks) noexcept;
void pool_destroy(SlotList& s, PoolCold& c) noexcept;
// Commit more and bump one slot from the tail, or null with c.error set.
VMB_COLD void* pool_refill(SlotList& s, PoolCold& c, bool checks, bool counts) noexcept;
// Checked pools: record a slot as live, or (aborting on a double free or a foreign pointer) as free.
VMB_NOINLINE void pool_mark_live(const SlotList& s, PoolCold& c, std::byte* slot) noexcept;
VMB_NOINLINE void pool_mark_free(const SlotList& s, PoolCold& c, std::byte* slot) noexcept;
void pool_reset(SlotList& s, PoolCold& c) noexcept;
bool pool_owns(const SlotList& s, const PoolCold& c, const void* p) noexcept;
// True when p lies in [base, tail): in the range the pool has handed out since its last reset.
VMB_INLINE bool pool_range_holds(const SlotList& s, const PoolCold& c, const void* p) noexcept {
  const auto* b = static_cast<const std::byte*>(p);
  return b >= c.base && b < s.tail;
}
// Walks the free list (bounded by the tail's slot count): O(free slots), never on a fast path.
PoolStats pool_stats(const SlotList& s, const PoolCold& c) noexcept;

// The fast paths of allocate: pop the free list, else bump the tail. `refill` is the pool's slow path,
// called when both are empty: pool_refill for a BasicPool; for a RemoteFreePool, the take-over of its
// remote-free list first (vmb/remote_free_pool.hpp). A template argument, not a run-time choice, so
// that each pool's fast path is the same instructions whatever its slow path is.
template <PoolPolicy kPolicy, class Refill>
VMB_INLINE void* pool_allocate_or(SlotList& s, PoolCold& c, Refill&& refill) noexcept {
  std::byte* slot = s.free;
  if (VMB_LIKELY(slot != nullptr)) {
    VMB_UNPOISON(slot, s.stride);
    std::memcpy(&s.free, slot, sizeof s.free);  // the link lives in the slot's first bytes
  } else if (VMB_LIKELY(s.stride <= static_cast<std::size_t>(s.commit_end - s.tail))) {
    slot = s.tail;
    s.tail += s.stride;
    VMB_UNPOISON(slot, s.stride);
  } else {
    return refill();
  }
  VMB_ASSERT(slot >= c.base && slot < s.tail, "pool: a slot outside [base, tail)");
  if constexpr (kPolicy.checks) pool_mark_live(s, c, slot);
  if constexpr (kPolicy.counts) ++c.allocations;
  return slot;
}

// A BasicPool's slow path for pool_allocate_or, as a function object rather than a lambda: a lambda's
// call operator cannot be marked always_inline portably, and GCC 12 kept it out of line, so every
// allocation built its closure first (+7.0% instructions on tree's pool, +7.4% on frag's, under the
// gate's cost pass).
template <PoolPolicy kPolicy>
struct PoolRefill {
  SlotList& s;
  PoolCold& c;
  VMB_INLINE void* operator()() const noexcept { return pool_refill(s, c, kPolicy.checks, kPolicy.counts); }
};

template <PoolPolicy kPolicy>
VMB_INLINE void* pool_allocate(SlotList& s, PoolCold& c) noexcept {
  return pool_allocate_or<kPolicy>(s, c, PoolRefill<kPolicy>{s, c});
}

template <PoolPolicy kPolicy>
VMB_INLINE void pool_free(SlotList& s, PoolCold& c, void* p) noexcept {
  if (p == nullptr) return;
  auto* slot = static_cast<std::byte*>(p);
  if constexpr (kPolicy.checks) pool_mark_free(s, c, slot);
  std::memcpy(slot, &s.free, sizeof s.free);
  s.free = slot;
  VMB_POISON(slot, s.stride);
  if constexpr (kPolicy.counts) ++c.frees;
}

}  // namespace detail
}  // namespace vmb
