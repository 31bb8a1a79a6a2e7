// vmb::RemoteFreeSizeClassPool, one per thread (the library's pool that takes frees from other threads):
// the owner allocates and frees on the size-class pool's fast paths; an object that another thread's
// pool handed out goes back to that pool with free_remote, one compare-and-swap on its remote-free
// list, which the owner takes over in one atomic exchange when it runs out. The pools of a cell find
// each other through a registry filled before any thread runs (every heap is made before the team's
// ready latch) and emptied after the last has finished. Size classes and the malloc fallback as
// PoolHeap's (pool_heap.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstdlib>
#include <string>

#include "catalog.hpp"  // kMaxThreads: the registry holds a pool per thread
#include "heap.hpp"
#include "params.hpp"
#include "pool_heap.hpp"  // the size-class options, shared
#include "valgrind_reserve.hpp"
#include "vmb/os.hpp"
#include "vmb/remote_free_size_class_pool.hpp"

namespace vmbench {

class RemotePoolHeap {
 public:
  static constexpr const char* kName = "pool-remote";
  static constexpr bool kIndividualFree = true;
  using Pools = vmb::RemoteFreeSizeClassPool;
  static constexpr int kClasses = static_cast<int>(Pools::kClasses);
  static constexpr std::size_t kSlotAlign = Pools::kAlign;

  explicit RemotePoolHeap(const Params& p) : pools_(options(p)), reserve_bytes_(reserve_per_class(p)) {
    if (!pools_.ok()) os_error_ = vmb::os::last_error();
    else registered_ = registry().add(&pools_);
  }
  ~RemotePoolHeap() {
    if (registered_) registry().remove(&pools_);
  }
  RemotePoolHeap(const RemotePoolHeap&) = delete;
  RemotePoolHeap& operator=(const RemotePoolHeap&) = delete;

  bool ok() const noexcept { return pools_.ok() && registered_; }
  std::string failure() const {
    if (pools_.ok()) return "more than " + std::to_string(kMaxThreads) + " pools at once";
    const vmb::Error why = pools_.construction_error();
    if (why != vmb::Error::reserve_failed) return vmb::to_string(why);
    return "reserving " + format_bytes_long(reserve_bytes_) + " of address space failed: " + std::strerror(os_error_);
  }

  template <Life>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) noexcept {
    if (VMB_UNLIKELY((bytes > Pools::kTableMaxBytes) | (align > kSlotAlign))) return alloc_other(bytes, align);
    return pools_.allocate_in(Pools::small_class_of(bytes));
  }
  // Its own object: the owner's free (no atomic instruction). Another pool's: free_remote there.
  template <Life>
  VMB_INLINE void free(void* p, std::size_t bytes, std::size_t align) noexcept {
    if (VMB_UNLIKELY((bytes > Pools::kTableMaxBytes) | (align > kSlotAlign))) return free_other(p, bytes, align);
    const unsigned c = Pools::small_class_of(bytes);
    if (VMB_LIKELY(pools_.holds(p, c))) return pools_.free_in(p, c);
    free_foreign(p, c);
  }
  void phase_begin() noexcept {}
  void phase_end() noexcept {}
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }
  // Owner, with every remote free done: the team's end barrier orders them before.
  void release_all() noexcept { pools_.reset(); }
  HeapCounters counters() const {
    HeapCounters c;
    c.add_region(pools_.commit_stats());
    c.note = "one remote-free pool per size class and thread (16-byte classes to 256 B, powers of two to 64 KiB); " +
             std::to_string(fallbacks_) + " larger allocations went to malloc";
    return c;
  }

 private:
  // The pools of the process, one slot per live heap. add and remove run before the team starts and
  // after it has ended (its latch and its joins order them); find runs between.
  class Registry {
   public:
    bool add(Pools* p) noexcept {
      for (auto& slot : slots_) {
        Pools* empty = nullptr;
        if (slot.compare_exchange_strong(empty, p, std::memory_order_acq_rel)) return true;
      }
      return false;
    }
    void remove(Pools* p) noexcept {
      for (auto& slot : slots_) {
        Pools* mine = p;
        if (slot.compare_exchange_strong(mine, nullptr, std::memory_order_acq_rel)) return;
      }
    }
    Pools* find(void* q, unsigned c) const noexcept {
      for (const auto& slot : slots_)
        if (Pools* p = slot.load(std::memory_order_acquire); p != nullptr && p->contains(q, c)) return p;
      return nullptr;
    }

   private:
    std::array<std::atomic<Pools*>, kMaxThreads> slots_{};
  };
  static Registry& registry() noexcept {
    static Registry r;
    return r;
  }

  // The owner of an object this pool did not hand out: the last one found first (xfer's consumer
  // frees into one producer's pool), else the registry's.
  VMB_NOINLINE void free_foreign(void* p, unsigned c) noexcept {
    if (last_owner_ == nullptr || !last_owner_->contains(p, c)) last_owner_ = registry().find(p, c);
    if (VMB_UNLIKELY(last_owner_ == nullptr)) std::abort();  // not any pool's: a bug in the workload
    last_owner_->free_remote_in(p, c);
  }
  static vmb::SizeClassPoolOptions options(const Params& p) { return size_class_pool_options(p, kClasses); }
  static std::uint64_t reserve_per_class(const Params& p) { return size_class_reserve_bytes(p, kClasses); }
  static bool to_malloc(std::size_t bytes, std::size_t align) noexcept {
    return bytes > Pools::kMaxBytes || align > kSlotAlign;
  }
  VMB_NOINLINE void* alloc_other(std::size_t bytes, std::size_t align) noexcept {
    if (!to_malloc(bytes, align)) return pools_.allocate(bytes);
    ++fallbacks_;
    return std::malloc(bytes);
  }
  VMB_NOINLINE void free_other(void* p, std::size_t bytes, std::size_t align) noexcept {
    if (to_malloc(bytes, align)) return std::free(p);
    if (pools_.holds(p, Pools::class_of(bytes))) return pools_.free(p, bytes);
    Pools* owner = registry().find(p, Pools::class_of(bytes));
    if (owner == nullptr) std::abort();
    owner->free_remote(p, bytes);
  }

  Pools pools_;
  Pools* last_owner_ = nullptr;
  bool registered_ = false;
  std::uint64_t fallbacks_ = 0;
  std::size_t reserve_bytes_;
  int os_error_ = 0;
};

}  // namespace vmbench
