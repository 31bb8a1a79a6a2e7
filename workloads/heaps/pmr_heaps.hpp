// The C++ standard library's own answers: std::pmr::monotonic_buffer_resource (an arena that gets its
// buffers from operator new) and std::pmr::unsynchronized_pool_resource (size-class pools).
#pragma once

#include <memory_resource>
#include <optional>

#include "heap.hpp"
#include "params.hpp"
#include "vmb/config.hpp"

namespace vmbench {

// Persistent objects in one monotonic resource, phase objects in another that is released when the
// outermost phase ends (a monotonic resource cannot pop back to a mark).
class PmrMonotonicHeap {
 public:
  static constexpr const char* kName = "pmr-monotonic";
  static constexpr bool kIndividualFree = false;

  explicit PmrMonotonicHeap(const Params&) {}
  bool ok() const noexcept { return true; }

  template <Life L>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) {
    if constexpr (L == Life::persistent) return persistent_.allocate(bytes, align);
    else return phase_.allocate(bytes, align);
  }
  template <Life>
  VMB_INLINE void free(void*, std::size_t, std::size_t) noexcept {}
  void phase_begin() noexcept { ++depth_; }
  void phase_end() noexcept {
    if (--depth_ == 0) phase_.release();
  }
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }
  void release_all() noexcept {
    persistent_.release();
    phase_.release();
  }
  HeapCounters counters() const { return {}; }

 private:
  std::pmr::monotonic_buffer_resource persistent_{std::pmr::new_delete_resource()};
  std::pmr::monotonic_buffer_resource phase_{std::pmr::new_delete_resource()};
  int depth_ = 0;
};

class PmrPoolHeap {
 public:
  static constexpr const char* kName = "pmr-pool";
  static constexpr bool kIndividualFree = true;

  explicit PmrPoolHeap(const Params&) {}
  bool ok() const noexcept { return true; }

  template <Life>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) {
    return pool_.allocate(bytes, align);
  }
  template <Life>
  VMB_INLINE void free(void* p, std::size_t bytes, std::size_t align) {
    pool_.deallocate(p, bytes, align);
  }
  void phase_begin() noexcept {}
  void phase_end() noexcept {}
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }
  void release_all() noexcept { pool_.release(); }
  HeapCounters counters() const { return {}; }

 private:
  std::pmr::unsynchronized_pool_resource pool_{std::pmr::new_delete_resource()};
};

}  // namespace vmbench
