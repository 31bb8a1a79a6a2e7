// pmr-monotonic and pmr-pool as their users configure them (docs/workloads.md): the phase resource
// reuses one initial buffer across releases, and the pool takes its options.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

#include "heaps/pmr_heaps.hpp"

namespace vmbench {
namespace {

Params with_buffer(const char* bytes) { return Params(std::map<std::string, std::string>{{"pmr_buffer", bytes}}); }

std::uintptr_t address(void* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST(PmrMonotonicHeap, EveryPhaseStartsAtTheSameReusedBuffer) {
  PmrMonotonicHeap heap(with_buffer("64K"));
  std::uintptr_t first = 0;
  for (int phase = 0; phase < 3; ++phase) {
    heap.phase_begin();
    const std::uintptr_t start = address(heap.alloc<Life::phase>(16, 8));
    if (phase == 0) first = start;
    EXPECT_EQ(start, first) << "phase " << phase << " did not start at the buffer";
    for (int i = 1; i < 1000; ++i) {  // 16,000 bytes: within the 64 KiB buffer, one after the other
      const std::uintptr_t p = address(heap.alloc<Life::phase>(16, 8));
      ASSERT_EQ(p, start + 16u * static_cast<std::uintptr_t>(i));
    }
    heap.phase_end();
  }
}

TEST(PmrMonotonicHeap, NestedPhasesReleaseOnlyAtTheOutermostEnd) {
  PmrMonotonicHeap heap(with_buffer("64K"));
  heap.phase_begin();
  const std::uintptr_t a = address(heap.alloc<Life::phase>(16, 8));
  heap.phase_begin();
  heap.alloc<Life::phase>(16, 8);
  heap.phase_end();
  EXPECT_EQ(address(heap.alloc<Life::phase>(16, 8)), a + 32);  // the inner end released nothing
  heap.phase_end();
  heap.phase_begin();
  EXPECT_EQ(address(heap.alloc<Life::phase>(16, 8)), a);
  heap.phase_end();
}

TEST(PmrMonotonicHeap, PersistentObjectsAreNotInThePhaseBuffer) {
  PmrMonotonicHeap heap(with_buffer("64K"));
  heap.phase_begin();
  const std::uintptr_t phase = address(heap.alloc<Life::phase>(16, 8));
  const std::uintptr_t persistent = address(heap.alloc<Life::persistent>(16, 8));
  EXPECT_TRUE(persistent < phase || persistent >= phase + 64 * 1024);
  heap.phase_end();
}

TEST(PmrMonotonicHeap, ZeroBufferIsTheNaiveConfiguration) {
  PmrMonotonicHeap heap(with_buffer("0"));
  EXPECT_EQ(heap.buffer_bytes(), 0u);
  heap.phase_begin();
  EXPECT_NE(heap.alloc<Life::phase>(16, 8), nullptr);  // from a chunk of operator new
  heap.phase_end();
  EXPECT_EQ(PmrMonotonicHeap(with_buffer("2M")).buffer_bytes(), 2u << 20);
}

TEST(PmrPoolHeap, TakesItsOptions) {
  const PmrPoolHeap heap{Params()};
  EXPECT_EQ(heap.options().max_blocks_per_chunk, kPmrPoolMaxBlocksPerChunk);
  EXPECT_EQ(heap.options().largest_required_pool_block, kPmrPoolLargestBlock);
}

}  // namespace
}  // namespace vmbench
