// The C library's malloc/free: glibc, or jemalloc/mimalloc/tcmalloc when the child process was
// started with that library in LD_PRELOAD (the child proves which one answered before measuring).
#pragma once

#include <cstdlib>

#include "heap.hpp"
#include "params.hpp"
#include "vmb/config.hpp"

namespace vmbench {

class MallocHeap {
 public:
  static constexpr const char* kName = "malloc";
  static constexpr bool kIndividualFree = true;

  explicit MallocHeap(const Params&) noexcept {}
  bool ok() const noexcept { return true; }

  template <Life>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t /*align: malloc gives 16*/) noexcept {
    return std::malloc(bytes);
  }
  template <Life>
  VMB_INLINE void free(void* p, std::size_t, std::size_t) noexcept {
    std::free(p);
  }
  void phase_begin() noexcept {}
  void phase_end() noexcept {}
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }
  void release_all() noexcept {}
  HeapCounters counters() const { return {}; }
};

}  // namespace vmbench
