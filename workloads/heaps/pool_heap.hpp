// vmb::Pool for mixed sizes: vmb::SizeClassPool, one pool per size class. Classes are 16 bytes apart
// up to 256 bytes (16 classes) and powers of two from 512 bytes to 64 KiB (8 classes); a size up to
// 1 KiB finds its class in a table. A request above 64 KiB, or aligned above 16, goes to malloc and
// is counted, so the report can say how often that happened.
#pragma once

#include <cstdlib>
#include <string>

#include "heap.hpp"
#include "params.hpp"
#include "valgrind_reserve.hpp"
#include "vmb/os.hpp"
#include "vmb/size_class_pool.hpp"

namespace vmbench {

// Under Valgrind the classes share a smaller budget (valgrind_reserve.hpp): it cannot map 24 x 16 GiB.
inline std::uint64_t size_class_reserve_bytes(const Params& p, int classes) {
  return region_reserve_bytes(p.bytes("pool_reserve"), classes);
}

// The size-class pools' options from the pool's parameters (pool and pool-remote alike).
inline vmb::SizeClassPoolOptions size_class_pool_options(const Params& p, int classes) {
  vmb::SizeClassPoolOptions o;
  o.reserve_bytes = size_class_reserve_bytes(p, classes);
  o.commit_step_bytes = p.bytes("commit_step");
  o.retain_bytes = p.bytes("retain");
  return o;
}

class PoolHeap {
 public:
  static constexpr const char* kName = "pool";
  static constexpr bool kIndividualFree = true;
  using Pools = vmb::SizeClassPool;
  static constexpr int kClasses = static_cast<int>(Pools::kClasses);  // regions sharing the Valgrind budget
  static constexpr std::size_t kSlotAlign = Pools::kAlign;

  explicit PoolHeap(const Params& p) : pools_(options(p)), reserve_bytes_(reserve_per_class(p)) {
    if (!pools_.ok()) os_error_ = vmb::os::last_error();
  }

  bool ok() const noexcept { return pools_.ok(); }
  std::string failure() const {
    const vmb::Error why = pools_.construction_error();
    if (why != vmb::Error::reserve_failed) return vmb::to_string(why);
    return "reserving " + format_bytes_long(reserve_bytes_) + " of address space failed: " + std::strerror(os_error_);
  }

  // One predictable branch on the fast path: every size of the workloads is in the table's range.
  template <Life>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) noexcept {
    if (VMB_UNLIKELY((bytes > Pools::kTableMaxBytes) | (align > kSlotAlign))) return alloc_other(bytes, align);
    return pools_.allocate_in(Pools::small_class_of(bytes));
  }
  template <Life>
  VMB_INLINE void free(void* p, std::size_t bytes, std::size_t align) noexcept {
    if (VMB_UNLIKELY((bytes > Pools::kTableMaxBytes) | (align > kSlotAlign))) return free_other(p, bytes, align);
    pools_.free_in(p, Pools::small_class_of(bytes));
  }
  void phase_begin() noexcept {}
  void phase_end() noexcept {}
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }
  void release_all() noexcept { pools_.reset(); }
  // O(classes), no walk of any free list: also sampled during the run (the timeline).
  HeapCounters counters() const {
    HeapCounters c;
    c.add_region(pools_.commit_stats());
    c.note = "one pool per size class (16-byte classes to 256 B, powers of two to 64 KiB); " +
             std::to_string(fallbacks_) + " larger allocations went to malloc";
    return c;
  }

 private:
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
    pools_.free(p, bytes);
  }

  Pools pools_;
  std::uint64_t fallbacks_ = 0;
  std::size_t reserve_bytes_;  // of each pool: what failure() says was asked for
  int os_error_ = 0;           // errno of a refused reservation, taken before anything else can set it
};

}  // namespace vmbench
