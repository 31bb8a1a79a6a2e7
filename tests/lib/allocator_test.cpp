// The Allocator interface: the arena, pool and malloc adapters, and make<T>/unmake<T>.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "vmb/allocator.hpp"
#include "vmb/arena.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmb {
namespace {

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

PoolOptions pool_options(std::size_t slot_bytes, std::size_t slot_align = 16) {
  PoolOptions o;
  o.slot_bytes = slot_bytes;
  o.slot_align = slot_align;
  o.reserve_bytes = 16 * MiB;
  return o;
}

// An allocator that records what it was asked, over malloc.
struct Recorder {
  int allocs = 0;
  int frees = 0;
  std::size_t last_size = 0;
  std::size_t last_align = 0;
  std::size_t last_freed_size = 0;

  Allocator allocator() {
    Allocator a;
    a.alloc = [](std::size_t size, std::size_t align, void* ctx) {
      auto* r = static_cast<Recorder*>(ctx);
      ++r->allocs;
      r->last_size = size;
      r->last_align = align;
      return malloc_allocator().allocate(size, align);
    };
    a.free = [](void* p, std::size_t size, void* ctx) {
      auto* r = static_cast<Recorder*>(ctx);
      ++r->frees;
      r->last_freed_size = size;
      malloc_allocator().deallocate(p, size);
    };
    a.ctx = this;
    return a;
  }
};

// Counts constructions and destructions, so make/unmake can be seen running them.
struct Counted {
  static inline int constructed = 0;
  static inline int destroyed = 0;
  Counted() { ++constructed; }
  ~Counted() { ++destroyed; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  std::uint64_t value = 42;
};

class CountedTest : public ::testing::Test {
 protected:
  void SetUp() override { Counted::constructed = Counted::destroyed = 0; }
};

// --- arena adapter --------------------------------------------------------------------------------

TEST(ArenaAllocator, AllocatesFromTheArena) {
  VirtualArena arena;
  const Allocator a = arena_allocator(arena);
  void* p = a.allocate(100, 64);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(arena.owns(p));
  EXPECT_EQ(addr(p) % 64, 0u);
  EXPECT_EQ(arena.pos(), 100u);  // the reservation starts page-aligned: no padding
}

TEST(ArenaAllocator, UsesTheDefaultAlignmentWhenNoneIsGiven) {
  VirtualArena arena;
  const Allocator a = arena_allocator(arena);
  ASSERT_NE(a.allocate(1), nullptr);
  void* p = a.allocate(1);
  EXPECT_EQ(addr(p) % alignof(std::max_align_t), 0u);
}

TEST(ArenaAllocator, DeallocateLeavesTheArenaAlone) {
  VirtualArena arena;
  const Allocator a = arena_allocator(arena);
  void* p = a.allocate(100);
  const std::size_t pos = arena.pos();
  a.deallocate(p, 100);
  EXPECT_EQ(arena.pos(), pos);
  EXPECT_NE(a.allocate(100), p);
}

TEST(ArenaAllocator, ReturnsNullWhenTheArenaIsExhausted) {
  ArenaOptions o;
  o.reserve_bytes = 64 * KiB;
  VirtualArena arena(o);
  const Allocator a = arena_allocator(arena);
  EXPECT_EQ(a.allocate(64 * KiB + 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
}

TEST(ArenaAllocator, ReturnsNullForABadAlignment) {
  VirtualArena arena;
  EXPECT_EQ(arena_allocator(arena).allocate(8, 24), nullptr);
}

// --- pool adapter ---------------------------------------------------------------------------------

TEST(PoolAllocator, HandsOutSlots) {
  CheckedPool pool(pool_options(48));
  const Allocator a = pool_allocator(pool);
  void* p = a.allocate(48, 16);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(pool.owns(p));
  EXPECT_EQ(pool.stats().live_slots, 1u);
  std::memset(p, 0xAA, 48);
}

TEST(PoolAllocator, AcceptsRequestsSmallerThanASlot) {
  CheckedPool pool(pool_options(48));
  EXPECT_NE(pool_allocator(pool).allocate(1, 1), nullptr);
}

TEST(PoolAllocator, RejectsARequestLargerThanASlot) {
  CheckedPool pool(pool_options(48));
  const Allocator a = pool_allocator(pool);
  EXPECT_EQ(a.allocate(pool.slot_bytes() + 1, 16), nullptr);
  EXPECT_EQ(pool.stats().allocations, 0u);
}

TEST(PoolAllocator, RejectsAnAlignmentTheSlotsDoNotHave) {
  CheckedPool pool(pool_options(48, 16));  // 48-byte stride: every slot is 16-aligned, not all 32-aligned
  const Allocator a = pool_allocator(pool);
  EXPECT_EQ(a.allocate(8, 32), nullptr);
  EXPECT_EQ(a.allocate(8, 3), nullptr);
  EXPECT_EQ(pool.stats().allocations, 0u);
  EXPECT_NE(a.allocate(8, 16), nullptr);
}

TEST(PoolAllocator, DeallocateReturnsTheSlotForReuse) {
  CheckedPool pool(pool_options(64));
  const Allocator a = pool_allocator(pool);
  void* p = a.allocate(64, 16);
  a.deallocate(p, 64);
  EXPECT_EQ(pool.stats().live_slots, 0u);
  EXPECT_EQ(a.allocate(64, 16), p);
}

// --- malloc adapter -------------------------------------------------------------------------------

TEST(MallocAllocator, HonoursEveryPowerOfTwoAlignment) {
  const Allocator a = malloc_allocator();
  for (std::size_t align = 1; align <= 4096; align *= 2) {
    void* p = a.allocate(100, align);
    ASSERT_NE(p, nullptr) << align;
    EXPECT_EQ(addr(p) % align, 0u) << align;
    std::memset(p, 0x5C, 100);
    a.deallocate(p, 100);
  }
}

TEST(MallocAllocator, RejectsANonPowerOfTwoAlignment) {
  EXPECT_EQ(malloc_allocator().allocate(8, 24), nullptr);
  EXPECT_EQ(malloc_allocator().allocate(8, 0), nullptr);
}

// --- the interface itself -------------------------------------------------------------------------

TEST(Allocator, DeallocateOfNullIsNotPassedOn) {
  Recorder r;
  r.allocator().deallocate(nullptr, 10);
  EXPECT_EQ(r.frees, 0);
}

TEST(Allocator, DeallocatePassesTheSizeAskedFor) {
  Recorder r;
  const Allocator a = r.allocator();
  void* p = a.allocate(77, 8);
  a.deallocate(p, 77);
  EXPECT_EQ(r.last_freed_size, 77u);
}

TEST(Allocator, AdaptersCompareEqualExactlyWhenTheyShareAnAllocator) {
  VirtualArena one;
  VirtualArena two;
  CheckedPool pool(pool_options(64));
  EXPECT_EQ(arena_allocator(one), arena_allocator(one));
  EXPECT_FALSE(arena_allocator(one) == arena_allocator(two));
  EXPECT_FALSE(arena_allocator(one) == pool_allocator(pool));
  EXPECT_EQ(malloc_allocator(), malloc_allocator());
}

// --- make / unmake --------------------------------------------------------------------------------

TEST_F(CountedTest, MakeRunsTheConstructors) {
  VirtualArena arena;
  Counted* c = make<Counted>(arena_allocator(arena), 5);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(Counted::constructed, 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c[i].value, 42u);
  EXPECT_EQ(addr(c) % alignof(Counted), 0u);
}

TEST_F(CountedTest, UnmakeRunsTheDestructorsAndFrees) {
  Recorder r;
  const Allocator a = r.allocator();
  Counted* c = make<Counted>(a, 3);
  ASSERT_NE(c, nullptr);
  unmake(a, c, 3);
  EXPECT_EQ(Counted::destroyed, 3);
  EXPECT_EQ(r.frees, 1);
  EXPECT_EQ(r.last_freed_size, 3 * sizeof(Counted));
}

TEST_F(CountedTest, UnmakeOfNullDoesNothing) {
  Recorder r;
  unmake<Counted>(r.allocator(), nullptr, 4);
  EXPECT_EQ(Counted::destroyed, 0);
  EXPECT_EQ(r.frees, 0);
}

TEST(Make, AsksForTheTypesSizeAndAlignment) {
  struct alignas(32) Wide {
    char bytes[96];
  };
  Recorder r;
  Wide* w = make<Wide>(r.allocator(), 2);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(r.last_size, 2 * sizeof(Wide));
  EXPECT_EQ(r.last_align, alignof(Wide));
  unmake(r.allocator(), w, 2);
}

TEST(Make, ReturnsNullWithoutAllocatingWhenTheByteCountOverflows) {
  Recorder r;
  EXPECT_EQ(make<std::uint64_t>(r.allocator(), SIZE_MAX / sizeof(std::uint64_t) + 1), nullptr);
  EXPECT_EQ(make<std::uint32_t>(r.allocator(), SIZE_MAX), nullptr);
  EXPECT_EQ(r.allocs, 0);
}

TEST(Make, OverflowLeavesTheArenaUntouched) {
  VirtualArena arena;
  EXPECT_EQ(make<std::uint64_t>(arena_allocator(arena), SIZE_MAX / 2), nullptr);
  EXPECT_EQ(arena.pos(), 0u);
  EXPECT_EQ(arena.stats().pushed_bytes, 0u);
}

TEST_F(CountedTest, MakeConstructsNothingWhenTheAllocatorFails) {
  ArenaOptions o;
  o.reserve_bytes = 4 * KiB;
  VirtualArena arena(o);
  EXPECT_EQ(make<Counted>(arena_allocator(arena), 10000), nullptr);
  EXPECT_EQ(Counted::constructed, 0);
}

TEST_F(CountedTest, MakeAndUnmakeWorkOnAPool) {
  CheckedPool pool(pool_options(sizeof(Counted)));
  const Allocator a = pool_allocator(pool);
  Counted* c = make<Counted>(a);
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(pool.owns(c));
  unmake(a, c);
  EXPECT_EQ(Counted::destroyed, 1);
  EXPECT_EQ(pool.stats().live_slots, 0u);
}

TEST(Make, OnAPoolReturnsNullForMoreThanOneSlot) {
  CheckedPool pool(pool_options(64));
  EXPECT_EQ(make<std::uint64_t>(pool_allocator(pool), 9), nullptr);
  EXPECT_EQ(pool.stats().allocations, 0u);
}

TEST(Make, ReturnsDefaultInitialisedStrings) {
  VirtualArena arena;
  const Allocator a = arena_allocator(arena);
  std::string* s = make<std::string>(a, 3);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s[0].empty() && s[1].empty() && s[2].empty());
  s[1] = "a string long enough to live on the heap, not in the object";
  unmake(a, s, 3);  // the strings' own heap memory is released
}

}  // namespace
}  // namespace vmb
