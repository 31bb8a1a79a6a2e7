// Standard containers on vmb allocators: AllocatorResource (std::pmr) and StlAllocator, on an arena
// and on a pool sized to the container's nodes; failure surfaces as std::bad_alloc.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory_resource>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "vmb/allocator.hpp"
#include "vmb/arena.hpp"
#include "vmb/pmr.hpp"
#include "vmb/pool.hpp"

namespace vmb {
namespace {

// Records the largest single allocation a container makes (over malloc): its node size.
struct SizeProbe {
  std::size_t largest = 0;
  std::size_t largest_align = 0;
  Allocator allocator() {
    Allocator a;
    a.alloc = [](std::size_t size, std::size_t align, void* ctx) {
      auto* probe = static_cast<SizeProbe*>(ctx);
      if (size > probe->largest) probe->largest = size;
      if (align > probe->largest_align) probe->largest_align = align;
      return malloc_allocator().allocate(size, align);
    };
    a.free = [](void* p, std::size_t size, void*) { malloc_allocator().deallocate(p, size); };
    a.ctx = this;
    return a;
  }
};

// A pool whose slots are exactly one node of a container (as measured with SizeProbe).
PoolOptions node_pool(const SizeProbe& probe) {
  PoolOptions o;
  o.slot_bytes = probe.largest;
  o.slot_align = probe.largest_align;
  o.reserve_bytes = 64 * MiB;
  return o;
}

ArenaOptions small_arena() {
  ArenaOptions o;
  o.reserve_bytes = 64 * KiB;
  o.commit_step_bytes = 4 * KiB;
  return o;
}

// --- std::pmr on an arena -------------------------------------------------------------------------

TEST(AllocatorResource, PmrVectorGrowsOnTheArena) {
  VirtualArena arena;
  AllocatorResource resource(arena_allocator(arena));
  std::pmr::vector<int> v(&resource);
  for (int i = 0; i < 10000; ++i) v.push_back(i);
  EXPECT_TRUE(arena.owns(v.data()));
  EXPECT_TRUE(arena.owns(&v.back()));
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(v[static_cast<std::size_t>(i)], i);
  // It reallocated as it grew: the outgrown buffers are still in the arena, below the last one.
  EXPECT_GT(arena.pos(), v.capacity() * sizeof(int));
}

TEST(AllocatorResource, PmrStringLivesOnTheArena) {
  VirtualArena arena;
  AllocatorResource resource(arena_allocator(arena));
  const std::string start = "a string far too long for the small-string buffer inside the object";
  std::pmr::string s(start.c_str(), &resource);
  for (int i = 0; i < 100; ++i) s += " more";
  EXPECT_TRUE(arena.owns(s.data()));
  EXPECT_EQ(s.size(), start.size() + 500u);
  EXPECT_EQ(std::string_view(s).substr(0, start.size()), start);
  EXPECT_EQ(std::string_view(s).substr(s.size() - 5), " more");
}

TEST(AllocatorResource, NestedPmrContainersAllUseTheArena) {
  VirtualArena arena;
  AllocatorResource resource(arena_allocator(arena));
  std::pmr::vector<std::pmr::string> words(&resource);
  for (int i = 0; i < 100; ++i) words.emplace_back(std::string(40, static_cast<char>('a' + i % 26)));
  for (const auto& w : words) EXPECT_TRUE(arena.owns(w.data()));
  EXPECT_EQ(std::string_view(words[27]), std::string(40, 'b'));
}

TEST(AllocatorResource, ThrowsBadAllocWhenTheArenaIsExhausted) {
  VirtualArena arena(small_arena());
  AllocatorResource resource(arena_allocator(arena));
  std::pmr::vector<int> v(&resource);
  EXPECT_THROW(v.reserve(100000), std::bad_alloc);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(arena.last_error(), Error::exhausted);
}

TEST(AllocatorResource, GrowingVectorThrowsBadAllocAtTheReservation) {
  VirtualArena arena(small_arena());
  AllocatorResource resource(arena_allocator(arena));
  std::pmr::vector<std::uint64_t> v(&resource);
  EXPECT_THROW(
      {
        for (std::uint64_t i = 0; i < 1000000; ++i) v.push_back(i);
      },
      std::bad_alloc);
  for (std::size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], i);  // strong guarantee
}

TEST(AllocatorResource, ResourcesOverTheSameAllocatorAreEqual) {
  VirtualArena one;
  VirtualArena two;
  AllocatorResource a(arena_allocator(one));
  AllocatorResource b(arena_allocator(one));
  AllocatorResource c(arena_allocator(two));
  EXPECT_TRUE(a.is_equal(b));
  EXPECT_FALSE(a.is_equal(c));
  EXPECT_FALSE(a.is_equal(*std::pmr::new_delete_resource()));
  EXPECT_EQ(a.allocator(), arena_allocator(one));
}

// --- std::pmr on a pool ---------------------------------------------------------------------------

TEST(AllocatorResource, PmrListRunsOnAPoolOfNodeSizedSlots) {
  SizeProbe probe;
  {
    AllocatorResource measuring(probe.allocator());
    std::pmr::list<int> l(&measuring);
    l.push_back(1);
  }
  CheckedPool pool(node_pool(probe));
  AllocatorResource resource(pool_allocator(pool));
  {
    std::pmr::list<int> l(&resource);
    const std::size_t baseline = pool.stats().live_slots;  // a sentinel node, in some libraries
    for (int i = 0; i < 1000; ++i) l.push_back(i);
    EXPECT_EQ(pool.stats().live_slots - baseline, 1000u);
    int expected = 0;
    for (int v : l) ASSERT_EQ(v, expected++);
    l.remove_if([](int v) { return v % 2 == 0; });
    EXPECT_EQ(pool.stats().live_slots - baseline, 500u);
  }
  EXPECT_EQ(pool.stats().live_slots, 0u);
}

TEST(AllocatorResource, PoolRejectionThrowsBadAlloc) {
  PoolOptions o;
  o.slot_bytes = 32;
  Pool pool(o);
  AllocatorResource resource(pool_allocator(pool));
  std::pmr::vector<int> v(&resource);
  EXPECT_THROW(v.reserve(100), std::bad_alloc);  // 400 bytes do not fit in a 32-byte slot
}

// --- StlAllocator ---------------------------------------------------------------------------------

TEST(StlAllocator, VectorGrowsOnTheArena) {
  VirtualArena arena;
  std::vector<int, StlAllocator<int>> v{StlAllocator<int>(arena_allocator(arena))};
  for (int i = 0; i < 5000; ++i) v.push_back(i * 3);
  EXPECT_TRUE(arena.owns(v.data()));
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(v[static_cast<std::size_t>(i)], i * 3);
}

TEST(StlAllocator, VectorThrowsBadAllocWhenTheArenaIsExhausted) {
  VirtualArena arena(small_arena());
  std::vector<int, StlAllocator<int>> v{StlAllocator<int>(arena_allocator(arena))};
  EXPECT_THROW(v.resize(100000), std::bad_alloc);
}

TEST(StlAllocator, ThrowsBadArrayNewLengthWhenTheByteCountOverflows) {
  VirtualArena arena;
  StlAllocator<std::uint64_t> a(arena_allocator(arena));
  EXPECT_THROW((void)a.allocate(SIZE_MAX / 4), std::bad_array_new_length);
  EXPECT_EQ(arena.pos(), 0u);
}

TEST(StlAllocator, ListRunsOnAPoolOfNodeSizedSlots) {
  SizeProbe probe;
  {
    std::list<int, StlAllocator<int>> l{StlAllocator<int>(probe.allocator())};
    l.push_back(1);
  }
  CheckedPool pool(node_pool(probe));
  {
    std::list<int, StlAllocator<int>> l{StlAllocator<int>(pool_allocator(pool))};
    const std::size_t baseline = pool.stats().live_slots;
    for (int i = 0; i < 2000; ++i) l.push_front(i);
    EXPECT_EQ(pool.stats().live_slots - baseline, 2000u);
    EXPECT_EQ(l.front(), 1999);
    EXPECT_EQ(l.back(), 0);
  }
  EXPECT_EQ(pool.stats().live_slots, 0u);
  EXPECT_EQ(pool.stats().frees, pool.stats().allocations);
}

TEST(StlAllocator, MapRunsOnAPoolOfNodeSizedSlots) {
  using Map = std::map<int, double, std::less<>, StlAllocator<std::pair<const int, double>>>;
  SizeProbe probe;
  {
    Map m{StlAllocator<std::pair<const int, double>>(probe.allocator())};
    m.emplace(1, 1.0);
  }
  CheckedPool pool(node_pool(probe));
  {
    Map m{StlAllocator<std::pair<const int, double>>(pool_allocator(pool))};
    for (int i = 0; i < 3000; ++i) m.emplace((i * 7919) % 3000, i * 0.5);
    EXPECT_EQ(m.size(), 3000u);
    EXPECT_GE(pool.stats().live_slots, 3000u);
    int expected_key = 0;
    for (const auto& [key, value] : m) ASSERT_EQ(key, expected_key++);
    for (int i = 0; i < 3000; i += 3) m.erase(i);
    const PoolStats before = pool.stats();
    for (int i = 0; i < 3000; i += 3) m.emplace(i, 0.0);  // reuses the freed nodes
    EXPECT_EQ(pool.stats().commit_calls, before.commit_calls);
    EXPECT_EQ(pool.stats().peak_live_slots, before.peak_live_slots);
  }
  EXPECT_EQ(pool.stats().live_slots, 0u);
}

TEST(StlAllocator, ErasedListNodesAreReusedByTheNextInsert) {
  SizeProbe probe;
  {
    std::list<int, StlAllocator<int>> l{StlAllocator<int>(probe.allocator())};
    l.push_back(1);
  }
  CheckedPool pool(node_pool(probe));
  std::list<int, StlAllocator<int>> l{StlAllocator<int>(pool_allocator(pool))};
  for (int i = 0; i < 100; ++i) l.push_back(i);
  const std::size_t peak = pool.stats().peak_live_slots;
  for (int round = 0; round < 1000; ++round) {
    l.pop_front();
    l.push_back(round);
  }
  EXPECT_EQ(pool.stats().peak_live_slots, peak);
  EXPECT_EQ(pool.stats().allocations, peak + 1000);
}

TEST(StlAllocator, CopiesAndRebindsCompareEqual) {
  VirtualArena arena;
  VirtualArena other;
  StlAllocator<int> a(arena_allocator(arena));
  StlAllocator<double> rebound(a);
  StlAllocator<int> elsewhere(arena_allocator(other));
  EXPECT_TRUE(a == rebound);
  EXPECT_TRUE(rebound == a);
  EXPECT_FALSE(a == elsewhere);
  EXPECT_TRUE(a != elsewhere);
}

}  // namespace
}  // namespace vmb
