// The C++ standard library's own answers: std::pmr::monotonic_buffer_resource (an arena that gets its
// buffers from operator new) and std::pmr::unsynchronized_pool_resource (size-class pools), each
// configured as its users configure it (docs/workloads.md, "pmr as its users configure it").
#pragma once

#include <memory>
#include <memory_resource>

#include "heap.hpp"
#include "params.hpp"
#include "vmb/config.hpp"

namespace vmbench {

// Persistent objects in one monotonic resource, phase objects in another that is released when the
// outermost phase ends (a monotonic resource cannot pop back to a mark). The phase resource starts
// on an initial buffer of `pmr_buffer` bytes that the heap owns and every release() returns to, as a
// program that resets a monotonic resource per request or frame does: a phase that fits in it never
// calls operator new. Without one (`pmr_buffer=0`, the naive configuration) libstdc++ starts with a
// 1 KiB chunk and grows by 1.5x, and each release() hands every chunk back to glibc, which trims its
// heap and faults the pages in again in the next phase.
class PmrMonotonicHeap {
 public:
  static constexpr const char* kName = "pmr-monotonic";
  static constexpr bool kIndividualFree = false;

  explicit PmrMonotonicHeap(const Params& p)
      : buffer_bytes_(p.bytes("pmr_buffer")),
        buffer_(buffer_bytes_ > 0 ? std::make_unique_for_overwrite<std::byte[]>(buffer_bytes_) : nullptr),
        phase_(buffer_ ? std::pmr::monotonic_buffer_resource(buffer_.get(), buffer_bytes_, upstream())
                       : std::pmr::monotonic_buffer_resource(upstream())) {}
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
    if (--depth_ == 0) phase_.release();  // back to the initial buffer, when there is one
  }
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }
  void release_all() noexcept {
    persistent_.release();
    phase_.release();
  }
  HeapCounters counters() const { return {}; }
  std::size_t buffer_bytes() const noexcept { return buffer_bytes_; }

 private:
  static std::pmr::memory_resource* upstream() noexcept { return std::pmr::new_delete_resource(); }

  std::size_t buffer_bytes_;
  std::unique_ptr<std::byte[]> buffer_;  // not written here: its pages fault in when first used
  std::pmr::monotonic_buffer_resource persistent_{upstream()};
  std::pmr::monotonic_buffer_resource phase_;
  int depth_ = 0;
};

// libstdc++ grows each pool's chunks by doubling up to max_blocks_per_chunk blocks (16,384 by
// default), and a deallocate searches the pool's chunks for the one holding the block: fewer, larger
// chunks make that search shorter. 65,536 blocks is where the gain stops on tree (docs/workloads.md).
inline constexpr std::size_t kPmrPoolMaxBlocksPerChunk = 65536;
inline constexpr std::size_t kPmrPoolLargestBlock = 64 * 1024;  // as the pool heap's largest class

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
  std::pmr::pool_options options() const { return pool_.options(); }

 private:
  std::pmr::unsynchronized_pool_resource pool_{
      std::pmr::pool_options{.max_blocks_per_chunk = kPmrPoolMaxBlocksPerChunk,
                             .largest_required_pool_block = kPmrPoolLargestBlock},
      std::pmr::new_delete_resource()};
};

}  // namespace vmbench
