// Pools for mixed sizes: one pool per size class, 16-byte aligned slots. Classes are 16 bytes apart
// up to 256 bytes (16 classes), then powers of two from 512 bytes to 64 KiB (8 classes).
// Built for speed on the fast path: a size up to 1 KiB finds its class in a 65-entry table (one
// load, no data-dependent branch), and the hot state of all 24 classes lies in one 768-byte array,
// two classes per cache line; each class is otherwise a BasicPool with the same policy.
//
// API, in groups:   types     SizeClassPool (the build's default policy), BasicSizeClassPool<Policy>
//                   create    SizeClassPool(options), ok, construction_error
//                   use       allocate(bytes), free(p, bytes), reset; by class: class_of,
//                             small_class_of, allocate_in, free_in
//                   inspect   stats(class), commit_stats, last_error(class), class_bytes
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "vmb/commit_stats.hpp"
#include "vmb/config.hpp"
#include "vmb/detail/pool_core.hpp"
#include "vmb/error.hpp"
#include "vmb/pool.hpp"
#include "vmb/pool_policy.hpp"

namespace vmb {

struct SizeClassPoolOptions {
  std::size_t reserve_bytes = 16 * GiB;      // of each class: address space only
  std::size_t commit_step_bytes = 64 * KiB;  // rounded up to the page size
  std::size_t retain_bytes = 64 * MiB;       // of each class: what reset() keeps committed
};

namespace detail {

// The size classes, apart from any policy.
struct SizeClasses {
  static constexpr std::size_t kAlign = 16;           // of every slot
  static constexpr std::size_t kSmallStepBytes = 16;  // classes 0..15: 16, 32, ..., 256 bytes
  static constexpr std::size_t kSmallMaxBytes = 256;
  static constexpr unsigned kSmallClasses = kSmallMaxBytes / kSmallStepBytes;
  static constexpr std::size_t kMaxBytes = 64 * KiB;  // classes 16..23: 512 bytes .. 64 KiB
  static constexpr unsigned kClasses = kSmallClasses + 8;
  // Sizes up to this find their class in the table (every size of the project's workloads does).
  static constexpr std::size_t kTableMaxBytes = 1 * KiB;
  static constexpr std::size_t kTableEntries = kTableMaxBytes / kSmallStepBytes + 1;

  static constexpr std::size_t class_bytes(unsigned c) noexcept {
    return c < kSmallClasses ? (c + 1) * kSmallStepBytes : (kSmallMaxBytes * 2) << (c - kSmallClasses);
  }
  // 257 bytes .. kMaxBytes: the power of two at or above.
  static constexpr unsigned large_class_of(std::size_t bytes) noexcept {
    return kSmallClasses + static_cast<unsigned>(std::bit_width(bytes - 1)) -
           static_cast<unsigned>(std::bit_width(kSmallMaxBytes));
  }
  static constexpr std::array<std::uint8_t, kTableEntries> class_table() noexcept {
    std::array<std::uint8_t, kTableEntries> t{};
    for (std::size_t g = 0; g < t.size(); ++g) {
      const std::size_t bytes = g * kSmallStepBytes;  // the largest size of granule g
      t[g] = static_cast<std::uint8_t>(g == 0 ? 0 : bytes <= kSmallMaxBytes ? g - 1 : large_class_of(bytes));
    }
    return t;
  }
};

// Class of every size up to kTableMaxBytes, by 16-byte granule: entry g serves sizes 16g-15..16g.
inline constexpr std::array<std::uint8_t, SizeClasses::kTableEntries> kClassOfGranule = SizeClasses::class_table();

}  // namespace detail

template <PoolPolicy kPolicy = PoolPolicy{}>
class BasicSizeClassPool {
 public:
  static constexpr PoolPolicy policy = kPolicy;
  using Classes = detail::SizeClasses;
  static constexpr std::size_t kAlign = Classes::kAlign;
  static constexpr std::size_t kMaxBytes = Classes::kMaxBytes;
  static constexpr unsigned kClasses = Classes::kClasses;
  static constexpr std::size_t kTableMaxBytes = Classes::kTableMaxBytes;

  explicit BasicSizeClassPool(const SizeClassPoolOptions& o = {}) noexcept {
    for (unsigned c = 0; c < kClasses; ++c) {
      PoolOptions po;
      po.slot_bytes = class_bytes(c);
      po.slot_align = kAlign;
      po.reserve_bytes = o.reserve_bytes;
      po.commit_step_bytes = o.commit_step_bytes;
      po.retain_bytes = o.retain_bytes;
      detail::pool_init(slots_[c], cold_[c], po, kPolicy.checks);
    }
  }
  ~BasicSizeClassPool() {
    for (unsigned c = 0; c < kClasses; ++c) detail::pool_destroy(slots_[c], cold_[c]);
  }
  BasicSizeClassPool(const BasicSizeClassPool&) = delete;
  BasicSizeClassPool& operator=(const BasicSizeClassPool&) = delete;

  // True when every class's pool was created.
  bool ok() const noexcept { return construction_error() == Error::none; }
  // The error of the first class whose pool could not be created, or none.
  Error construction_error() const noexcept {
    for (const detail::PoolCold& c : cold_)
      if (c.base == nullptr) return c.error;
    return Error::none;
  }

  // A block of `bytes` aligned to kAlign, or null: bytes above kMaxBytes (no error recorded: no class
  // holds it), or the class failed (last_error(class_of(bytes)) says why).
  VMB_INLINE void* allocate(std::size_t bytes) noexcept {
    if (VMB_UNLIKELY(bytes > kTableMaxBytes)) return allocate_large(bytes);
    return allocate_in(small_class_of(bytes));
  }
  // Free a block from allocate(bytes), given the same `bytes`. free(nullptr, n) does nothing.
  VMB_INLINE void free(void* p, std::size_t bytes) noexcept {
    if (VMB_UNLIKELY(bytes > kTableMaxBytes)) return free_large(p, bytes);
    free_in(p, small_class_of(bytes));
  }

  // The class of a size up to kTableMaxBytes: one table load.
  static VMB_INLINE unsigned small_class_of(std::size_t bytes) noexcept {
    return detail::kClassOfGranule[(bytes + Classes::kSmallStepBytes - 1) / Classes::kSmallStepBytes];
  }
  // The class of any size up to kMaxBytes.
  static constexpr unsigned class_of(std::size_t bytes) noexcept {
    if (bytes <= kTableMaxBytes) {
      return detail::kClassOfGranule[(bytes + Classes::kSmallStepBytes - 1) / Classes::kSmallStepBytes];
    }
    return Classes::large_class_of(bytes);
  }
  static constexpr std::size_t class_bytes(unsigned c) noexcept { return Classes::class_bytes(c); }
  VMB_INLINE void* allocate_in(unsigned c) noexcept {
    return detail::pool_allocate<kPolicy>(slots_[c], cold_[c]);
  }
  VMB_INLINE void free_in(void* p, unsigned c) noexcept { detail::pool_free<kPolicy>(slots_[c], cold_[c], p); }

  // Forget every block of every class; decommit each above options.retain_bytes.
  void reset() noexcept {
    for (unsigned c = 0; c < kClasses; ++c) detail::pool_reset(slots_[c], cold_[c]);
  }

  // One class's counters (walks its free list, as BasicPool::stats() does).
  PoolStats stats(unsigned c) const noexcept { return detail::pool_stats(slots_[c], cold_[c]); }
  // The commit counters summed over the classes: O(classes), no walk (peak: the sum of each class's
  // peak, an upper bound of the pool's).
  CommitStats commit_stats() const noexcept {
    CommitStats sum;
    for (const detail::PoolCold& c : cold_) {
      const CommitStats& s = c.ledger.stats();
      sum.reserved_bytes += s.reserved_bytes;
      sum.committed_bytes += s.committed_bytes;
      sum.peak_committed_bytes += s.peak_committed_bytes;
      sum.commit_calls += s.commit_calls;
      sum.decommit_calls += s.decommit_calls;
    }
    return sum;
  }
  Error last_error(unsigned c) const noexcept { return cold_[c].error; }

 protected:  // BasicRemoteFreeSizeClassPool (vmb/remote_free_size_class_pool.hpp) builds on the same state
  VMB_NOINLINE void* allocate_large(std::size_t bytes) noexcept {
    return bytes > kMaxBytes ? nullptr : allocate_in(Classes::large_class_of(bytes));
  }
  VMB_NOINLINE void free_large(void* p, std::size_t bytes) noexcept {
    if (bytes <= kMaxBytes) free_in(p, Classes::large_class_of(bytes));
  }

  detail::SlotList slots_[kClasses];  // hot: 32 bytes a class, contiguous
  detail::PoolCold cold_[kClasses];
};

// The size-class pool of this build's default policy (vmb::Pool's).
using SizeClassPool = BasicSizeClassPool<>;

}  // namespace vmb
