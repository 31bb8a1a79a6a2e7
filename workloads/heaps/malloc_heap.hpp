// The C library's malloc/free: glibc, or jemalloc/mimalloc/tcmalloc when the child process was
// started with that library in LD_PRELOAD (the child proves which one answered before measuring).
#pragma once

#include <cstddef>
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
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) noexcept {
    if (VMB_UNLIKELY(align > kMallocAlign)) return aligned(bytes, align);  // replay only: a constant elsewhere
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

 private:
  static constexpr std::size_t kMallocAlign = alignof(std::max_align_t);  // what malloc gives: 16

  VMB_NOINLINE static void* aligned(std::size_t bytes, std::size_t align) noexcept {
    void* p = nullptr;
    return posix_memalign(&p, align, bytes) == 0 ? p : nullptr;
  }
};

}  // namespace vmbench
