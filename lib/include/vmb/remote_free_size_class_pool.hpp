// SizeClassPool for a thread that owns it while other threads free into it: the size classes of
// vmb/size_class_pool.hpp, and for each class a remote-free list as RemoteFreePool has
// (vmb/remote_free_pool.hpp). The owner allocates and frees with SizeClassPool's fast paths; any
// thread returns a block with free_remote(p, bytes), one compare-and-swap on that class's list; the
// owner takes a class's list over in one atomic exchange when that class's free list and committed
// tail are empty.
//
// Thread-safety contract: RemoteFreePool's, by class.
//   owner thread only    allocate, allocate_in, free, free_in, reset, stats, remote_stats,
//                        commit_stats, last_error
//   any thread           free_remote, free_remote_in, contains, class_of, small_class_of,
//                        class_bytes, ok, construction_error
// A block's allocate must happen before its free_remote; reset() and the destructor need every
// free_remote to have happened before them.
//
// API, in groups:   types     RemoteFreeSizeClassPool (the build's default policy),
//                             UncheckedRemoteFreeSizeClassPool, BasicRemoteFreeSizeClassPool<PoolPolicy>
//                   create    RemoteFreeSizeClassPool(options), ok, construction_error
//                   use       allocate(bytes), free(p, bytes) (owner), free_remote(p, bytes) (any
//                             thread), reset; by class: class_of, small_class_of, allocate_in,
//                             free_in, free_remote_in
//                   inspect   stats(class), remote_stats(class), commit_stats, last_error(class),
//                             class_bytes, contains
#pragma once

#include <cstddef>

#include "vmb/config.hpp"
#include "vmb/detail/pool_core.hpp"
#include "vmb/detail/remote_free_list.hpp"
#include "vmb/detail/remote_pool_core.hpp"
#include "vmb/pool.hpp"
#include "vmb/pool_policy.hpp"
#include "vmb/size_class_pool.hpp"

namespace vmb {

template <PoolPolicy kPolicy = PoolPolicy{}>
class BasicRemoteFreeSizeClassPool : private BasicSizeClassPool<kPolicy> {
  using Base = BasicSizeClassPool<kPolicy>;

 public:
  using Base::policy;
  using Classes = typename Base::Classes;
  using Base::kAlign;
  using Base::kClasses;
  using Base::kMaxBytes;
  using Base::kTableMaxBytes;

  explicit BasicRemoteFreeSizeClassPool(const SizeClassPoolOptions& o = {}) noexcept : Base(o) {
    for (unsigned c = 0; c < kClasses; ++c) detail::remote_init(remote_[c], this->slots_[c], this->cold_[c]);
  }

  // Any thread (set at construction).
  using Base::construction_error;
  using Base::ok;
  // Any thread: the class rule, as SizeClassPool's.
  using Base::class_bytes;
  using Base::class_of;
  using Base::small_class_of;

  // Owner. A block of `bytes` aligned to kAlign, or null (above kMaxBytes, or the class failed).
  VMB_INLINE void* allocate(std::size_t bytes) noexcept {
    if (VMB_UNLIKELY(bytes > kTableMaxBytes)) return allocate_large(bytes);
    return allocate_in(small_class_of(bytes));
  }
  VMB_INLINE void* allocate_in(unsigned c) noexcept {
    return detail::pool_allocate_or<kPolicy>(this->slots_[c], this->cold_[c], Refill{this, c});
  }
  // Owner: free(p, bytes), free_in(p, c), as SizeClassPool's (no atomic instruction).
  using Base::free;
  using Base::free_in;

  // Any thread. Return a block from allocate(bytes), given the same `bytes`; lock-free. With checks, a
  // pointer outside the class's reservation (a wrong size included) aborts here, a double free when
  // the owner takes it over. free_remote(nullptr, n) does nothing.
  VMB_INLINE void free_remote(void* p, std::size_t bytes) noexcept {
    if (VMB_UNLIKELY(bytes > kTableMaxBytes)) return free_remote_large(p, bytes);
    free_remote_in(p, small_class_of(bytes));
  }
  VMB_INLINE void free_remote_in(void* p, unsigned c) noexcept { detail::remote_free<kPolicy>(remote_[c], p); }

  // Owner, with every free_remote done. Forget every block of every class, pending remote frees too.
  void reset() noexcept {
    for (detail::RemoteFreeList& r : remote_) detail::remote_reset(r);
    Base::reset();
  }

  // Any thread. True when p is a block boundary in class c's reservation.
  bool contains(const void* p, unsigned c) const noexcept { return detail::remote_contains(remote_[c], p); }
  VMB_INLINE bool holds(const void* p, unsigned c) const noexcept {
    return detail::pool_range_holds(this->slots_[c], this->cold_[c], p);
  }

  // Owner. One class's counters; live_slots leaves out the blocks pending on its remote list.
  PoolStats stats(unsigned c) const noexcept {
    return detail::remote_pool_stats(this->slots_[c], this->cold_[c], remote_[c]);
  }
  // Owner. One class's take-overs and pending remote frees.
  RemoteFreeStats remote_stats(unsigned c) const noexcept {
    return detail::remote_free_stats(this->slots_[c], this->cold_[c], remote_[c], taken_[c]);
  }
  // Owner: the commit counters summed over the classes, and one class's last error.
  using Base::commit_stats;
  using Base::last_error;

 private:
  // The slow path, out of line, and called through a two-word function object rather than a lambda:
  // GCC 12 kept a capturing lambda's call out of line and built its closure on each allocation.
  struct Refill {
    BasicRemoteFreeSizeClassPool* pool;
    unsigned c;
    VMB_INLINE void* operator()() const noexcept { return pool->refill(c); }
  };
  VMB_COLD void* refill(unsigned c) noexcept {
    return detail::remote_pool_refill(this->slots_[c], this->cold_[c], remote_[c], taken_[c], kPolicy.checks,
                                      kPolicy.counts);
  }
  VMB_NOINLINE void* allocate_large(std::size_t bytes) noexcept {
    return bytes > kMaxBytes ? nullptr : allocate_in(Classes::large_class_of(bytes));
  }
  VMB_NOINLINE void free_remote_large(void* p, std::size_t bytes) noexcept {
    if (bytes <= kMaxBytes) free_remote_in(p, Classes::large_class_of(bytes));
  }

  detail::RemoteOwnerCounters taken_[kClasses];
  detail::RemoteFreeList remote_[kClasses];  // written by other threads: a line per class (aligned)
};

// The remote-free size-class pool of this build's default policy (vmb::Pool's).
using RemoteFreeSizeClassPool = BasicRemoteFreeSizeClassPool<>;
// Nothing but the work, in every build.
using UncheckedRemoteFreeSizeClassPool = BasicRemoteFreeSizeClassPool<PoolPolicy{.checks = false, .counts = false}>;

}  // namespace vmb
