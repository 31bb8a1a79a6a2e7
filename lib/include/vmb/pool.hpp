// A fixed-size pool: O(1) allocate and O(1) free of equal-sized slots through an intrusive free list,
// in a reservation of virtual address space that is committed as the pool grows.
// Slots never handed out are never touched: the pool bumps through the untouched tail instead of
// linking every slot up front, so a pool's footprint follows its peak live slots.
// What a pool does beyond that (double-free checks, counters) is its type's PoolPolicy, fixed at
// compile time: a pool without checks or counters has nothing else on its fast paths.
//
// API, in groups:   types     Pool (the build's default policy), CheckedPool, UncheckedPool,
//                             BasicPool<PoolPolicy>
//                   create    Pool(options), ok
//                   use       allocate, free, reset
//                   inspect   stats, commit_stats, last_error, owns, slot_bytes
#pragma once

#include <cstddef>
#include <cstdint>

#include "vmb/commit_stats.hpp"
#include "vmb/config.hpp"
#include "vmb/detail/pool_core.hpp"
#include "vmb/error.hpp"
#include "vmb/pool_policy.hpp"

namespace vmb {

// A pool's counters. The first five are its CommitStats (vmb/commit_stats.hpp); the rest:
struct PoolStats {
  std::size_t reserved_bytes = 0;        // address space for slots (a checked pool's bitmap excluded)
  std::size_t committed_bytes = 0;
  std::size_t peak_committed_bytes = 0;
  std::uint64_t commit_calls = 0;
  std::uint64_t decommit_calls = 0;
  std::uint64_t allocations = 0;         // counted only by a policy with counts; 0 otherwise
  std::uint64_t frees = 0;               // counted only by a policy with counts; 0 otherwise
  std::size_t live_slots = 0;            // derived in every pool: slots below the tail minus the
                                         // free list's length (stats() walks the list)
  std::size_t peak_live_slots = 0;       // derived in every pool: the tail's highest slot count
};

struct PoolOptions {
  std::size_t slot_bytes = 64;                          // rounded up to hold a pointer and the alignment
  std::size_t slot_align = alignof(std::max_align_t);   // a power of two, at most the page size
  std::size_t reserve_bytes = 16 * GiB;                 // address space only (see ArenaOptions)
  std::size_t commit_step_bytes = 64 * KiB;             // rounded up to the page size
  std::size_t retain_bytes = 64 * MiB;                  // reset() keeps this much committed
};

// Byte written over a freed slot (after its free-list link) by a pool with checks.
inline constexpr unsigned char kFreedSlotFill = 0xDD;

template <PoolPolicy kPolicy = PoolPolicy{}>
class BasicPool {
 public:
  static constexpr PoolPolicy policy = kPolicy;

  explicit BasicPool(const PoolOptions& options = {}) noexcept {
    detail::pool_init(slots_, cold_, options, kPolicy.checks);
  }
  ~BasicPool() { detail::pool_destroy(slots_, cold_); }
  BasicPool(const BasicPool&) = delete;
  BasicPool& operator=(const BasicPool&) = delete;

  bool ok() const noexcept { return cold_.base != nullptr; }

  // One slot, or null with last_error() set (exhausted, commit failed, the construction error).
  // Fast paths: pop the free list, else bump the untouched tail; committing more is out of line.
  VMB_INLINE void* allocate() noexcept { return detail::pool_allocate<kPolicy>(slots_, cold_); }

  // Return a slot. p must come from this pool's allocate() and not be freed already; a pool with
  // checks aborts with a message on a violation, a pool without corrupts its free list. free(nullptr)
  // does nothing.
  VMB_INLINE void free(void* p) noexcept { detail::pool_free<kPolicy>(slots_, cold_, p); }

  // Forget every slot at once; decommit above options.retain_bytes.
  void reset() noexcept { detail::pool_reset(slots_, cold_); }

  // True when p is the start of a slot this pool has handed out since construction or the last
  // reset (O(1)).
  bool owns(const void* p) const noexcept { return detail::pool_owns(slots_, cold_, p); }

  std::size_t slot_bytes() const noexcept { return ok() ? slots_.stride : 0; }
  // Every counter; live_slots walks the free list, so this is O(free slots): call it to inspect,
  // not on a hot path (commit_stats() is O(1)).
  PoolStats stats() const noexcept { return detail::pool_stats(slots_, cold_); }
  const CommitStats& commit_stats() const noexcept { return cold_.ledger.stats(); }
  // Why the last failing call failed. A pool whose construction failed keeps that error for good.
  Error last_error() const noexcept { return cold_.error; }

 private:
  detail::SlotList slots_;  // hot: first, so that allocate and free touch one cache line
  detail::PoolCold cold_;
};

// The pool of this build: checks and counters as the build's VMB_DEBUG and VMB_COUNT_OPS say
// (debug builds: both; release builds: neither).
using Pool = BasicPool<>;
// Double-free and foreign-pointer checks and counters, in every build.
using CheckedPool = BasicPool<PoolPolicy{.checks = true, .counts = true}>;
// Nothing but the work, in every build.
using UncheckedPool = BasicPool<PoolPolicy{.checks = false, .counts = false}>;

}  // namespace vmb
