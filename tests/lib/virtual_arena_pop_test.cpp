// VirtualArena: pos, pop_to, clear, decommit_unused and grow_last.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "virtual_arena_support.hpp"
#include "vmb/arena.hpp"

namespace vmb {
namespace {

using namespace vmb::test;

// --- pos, pop_to, clear, decommit_unused ----------------------------------------------------------

TEST(VirtualArena, PosIsTheOffsetOfTheNextFreeByte) {
  VirtualArena arena;
  EXPECT_EQ(arena.pos(), 0u);
  auto* first = static_cast<std::byte*>(arena.push(5, 1));
  EXPECT_EQ(arena.pos(), 5u);
  auto* second = static_cast<std::byte*>(arena.push(1, 8));
  EXPECT_EQ(second, first + 8);
  EXPECT_EQ(arena.pos(), 9u);
}

TEST(VirtualArena, PopToFreesEverythingPushedAfterThePosition) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100), nullptr);
  const std::size_t mark = arena.pos();
  void* after = arena.push(200);
  ASSERT_NE(arena.push(300), nullptr);
  EXPECT_TRUE(arena.pop_to(mark));
  EXPECT_EQ(arena.pos(), mark);
  EXPECT_EQ(arena.push(200), after);  // the same bytes are handed out again
}

TEST(VirtualArena, PopToTheCurrentPositionChangesNothing) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100), nullptr);
  EXPECT_TRUE(arena.pop_to(arena.pos()));
  EXPECT_EQ(arena.pos(), 100u);
}

TEST(VirtualArena, PopToBeyondPosIsRefusedAndChangesNothing) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100), nullptr);
  const auto before = fields(arena.stats());
  EXPECT_FALSE(arena.pop_to(101));
  EXPECT_FALSE(arena.pop_to(SIZE_MAX));
  EXPECT_EQ(arena.pos(), 100u);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(VirtualArena, PopToKeepsPagesCommitted) {
  VirtualArena arena(small_options(MiB, page()));
  ASSERT_NE(arena.push(8 * page()), nullptr);
  const auto before = fields(arena.stats());
  EXPECT_TRUE(arena.pop_to(0));
  EXPECT_EQ(fields(arena.stats()), before);
  ASSERT_NE(arena.push(8 * page()), nullptr);
  EXPECT_EQ(arena.stats().commit_calls, 1u);
}

TEST(VirtualArena, ClearReturnsToPositionZero) {
  VirtualArena arena;
  void* first = arena.push(100);
  ASSERT_NE(arena.push(1000), nullptr);
  arena.clear();
  EXPECT_EQ(arena.pos(), 0u);
  EXPECT_EQ(arena.push(100), first);
}

TEST(VirtualArena, ClearDecommitsAboveRetainBytes) {
  ArenaOptions o = small_options(MiB, page());
  o.retain_bytes = 3 * page();
  VirtualArena arena(o);
  ASSERT_NE(arena.push(10 * page()), nullptr);
  arena.clear();
  EXPECT_EQ(arena.stats().decommit_calls, 1u);
  EXPECT_EQ(arena.stats().committed_bytes, 3 * page());
  EXPECT_EQ(arena.stats().peak_committed_bytes, 10 * page());
}

TEST(VirtualArena, ClearRoundsRetainBytesUpToAWholeStep) {
  ArenaOptions o = small_options(MiB, 4 * page());
  o.retain_bytes = 1;
  VirtualArena arena(o);
  ASSERT_NE(arena.push(10 * page()), nullptr);
  ASSERT_EQ(arena.stats().committed_bytes, 12 * page());
  arena.clear();
  EXPECT_EQ(arena.stats().decommit_calls, 1u);
  EXPECT_EQ(arena.stats().committed_bytes, 4 * page());
}

TEST(VirtualArena, ClearKeepsEverythingBelowRetainBytes) {
  ArenaOptions o = small_options(MiB, page());
  o.retain_bytes = 16 * page();
  VirtualArena arena(o);
  ASSERT_NE(arena.push(10 * page()), nullptr);
  arena.clear();
  EXPECT_EQ(arena.stats().decommit_calls, 0u);
  EXPECT_EQ(arena.stats().committed_bytes, 10 * page());
}

TEST(VirtualArena, RetainedPagesAreReusedWithoutACommitCall) {
  ArenaOptions o = small_options(MiB, page());
  o.retain_bytes = 4 * page();
  VirtualArena arena(o);
  ASSERT_NE(arena.push(10 * page()), nullptr);
  arena.clear();
  ASSERT_NE(arena.push(4 * page()), nullptr);
  EXPECT_EQ(arena.stats().commit_calls, 1u);
  ASSERT_NE(arena.push(1), nullptr);  // the fifth page was decommitted
  EXPECT_EQ(arena.stats().commit_calls, 2u);
  EXPECT_EQ(arena.stats().committed_bytes, 5 * page());
}

TEST(VirtualArena, ClearWithZeroRetainDecommitsEverything) {
  ArenaOptions o = small_options(MiB, page());
  o.retain_bytes = 0;
  VirtualArena arena(o);
  ASSERT_NE(arena.push(7 * page()), nullptr);
  arena.clear();
  EXPECT_EQ(arena.stats().committed_bytes, 0u);
  EXPECT_EQ(arena.stats().decommit_calls, 1u);
  arena.clear();  // nothing left to decommit: no call
  EXPECT_EQ(arena.stats().decommit_calls, 1u);
}

TEST(VirtualArena, DecommitUnusedKeepsTheStepsUnderPos) {
  VirtualArena arena(small_options(MiB, page()));
  ASSERT_NE(arena.push(10 * page()), nullptr);
  ASSERT_TRUE(arena.pop_to(2 * page() + 1));
  arena.decommit_unused();
  EXPECT_EQ(arena.stats().decommit_calls, 1u);
  EXPECT_EQ(arena.stats().committed_bytes, 3 * page());
  EXPECT_EQ(arena.pos(), 2 * page() + 1);
}

TEST(VirtualArena, DecommitUnusedWithNothingAbovePosMakesNoCall) {
  VirtualArena arena(small_options(MiB, page()));
  ASSERT_NE(arena.push(3 * page()), nullptr);
  arena.decommit_unused();
  EXPECT_EQ(arena.stats().decommit_calls, 0u);
  EXPECT_EQ(arena.stats().committed_bytes, 3 * page());
}

TEST(VirtualArena, DecommitUnusedIgnoresRetainBytes) {
  ArenaOptions o = small_options(MiB, page());
  o.retain_bytes = 64 * MiB;
  VirtualArena arena(o);
  ASSERT_NE(arena.push(6 * page()), nullptr);
  ASSERT_TRUE(arena.pop_to(0));
  arena.decommit_unused();
  EXPECT_EQ(arena.stats().committed_bytes, 0u);
}

TEST(VirtualArena, DecommittedPagesAreCommittedAgainWhenPushedInto) {
  VirtualArena arena(small_options(MiB, page()));
  ASSERT_NE(arena.push(6 * page()), nullptr);
  ASSERT_TRUE(arena.pop_to(page()));
  arena.decommit_unused();
  auto* p = static_cast<unsigned char*>(arena.push(4 * page(), 1));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x77, 4 * page());
  EXPECT_EQ(arena.stats().commit_calls, 2u);
  EXPECT_EQ(arena.stats().committed_bytes, 5 * page());
}

// --- grow_last ------------------------------------------------------------------------------------

TEST(VirtualArena, GrowLastExtendsTheLastBlockInPlace) {
  VirtualArena arena(small_options(MiB, page()));
  auto* p = static_cast<unsigned char*>(arena.push(100, 1));
  std::memset(p, 0x11, 100);
  ASSERT_TRUE(arena.grow_last(p, 100, 3 * page()));
  EXPECT_EQ(arena.pos(), 3 * page());
  EXPECT_EQ(arena.stats().commit_calls, 2u);
  EXPECT_EQ(arena.stats().committed_bytes, 3 * page());
  std::memset(p + 100, 0x22, 3 * page() - 100);  // the new bytes are writable
  for (std::size_t i = 0; i < 100; ++i) ASSERT_EQ(p[i], 0x11);
  EXPECT_EQ(arena.push(1, 1), p + 3 * page());
}

TEST(VirtualArena, GrowLastShrinksInPlace) {
  VirtualArena arena;
  auto* p = static_cast<unsigned char*>(arena.push(1000, 1));
  ASSERT_TRUE(arena.grow_last(p, 1000, 10));
  EXPECT_EQ(arena.pos(), 10u);
  EXPECT_EQ(arena.push(1, 1), p + 10);
}

TEST(VirtualArena, GrowLastToTheSameSizeSucceeds) {
  VirtualArena arena;
  void* p = arena.push(64);
  EXPECT_TRUE(arena.grow_last(p, 64, 64));
  EXPECT_EQ(arena.pos(), 64u);
}

TEST(VirtualArena, GrowLastRefusesABlockThatIsNotTheLast) {
  VirtualArena arena;
  void* first = arena.push(64);
  ASSERT_NE(arena.push(64), nullptr);
  const auto before = fields(arena.stats());
  EXPECT_FALSE(arena.grow_last(first, 64, 128));
  EXPECT_EQ(arena.last_error(), Error::bad_pointer);
  EXPECT_FALSE(arena.grow_last(first, 64, 32));
  EXPECT_EQ(arena.pos(), 128u);
  EXPECT_EQ(fields(arena.stats()), before);
}

// Found by the hostile-input review (issue 16): the pointer and size were only checked to end at the
// position, so pointers the arena never returned were accepted.
TEST(VirtualArena, GrowLastRefusesAPointerIntoTheLastBlock) {
  VirtualArena arena;
  auto* p = static_cast<std::byte*>(arena.push(64));
  EXPECT_FALSE(arena.grow_last(p + 32, 32, 128));
  EXPECT_EQ(arena.last_error(), Error::bad_pointer);
  EXPECT_EQ(arena.pos(), 64u);
}

TEST(VirtualArena, GrowLastRefusesThePositionAsAnEmptyBlock) {
  VirtualArena arena;
  auto* p = static_cast<std::byte*>(arena.push(64));
  EXPECT_FALSE(arena.grow_last(p + 64, 0, 16));
  EXPECT_EQ(arena.last_error(), Error::bad_pointer);
  EXPECT_EQ(arena.pos(), 64u);
}

TEST(VirtualArena, GrowLastRefusesTwoBlocksTakenAsOne) {
  VirtualArena arena;
  void* first = arena.push(64);
  ASSERT_NE(arena.push(64), nullptr);
  EXPECT_FALSE(arena.grow_last(first, 128, 256));
  EXPECT_EQ(arena.last_error(), Error::bad_pointer);
  EXPECT_EQ(arena.pos(), 128u);
}

TEST(VirtualArena, GrowLastRefusesABlockThatWasPoppedAway) {
  VirtualArena arena;
  void* p = arena.push(64);
  ASSERT_NE(arena.push(64), nullptr);
  ASSERT_TRUE(arena.pop_to(0));
  EXPECT_FALSE(arena.grow_last(p, 0, 64));
  EXPECT_EQ(arena.last_error(), Error::bad_pointer);
  EXPECT_EQ(arena.pos(), 0u);
}

TEST(VirtualArena, GrowLastAcceptsTheNewestBlockAfterAPopIntoIt) {
  VirtualArena arena;
  void* p = arena.push(64);
  ASSERT_TRUE(arena.pop_to(16));
  EXPECT_TRUE(arena.grow_last(p, 16, 100));
  EXPECT_EQ(arena.pos(), 100u);
}

TEST(VirtualArena, GrowLastAcceptsAZeroBytePush) {
  VirtualArena arena;
  ASSERT_NE(arena.push(24), nullptr);
  void* p = arena.push(0);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(arena.grow_last(p, 0, 64));
  EXPECT_EQ(arena.pos(), 32u + 64u);
}

TEST(VirtualArena, GrowLastRefusesAWrongOldSize) {
  VirtualArena arena;
  void* p = arena.push(64);
  EXPECT_FALSE(arena.grow_last(p, 63, 128));
  EXPECT_EQ(arena.last_error(), Error::bad_pointer);
  EXPECT_FALSE(arena.grow_last(p, 65, 128));
  EXPECT_EQ(arena.pos(), 64u);
}

TEST(VirtualArena, GrowLastRefusesAPointerOutsideTheArena) {
  VirtualArena arena;
  ASSERT_NE(arena.push(64), nullptr);
  int outside = 0;
  EXPECT_FALSE(arena.grow_last(&outside, sizeof outside, 128));
  EXPECT_EQ(arena.last_error(), Error::bad_pointer);
  EXPECT_FALSE(arena.grow_last(nullptr, 0, 128));
  EXPECT_EQ(arena.pos(), 64u);
}

TEST(VirtualArena, GrowLastBeyondTheReservationIsExhaustedAndChangesNothing) {
  VirtualArena arena(small_options(4 * page(), page()));
  void* p = arena.push(100, 1);
  const auto before = fields(arena.stats());
  EXPECT_FALSE(arena.grow_last(p, 100, 4 * page() + 1));
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_FALSE(arena.grow_last(p, 100, SIZE_MAX));
  EXPECT_EQ(arena.pos(), 100u);
  EXPECT_EQ(fields(arena.stats()), before);
  EXPECT_TRUE(arena.grow_last(p, 100, 4 * page()));
}


}  // namespace
}  // namespace vmb
