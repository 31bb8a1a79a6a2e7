// The machinery a pool adds to accept frees from other threads, shared by RemoteFreePool (one slot
// size) and RemoteFreeSizeClassPool (one list per class): the remote free itself (inline), the
// owner's take-over on its allocate slow path and the inspection (out of line, src/remote_pool.cpp).
// Internal: not part of the library's API.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vmb/config.hpp"
#include "vmb/detail/pool_core.hpp"
#include "vmb/detail/remote_free_list.hpp"
#include "vmb/pool_policy.hpp"

namespace vmb {

// What a pool that accepts remote frees counts of them (RemoteFreePool::remote_stats()).
struct RemoteFreeStats {
  // Take-overs of a non-empty remote list: one atomic exchange each, on the owner's allocate slow
  // path, when its free list and its committed tail were both empty. Counted by every pool.
  std::uint64_t takeovers = 0;
  // Slots those take-overs brought back. Counted only by a policy with counts (the take-over then
  // walks the list it took); 0 otherwise.
  std::uint64_t taken_slots = 0;
  // Slots freed remotely and not taken over yet. A snapshot: remote_stats() walks the list as it was
  // when it looked, so it is exact only while no other thread frees.
  std::size_t pending_slots = 0;
};

namespace detail {

// The owner's counters of its take-overs: written on its slow path only.
struct RemoteOwnerCounters {
  std::uint64_t takeovers = 0;
  std::uint64_t taken_slots = 0;
};

// After pool_init: copy the geometry the pushers' checks read (a failed pool keeps limit null, so
// that nothing is in it).
void remote_init(RemoteFreeList& r, const SlotList& s, const PoolCold& c) noexcept;
// The owner's slow path, when its free list and committed tail are empty: take the remote list over
// and hand out its first slot; only if it is empty, commit more (pool_refill). With checks, every
// slot taken over is checked (a double free or a foreign pointer aborts) and filled; with counts, the
// slots taken are counted as frees.
VMB_COLD void* remote_pool_refill(SlotList& s, PoolCold& c, RemoteFreeList& r, RemoteOwnerCounters& k,
                                  bool checks, bool counts) noexcept;
// A checked remote free of a pointer outside the pool: aborts with a message.
[[noreturn]] VMB_COLD void remote_free_foreign() noexcept;
// The owner: every counter; live_slots also leaves out the slots pending on the remote list.
PoolStats remote_pool_stats(const SlotList& s, const PoolCold& c, const RemoteFreeList& r) noexcept;
RemoteFreeStats remote_free_stats(const SlotList& s, const PoolCold& c, const RemoteFreeList& r,
                                  const RemoteOwnerCounters& k) noexcept;
// The owner, with no remote free in flight: forget the remote list (pool_reset does the rest).
void remote_reset(RemoteFreeList& r) noexcept;

// Any thread: free `p` into the remote list. No lock; one compare-and-swap (retried only when another
// thread pushed in between).
template <PoolPolicy kPolicy>
VMB_INLINE void remote_free(RemoteFreeList& r, void* p) noexcept {
  if (p == nullptr) return;
  if constexpr (kPolicy.checks) {
    if (VMB_UNLIKELY(!remote_contains(r, p))) remote_free_foreign();
  }
  remote_push(r, static_cast<std::byte*>(p));
}

}  // namespace detail
}  // namespace vmb
