// The remote-free list of a pool owned by one thread: the slots that other threads have freed, kept
// as an intrusive stack that any thread pushes on without a lock and that the owner takes over whole
// with one atomic exchange, as mimalloc's thread-free list is. Shared by RemoteFreePool and
// RemoteFreeSizeClassPool (one list per class). Internal: not part of the library's API.
//
// Why a stack that is only ever taken whole has no ABA problem: the classic Treiber-stack ABA needs a
// pop of one node, whose compare-and-swap can succeed on a head that was popped and pushed back in
// between. Here nobody pops one node: pushers only add at the head (a failed CAS just retries with
// the head it read, whatever happened to it), and the owner swaps the head for null. A pusher never
// reads through the head either (it only stores the head's value into its own slot), so it never
// touches a slot that is not its own.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "vmb/config.hpp"

namespace vmb::detail {

// What the remote side of a pool is aligned to, so that pushers from other threads write a line of
// their own and never one the owner's allocate and free touch (false sharing would turn every remote
// free into a miss on the owner's fast path). 128, not 64: Intel's spatial prefetcher fetches lines
// in 128-byte pairs, so two 64-byte lines of one pair still interfere. (Not
// std::hardware_destructive_interference_size: GCC 12 warns that its value may change between
// compiler versions, and with it the pool's layout.)
inline constexpr std::size_t kRemoteLineBytes = 128;

struct alignas(kRemoteLineBytes) RemoteFreeList {
  // The last slot pushed; each slot's first sizeof(void*) bytes link to the one pushed before it.
  std::atomic<std::byte*> head{nullptr};
  // A copy of the pool's geometry, set at construction and never changed, so that a checking pusher
  // reads this line only, never the owner's: [base, limit) is the pool's reservation, stride its
  // slot size. limit stays null if the pool could not be created.
  std::byte* base = nullptr;
  std::byte* limit = nullptr;
  std::size_t stride = SIZE_MAX;
};

static_assert(std::atomic<std::byte*>::is_always_lock_free, "the remote-free list needs a lock-free pointer");

// True when p is a slot boundary of the pool's reservation. Reads what construction set only: any
// thread may call it.
VMB_INLINE bool remote_contains(const RemoteFreeList& r, const void* p) noexcept {
  const auto b = reinterpret_cast<std::uintptr_t>(p);
  const auto base = reinterpret_cast<std::uintptr_t>(r.base);
  return b >= base && b < reinterpret_cast<std::uintptr_t>(r.limit) && (b - base) % r.stride == 0;
}

// Any thread. Publish `slot` (a live slot of this list's pool, not freed yet) on the list.
//
// Orderings. The CAS that publishes the slot is a release: everything this thread did before it, the
// link just written into the slot and every read or write of the object the slot held, happens before
// the owner's take-over (an acquire exchange) and so before the owner hands the slot out again and
// its next user writes to it. Without the release the owner could read a stale link, or its next
// user's writes could race with this thread's last reads of the old object. Every push is a
// read-modify-write, so the pushes between two take-overs form one release sequence: the owner's
// exchange, which reads the last of them, synchronizes with every one of them, not only the last.
// The load of the head, and the CAS when it fails, are relaxed: the head's value is only stored into
// this slot, never dereferenced here, so nothing needs to be visible through it.
VMB_INLINE void remote_push(RemoteFreeList& r, std::byte* slot) noexcept {
  std::byte* head = r.head.load(std::memory_order_relaxed);
  do {
    // The slot is this thread's until the CAS succeeds; after that it may be the owner's at once, so
    // it is poisoned (ASan) before, never after.
    VMB_UNPOISON(slot, sizeof head);
    std::memcpy(slot, &head, sizeof head);
    VMB_POISON(slot, r.stride);
  } while (!r.head.compare_exchange_weak(head, slot, std::memory_order_release, std::memory_order_relaxed));
}

// The owner only. Every slot pushed so far, as a list linked through the slots' first bytes (the last
// pushed first), or null; the list is empty afterwards.
//
// Orderings. The exchange is an acquire: it synchronizes with the release of every push it takes
// over (one release sequence, see remote_push), so the links and the pushers' last use of each
// object are visible before the owner walks or reuses the slots. It need not be a release: a pusher
// never reads anything the owner wrote through the value it gets back. The first load is relaxed and
// only saves the read-modify-write (and the exclusive ownership of the line it takes) when the list
// is empty; a push it misses is taken over next time.
VMB_INLINE std::byte* remote_take_all(RemoteFreeList& r) noexcept {
  if (r.head.load(std::memory_order_relaxed) == nullptr) return nullptr;
  return r.head.exchange(nullptr, std::memory_order_acquire);
}

}  // namespace vmb::detail
