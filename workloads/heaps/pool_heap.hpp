// vmb::Pool for mixed sizes: one pool per size class. Classes are 16 bytes apart up to 256 bytes
// (16 classes) and powers of two from 512 bytes to 64 KiB (8 classes); a request above 64 KiB, or
// aligned above 16, goes to malloc and is counted, so the report can say how often that happened.
#pragma once

#include <bit>
#include <cstdlib>
#include <optional>

#include "heap.hpp"
#include "params.hpp"
#include "valgrind_reserve.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmbench {

class PoolHeap {
 public:
  static constexpr const char* kName = "pool";
  static constexpr bool kIndividualFree = true;
  static constexpr std::size_t kSmallStep = 16;
  static constexpr std::size_t kSmallMax = 256;
  static constexpr std::size_t kLargeMax = 64 * 1024;
  static constexpr int kClasses = 16 + 8;
  static constexpr std::size_t kSlotAlign = 16;

  explicit PoolHeap(const Params& p) : reserve_bytes_(region_reserve_bytes(p.bytes("pool_reserve"), kClasses)) {
    for (int c = 0; c < kClasses; ++c) {
      vmb::PoolOptions o;
      o.slot_bytes = class_bytes(c);
      o.slot_align = kSlotAlign;
      o.reserve_bytes = reserve_bytes_;
      o.commit_step_bytes = p.bytes("commit_step");
      o.retain_bytes = p.bytes("retain");
      pools_[c].emplace(o);
      if (!pools_[c]->ok() && os_error_ == 0) os_error_ = vmb::os::last_error();
    }
  }

  bool ok() const noexcept {
    for (const auto& p : pools_)
      if (!p->ok()) return false;
    return true;
  }
  std::string failure() const {
    for (const auto& p : pools_)
      if (!p->ok()) return region_failure(*p, reserve_bytes_, os_error_);
    return "";
  }

  template <Life>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) noexcept {
    if (VMB_UNLIKELY(bytes > kLargeMax || align > kSlotAlign)) return fallback_alloc(bytes);
    return pools_[class_of(bytes)]->allocate();
  }
  template <Life>
  VMB_INLINE void free(void* p, std::size_t bytes, std::size_t align) noexcept {
    if (VMB_UNLIKELY(bytes > kLargeMax || align > kSlotAlign)) return std::free(p);
    pools_[class_of(bytes)]->free(p);
  }
  void phase_begin() noexcept {}
  void phase_end() noexcept {}
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }
  void release_all() noexcept {
    for (auto& p : pools_) p->reset();
  }
  HeapCounters counters() const {
    HeapCounters c;
    c.known = true;
    for (const auto& p : pools_) c.add_region(p->stats());
    c.note = "one pool per size class (16-byte classes to 256 B, powers of two to 64 KiB); " +
             std::to_string(fallbacks_) + " larger allocations went to malloc";
    return c;
  }

  static constexpr int class_of(std::size_t bytes) noexcept {
    if (bytes <= kSmallMax) return static_cast<int>((std::max<std::size_t>(bytes, 1) + kSmallStep - 1) / kSmallStep) - 1;
    return 16 + static_cast<int>(std::bit_width(bytes - 1)) - 9;  // 257..512 -> 16, ..., 64 KiB -> 23
  }
  static constexpr std::size_t class_bytes(int c) noexcept {
    return c < 16 ? static_cast<std::size_t>(c + 1) * kSmallStep : std::size_t{512} << (c - 16);
  }

 private:
  VMB_NOINLINE void* fallback_alloc(std::size_t bytes) noexcept {
    ++fallbacks_;
    return std::malloc(bytes);
  }

  // The pools themselves, not pointers to them: one load less on every allocate and free.
  std::optional<vmb::Pool> pools_[kClasses];
  std::uint64_t fallbacks_ = 0;
  std::size_t reserve_bytes_;  // of each pool: what failure() says was asked for
  int os_error_ = 0;           // errno of the first refused reservation, taken right after it
};

}  // namespace vmbench
