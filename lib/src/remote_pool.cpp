// The slow paths of the pools that accept remote frees (vmb/detail/remote_pool_core.hpp): the owner's
// take-over of its remote-free list, and the inspection that walks it. The remote free itself and the
// list's two atomic operations are inline (vmb/detail/remote_free_list.hpp), with their orderings.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "vmb/detail/remote_pool_core.hpp"
#include "vmb/pool.hpp"

namespace vmb::detail {

namespace {

std::byte* next_of(std::byte* slot) noexcept {
  std::byte* next = nullptr;
  VMB_UNPOISON(slot, sizeof next);  // a freed slot is poisoned, its link included
  std::memcpy(&next, slot, sizeof next);
  VMB_POISON(slot, sizeof next);
  return next;
}

std::size_t slots_below_tail(const SlotList& s, const PoolCold& c) noexcept {
  return c.base == nullptr ? 0 : static_cast<std::size_t>(s.tail - c.base) / s.stride;
}

// The slots on the remote list now. The acquire load synchronizes with the push that wrote the head
// and, through the release sequence of the pushes (remote_free_list.hpp), with every push below it,
// so every link it follows is visible; only the owner takes slots off, and it is the caller, so the
// slots below the head stay where they are while it walks. Bounded by the slots below the tail, so a
// list that a double free in a pool without checks turned into a cycle cannot hang it.
std::size_t pending(const RemoteFreeList& r, std::size_t bound) noexcept {
  std::size_t n = 0;
  for (std::byte* slot = r.head.load(std::memory_order_acquire); slot != nullptr && n < bound; ++n) {
    slot = next_of(slot);
  }
  return n;
}

// With checks, each slot taken over is checked and filled as a local free would be (pool_mark_free
// aborts on a double free or a foreign pointer); with counts, counted. Bounded as pending() is.
std::uint64_t check_taken(SlotList& s, PoolCold& c, std::byte* list, bool checks) noexcept {
  const std::size_t bound = slots_below_tail(s, c);
  std::uint64_t n = 0;
  for (std::byte* slot = list; slot != nullptr && n < bound; ++n) {
    std::byte* const next = next_of(slot);
    if (checks) {
      VMB_UNPOISON(slot, s.stride);
      pool_mark_free(s, c, slot);  // keeps the link (the first sizeof(void*) bytes)
      VMB_POISON(slot, s.stride);
    }
    slot = next;
  }
  return n;
}

}  // namespace

void remote_init(RemoteFreeList& r, const SlotList& s, const PoolCold& c) noexcept {
  if (c.base == nullptr) return;
  r.base = c.base;
  r.limit = c.limit;
  r.stride = s.stride;
}

void* remote_pool_refill(SlotList& s, PoolCold& c, RemoteFreeList& r, RemoteOwnerCounters& k, bool checks,
                         bool counts) noexcept {
  if (c.base == nullptr) return nullptr;  // construction failed: c.error already says why, for good
  VMB_ASSERT(s.free == nullptr, "pool: refilling while the free list has slots");
  std::byte* const list = remote_take_all(r);
  if (list == nullptr) return pool_refill(s, c, checks, counts);
  ++k.takeovers;
  if (checks || counts) {
    const std::uint64_t taken = check_taken(s, c, list, checks);
    if (counts) {
      k.taken_slots += taken;
      c.frees += taken;
    }
  }
  // Hand out the list's first slot as the fast path pops one.
  std::byte* const slot = list;
  VMB_UNPOISON(slot, s.stride);
  std::memcpy(&s.free, slot, sizeof s.free);
  VMB_ASSERT(slot >= c.base && slot < s.tail, "pool: a remote slot outside [base, tail)");
  if (checks) pool_mark_live(s, c, slot);
  if (counts) ++c.allocations;
  return slot;
}

void remote_free_foreign() noexcept { fatal("pool: remote free of a pointer this pool did not hand out"); }

PoolStats remote_pool_stats(const SlotList& s, const PoolCold& c, const RemoteFreeList& r) noexcept {
  PoolStats st = pool_stats(s, c);
  const std::size_t remote = pending(r, slots_below_tail(s, c));
  st.live_slots -= std::min(st.live_slots, remote);
  return st;
}

RemoteFreeStats remote_free_stats(const SlotList& s, const PoolCold& c, const RemoteFreeList& r,
                                  const RemoteOwnerCounters& k) noexcept {
  RemoteFreeStats st;
  st.takeovers = k.takeovers;
  st.taken_slots = k.taken_slots;
  st.pending_slots = pending(r, slots_below_tail(s, c));
  return st;
}

// Relaxed: the caller guarantees that every remote free happened before (the contract of reset()),
// so nothing can race with this store.
void remote_reset(RemoteFreeList& r) noexcept { r.head.store(nullptr, std::memory_order_relaxed); }

}  // namespace vmb::detail
