// The physical limit: a bare pointer increment into memory mapped read-write up front (no commit
// step, no bounds check, no counters). Each of its two regions ends in an inaccessible guard page,
// so running past the end of one crashes the cell (reported as failed) instead of writing into the
// other: `bump` exists only to show how close the arena gets to doing nothing.
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "heap.hpp"
#include "params.hpp"
#include "vmb/config.hpp"

namespace vmbench {

class BumpHeap {
 public:
  static constexpr const char* kName = "bump";
  static constexpr bool kIndividualFree = false;
  static constexpr int kMaxPhaseDepth = 16;

  explicit BumpHeap(const Params& p) : region_bytes_((p.bytes("bump_region") + kGuardBytes - 1) / kGuardBytes * kGuardBytes) {
    // Read-write from the start and MAP_NORESERVE: committed without a charge, faulted in on touch.
    void* m = mmap(nullptr, 2 * stride(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
      failure_ = "mapping 2 x " + format_bytes_long(region_bytes_) + " read-write failed: " + std::strerror(errno);
    } else {
      base_ = static_cast<std::byte*>(m);
      if (mprotect(base_ + region_bytes_, kGuardBytes, PROT_NONE) != 0 ||
          mprotect(base_ + stride() + region_bytes_, kGuardBytes, PROT_NONE) != 0) {
        failure_ = std::string("protecting the guard pages failed: ") + std::strerror(errno);
        munmap(base_, 2 * stride());  // the heap is unusable either way: nothing to do if this fails
        base_ = nullptr;
      }
    }
    release_all();
  }
  ~BumpHeap() {
    if (base_ != nullptr) munmap(base_, 2 * stride());
  }
  BumpHeap(const BumpHeap&) = delete;
  BumpHeap& operator=(const BumpHeap&) = delete;

  bool ok() const noexcept { return base_ != nullptr; }
  const std::string& failure() const noexcept { return failure_; }

  template <Life L>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) noexcept {
    std::byte*& cur = cur_[static_cast<int>(L)];
    auto p = (reinterpret_cast<std::uintptr_t>(cur) + align - 1) & ~(align - 1);
    cur = reinterpret_cast<std::byte*>(p + bytes);
    return reinterpret_cast<void*>(p);
  }
  template <Life L>
  VMB_INLINE void free(void*, std::size_t, std::size_t) noexcept {}
  void phase_begin() noexcept { marks_[depth_++] = cur_[1]; }
  void phase_end() noexcept { cur_[1] = marks_[--depth_]; }
  bool grow_in_place(void* p, std::size_t old_bytes, std::size_t new_bytes) noexcept {
    if (static_cast<std::byte*>(p) + old_bytes != cur_[1]) return false;
    cur_[1] = static_cast<std::byte*>(p) + new_bytes;
    return true;
  }
  void release_all() noexcept {
    cur_[0] = base_;
    cur_[1] = base_ == nullptr ? nullptr : base_ + stride();
  }
  HeapCounters counters() const { return {}; }

 private:
  static constexpr std::size_t kGuardBytes = 4096;
  std::size_t stride() const noexcept { return region_bytes_ + kGuardBytes; }

  std::byte* cur_[2] = {};
  std::byte* base_ = nullptr;
  std::size_t region_bytes_;
  std::string failure_;  // why the mapping was refused; empty when ok()
  std::byte* marks_[kMaxPhaseDepth] = {};
  int depth_ = 0;
};

}  // namespace vmbench
