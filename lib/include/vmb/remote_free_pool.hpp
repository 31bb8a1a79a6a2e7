// A fixed-size pool owned by one thread that any thread may free into: the owner allocates and frees
// as fast as with a BasicPool (the same inline fast paths, no atomic instruction, no lock), and
// another thread returns a slot with free_remote(), which pushes it on the pool's remote-free list
// with one compare-and-swap. When the owner's free list and committed tail are both empty, its
// allocate takes the whole remote list over in one atomic exchange, before committing more memory:
// mimalloc's thread-free list, for one slot size.
//
// Thread-safety contract:
//   owner thread only    allocate, free, reset, owns, stats, remote_stats, commit_stats, last_error
//   any thread           free_remote, contains, slot_bytes, ok
// The owner is whichever thread makes the owner calls, one thread at a time; handing the pool to
// another thread needs a synchronisation (a thread's start or join, a mutex, a release/acquire pair),
// as for any object. A slot's allocate must happen before its free_remote (passing the pointer through
// any synchronised channel does that). reset() and the destructor need every free_remote to have
// happened before them (the freeing threads joined, say); stats() and remote_stats() may run during
// remote frees and then give a snapshot.
//
// API, in groups:   types     RemoteFreePool (the build's default policy), CheckedRemoteFreePool,
//                             UncheckedRemoteFreePool, BasicRemoteFreePool<PoolPolicy>
//                   create    RemoteFreePool(options), ok
//                   use       allocate, free (owner), free_remote (any thread), reset
//                   inspect   stats, remote_stats, commit_stats, last_error, owns, contains, slot_bytes
#pragma once

#include <cstddef>

#include "vmb/commit_stats.hpp"
#include "vmb/config.hpp"
#include "vmb/detail/pool_core.hpp"
#include "vmb/detail/remote_free_list.hpp"
#include "vmb/detail/remote_pool_core.hpp"
#include "vmb/error.hpp"
#include "vmb/pool.hpp"
#include "vmb/pool_policy.hpp"

namespace vmb {

template <PoolPolicy kPolicy = PoolPolicy{}>
class BasicRemoteFreePool {
 public:
  static constexpr PoolPolicy policy = kPolicy;

  explicit BasicRemoteFreePool(const PoolOptions& options = {}) noexcept {
    detail::pool_init(slots_, cold_, options, kPolicy.checks);
    detail::remote_init(remote_, slots_, cold_);
  }
  ~BasicRemoteFreePool() { detail::pool_destroy(slots_, cold_); }
  BasicRemoteFreePool(const BasicRemoteFreePool&) = delete;
  BasicRemoteFreePool& operator=(const BasicRemoteFreePool&) = delete;

  // Any thread.
  bool ok() const noexcept { return remote_.limit != nullptr; }

  // Owner. One slot, or null with last_error() set. The fast paths are BasicPool's (pop the free list,
  // else bump the committed tail); the slow path first takes over the slots other threads freed.
  VMB_INLINE void* allocate() noexcept {
    return detail::pool_allocate_or<kPolicy>(slots_, cold_, Refill{this});
  }

  // Owner. Return a slot to the owner's free list, as BasicPool::free does (no atomic instruction).
  // free(nullptr) does nothing.
  VMB_INLINE void free(void* p) noexcept { detail::pool_free<kPolicy>(slots_, cold_, p); }

  // Any thread, the owner included (which pays the compare-and-swap for nothing). Return a slot this
  // pool handed out and nobody has freed; lock-free. With checks, a pointer that is not a slot of the
  // pool aborts here, and a slot freed remotely twice aborts when the owner takes the list over; a
  // slot freed both remotely and with free() is not caught (the owner hands it out again from its free
  // list first, which makes it live again by the time the take-over looks). free_remote(nullptr) does
  // nothing.
  VMB_INLINE void free_remote(void* p) noexcept { detail::remote_free<kPolicy>(remote_, p); }

  // Owner, with every free_remote done (above). Forget every slot at once, those pending on the remote
  // list included; decommit above options.retain_bytes.
  void reset() noexcept {
    detail::remote_reset(remote_);
    detail::pool_reset(slots_, cold_);
  }

  // Owner. True when p is the start of a slot handed out since construction or the last reset.
  bool owns(const void* p) const noexcept { return detail::pool_owns(slots_, cold_, p); }
  // Any thread. True when p is a slot boundary in this pool's reservation: what a thread holding a
  // pointer and several pools can ask to find the pool to free it to. Reads only what construction set.
  bool contains(const void* p) const noexcept { return detail::remote_contains(remote_, p); }
  // Any thread.
  std::size_t slot_bytes() const noexcept { return ok() ? remote_.stride : 0; }

  // Owner. As BasicPool::stats(); live_slots also leaves out the slots pending on the remote list
  // (walks both lists: to inspect, not on a hot path).
  PoolStats stats() const noexcept { return detail::remote_pool_stats(slots_, cold_, remote_); }
  // Owner. The take-overs, and the slots pending now (walks the remote list).
  RemoteFreeStats remote_stats() const noexcept {
    return detail::remote_free_stats(slots_, cold_, remote_, taken_);
  }
  // Owner. O(1).
  const CommitStats& commit_stats() const noexcept { return cold_.ledger.stats(); }
  // Owner. Why the last failing call failed; a construction error is kept for good.
  Error last_error() const noexcept { return cold_.error; }

 private:
  // The slow path, out of line, called through a one-word function object rather than a lambda:
  // GCC 12 kept a capturing lambda's call out of line and built its closure on each allocation.
  struct Refill {
    BasicRemoteFreePool* pool;
    VMB_INLINE void* operator()() const noexcept { return pool->refill(); }
  };
  VMB_COLD void* refill() noexcept {
    return detail::remote_pool_refill(slots_, cold_, remote_, taken_, kPolicy.checks, kPolicy.counts);
  }

  detail::SlotList slots_;  // the owner's hot state: first, as in BasicPool
  detail::PoolCold cold_;
  detail::RemoteOwnerCounters taken_;
  detail::RemoteFreeList remote_;  // the only member other threads write: a line of its own (aligned)
};

// The remote-free pool of this build: checks and counters as vmb::Pool's (debug builds: both).
using RemoteFreePool = BasicRemoteFreePool<>;
// Checks and counters in every build.
using CheckedRemoteFreePool = BasicRemoteFreePool<PoolPolicy{.checks = true, .counts = true}>;
// Nothing but the work, in every build.
using UncheckedRemoteFreePool = BasicRemoteFreePool<PoolPolicy{.checks = false, .counts = false}>;

}  // namespace vmb
