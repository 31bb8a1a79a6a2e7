// VirtualArena: construction, alignment, failures that leave the arena unchanged, commit accounting,
// typed pushes, owns, guard page and huge-page options. Popping and grow_last: virtual_arena_pop_test.cpp.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "virtual_arena_support.hpp"
#include "vmb/arena.hpp"

namespace vmb {
namespace {

using namespace vmb::test;
// --- construction ---------------------------------------------------------------------------------

TEST(VirtualArena, DefaultOptionsReserveWithoutCommitting) {
  VirtualArena arena;
  ASSERT_TRUE(arena.ok());
  EXPECT_EQ(arena.last_error(), Error::none);
  EXPECT_EQ(arena.capacity(), ArenaOptions{}.reserve_bytes);
  EXPECT_GE(arena.stats().reserved_bytes, arena.capacity());
  EXPECT_EQ(arena.stats().committed_bytes, 0u);
  EXPECT_EQ(arena.stats().commit_calls, 0u);
  EXPECT_EQ(arena.pos(), 0u);
}

TEST(VirtualArena, ReservationIsRoundedUpToThePageSize) {
  VirtualArena arena(small_options(1, page()));
  ASSERT_TRUE(arena.ok());
  EXPECT_EQ(arena.capacity(), page());
  EXPECT_EQ(arena.stats().reserved_bytes, round_up(page(), os::allocation_granularity()));
}

TEST(VirtualArena, ZeroReserveIsBadOptions) {
  VirtualArena arena(small_options(0, page()));
  EXPECT_FALSE(arena.ok());
  EXPECT_EQ(arena.last_error(), Error::bad_options);
  EXPECT_EQ(arena.stats().reserved_bytes, 0u);
}

TEST(VirtualArena, ZeroCommitStepIsBadOptions) {
  VirtualArena arena(small_options(MiB, 0));
  EXPECT_FALSE(arena.ok());
  EXPECT_EQ(arena.last_error(), Error::bad_options);
}

TEST(VirtualArena, ReserveThatOverflowsWhenRoundedIsBadOptions) {
  VirtualArena arena(small_options(SIZE_MAX, page()));
  EXPECT_FALSE(arena.ok());
  EXPECT_EQ(arena.last_error(), Error::bad_options);
}

TEST(VirtualArena, ReserveLargerThanTheAddressSpaceIsReserveFailed) {
  // 2^60 bytes is beyond the user address space of x86-64 Linux and Windows (at most 2^57).
  VirtualArena arena(small_options(std::size_t{1} << 60, page()));
  EXPECT_FALSE(arena.ok());
  EXPECT_EQ(arena.last_error(), Error::reserve_failed);
}

TEST(VirtualArena, FailedArenaReturnsNullFromEveryPush) {
  VirtualArena arena(small_options(0, page()));
  ASSERT_FALSE(arena.ok());
  EXPECT_EQ(arena.push(1), nullptr);
  EXPECT_EQ(arena.push(page()), nullptr);
  EXPECT_EQ(arena.push_zeroed(64), nullptr);
  EXPECT_EQ(arena.push_array<int>(4), nullptr);
  EXPECT_EQ(arena.pos(), 0u);
  EXPECT_EQ(arena.capacity(), 0u);
}

// A zero-byte push on an arena whose construction failed returns null like every other push: it is a
// failure, so (like every failure) it must not count as a push.
TEST(VirtualArena, FailedArenaCountsNoPushes) {
  VirtualArena arena(small_options(0, page()));
  ASSERT_FALSE(arena.ok());
  EXPECT_EQ(arena.push(0), nullptr);
  EXPECT_EQ(arena.push(16), nullptr);
  EXPECT_EQ(arena.stats().pushes, 0u);
  EXPECT_EQ(arena.stats().pushed_bytes, 0u);
}

// Found by the fuzzer (tests/fuzz/arena_fuzz.cpp): a zero-byte push fits in zero bytes of room, so
// it once succeeded on the inline path, returning null with last_error() still none.
TEST(VirtualArena, FailedArenaFailsEvenAZeroBytePush) {
  VirtualArena arena(small_options(0, page()));
  ASSERT_FALSE(arena.ok());
  EXPECT_EQ(arena.push(0, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::bad_options);
}

// Found by the hostile-input review (issue 16): the first push overwrote the construction error with
// `exhausted`, so the reason the arena did not exist was lost.
TEST(VirtualArena, AConstructionErrorIsKeptThroughEveryLaterCall) {
  for (const ArenaOptions& o : {small_options(0, page()), small_options(std::size_t{1} << 60, page())}) {
    VirtualArena arena(o);
    ASSERT_FALSE(arena.ok());
    const Error why = arena.last_error();
    ASSERT_TRUE(why == Error::bad_options || why == Error::reserve_failed);
    EXPECT_EQ(arena.push(16), nullptr);
    EXPECT_EQ(arena.last_error(), why);
    EXPECT_EQ(arena.push(8, 3), nullptr);  // a bad alignment too: the arena's own failure comes first
    EXPECT_EQ(arena.last_error(), why);
    EXPECT_EQ(arena.push(SIZE_MAX), nullptr);
    EXPECT_EQ(arena.push_array<int>(SIZE_MAX), nullptr);
    EXPECT_EQ(arena.last_error(), why);
    EXPECT_FALSE(arena.grow_last(nullptr, 0, 16));
    EXPECT_EQ(arena.last_error(), why);
  }
}

// --- alignment ------------------------------------------------------------------------------------

TEST(VirtualArena, EveryPushIsAlignedToItsAlignment) {
  VirtualArena arena;
  ASSERT_TRUE(arena.ok());
  for (std::size_t align = 1; align <= 4096; align *= 2) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{17},
                             std::size_t{100}, std::size_t{4097}}) {
      ASSERT_NE(arena.push(1, 1), nullptr);  // leave the position odd
      void* p = arena.push(size, align);
      ASSERT_NE(p, nullptr) << "align " << align << " size " << size;
      EXPECT_EQ(addr(p) % align, 0u) << "align " << align << " size " << size;
      std::memset(p, 0xA5, size);  // and it is writable
    }
  }
}

TEST(VirtualArena, DefaultAlignmentIsMaxAlign) {
  VirtualArena arena;
  for (std::size_t size = 1; size < 100; size += 7) {
    void* p = arena.push(size);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(addr(p) % alignof(std::max_align_t), 0u);
  }
}

TEST(VirtualArena, AlignmentPaddingAdvancesPos) {
  VirtualArena arena;
  ASSERT_NE(arena.push(1, 1), nullptr);
  ASSERT_NE(arena.push(8, 64), nullptr);
  EXPECT_EQ(arena.pos(), 64u + 8u);  // the reservation starts page-aligned
}

TEST(VirtualArena, ConsecutivePushesAreAdjacent) {
  VirtualArena arena;
  auto* a = static_cast<std::byte*>(arena.push(10, 1));
  auto* b = static_cast<std::byte*>(arena.push(20, 1));
  auto* c = static_cast<std::byte*>(arena.push(16, 16));
  EXPECT_EQ(b, a + 10);
  EXPECT_EQ(c, a + 32);
}

// --- failures leave the arena unchanged -----------------------------------------------------------

TEST(VirtualArena, NonPowerOfTwoAlignmentIsRejectedAndChangesNothing) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100), nullptr);
  const auto before = fields(arena.stats());
  const std::size_t pos = arena.pos();
  for (std::size_t align : {3, 5, 6, 12, 24, 100, 4095, 4097}) {
    EXPECT_EQ(arena.push(8, align), nullptr) << "align " << align;
    EXPECT_EQ(arena.last_error(), Error::bad_alignment) << "align " << align;
  }
  EXPECT_EQ(arena.pos(), pos);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(VirtualArena, ZeroAlignmentIsRejectedAndChangesNothing) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100), nullptr);
  const auto before = fields(arena.stats());
  const std::size_t pos = arena.pos();
  EXPECT_EQ(arena.push(8, 0), nullptr);
  EXPECT_EQ(arena.last_error(), Error::bad_alignment);
  EXPECT_EQ(arena.push(0, 0), nullptr);
  EXPECT_EQ(arena.last_error(), Error::bad_alignment);
  EXPECT_EQ(arena.pos(), pos);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(VirtualArena, SizeThatWrapsTheAddressSpaceIsSizeOverflowAndChangesNothing) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100), nullptr);
  const auto before = fields(arena.stats());
  const std::size_t pos = arena.pos();
  EXPECT_EQ(arena.push(SIZE_MAX), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  EXPECT_EQ(arena.push(SIZE_MAX - page(), 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  EXPECT_EQ(arena.push(SIZE_MAX, 4096), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  EXPECT_EQ(arena.pos(), pos);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(VirtualArena, PushArrayWhoseByteCountOverflowsIsSizeOverflowAndChangesNothing) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100), nullptr);
  const auto before = fields(arena.stats());
  const std::size_t pos = arena.pos();
  EXPECT_EQ(arena.push_array<std::uint64_t>(SIZE_MAX / sizeof(std::uint64_t) + 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  EXPECT_EQ(arena.push_array<std::uint32_t>(SIZE_MAX), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  struct Big {
    char bytes[1000];
  };
  EXPECT_EQ(arena.push_array<Big>(SIZE_MAX / 999), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  EXPECT_EQ(arena.pos(), pos);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(VirtualArena, PushBeyondTheReservationIsExhaustedAndChangesNothing) {
  VirtualArena arena(small_options(16 * page(), page()));
  ASSERT_TRUE(arena.ok());
  ASSERT_NE(arena.push(10 * page()), nullptr);
  const auto before = fields(arena.stats());
  EXPECT_EQ(arena.push(6 * page() + 1, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_EQ(arena.pos(), 10 * page());
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(VirtualArena, ReservationCanBeFilledExactly) {
  VirtualArena arena(small_options(16 * page(), page()));
  void* p = arena.push(16 * page(), 1);
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, 16 * page());
  EXPECT_EQ(arena.pos(), arena.capacity());
  EXPECT_EQ(arena.push(1, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_NE(arena.push(0, 1), nullptr);  // nothing more, but nothing is still room for nothing
}

TEST(VirtualArena, AlignmentPaddingThatDoesNotFitIsExhausted) {
  VirtualArena arena(small_options(2 * page(), page()));
  ASSERT_NE(arena.push(page() + 1, 1), nullptr);
  const auto before = fields(arena.stats());
  EXPECT_EQ(arena.push(1, 2 * page()), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(VirtualArena, FailedPushLeavesEarlierBlocksIntact) {
  VirtualArena arena(small_options(4 * page(), page()));
  auto* p = static_cast<unsigned char*>(arena.push(3 * page()));
  std::memset(p, 0x3C, 3 * page());
  EXPECT_EQ(arena.push(2 * page()), nullptr);
  for (std::size_t i = 0; i < 3 * page(); ++i) ASSERT_EQ(p[i], 0x3C) << i;
}

// --- commit accounting ----------------------------------------------------------------------------

TEST(VirtualArena, NothingIsCommittedBeforeTheFirstPush) {
  VirtualArena arena(small_options(MiB, page()));
  EXPECT_EQ(arena.stats().committed_bytes, 0u);
  EXPECT_EQ(arena.stats().commit_calls, 0u);
}

TEST(VirtualArena, PushingPageByPageWithAPageStepCommitsOncePerPage) {
  VirtualArena arena(small_options(MiB, page()));
  for (std::size_t i = 1; i <= 32; ++i) {
    ASSERT_NE(arena.push(page(), 1), nullptr);
    EXPECT_EQ(arena.stats().commit_calls, i);
    EXPECT_EQ(arena.stats().committed_bytes, i * page());
  }
}

TEST(VirtualArena, PushingPageByPageWithA64KiBStepCommitsOncePerStep) {
  constexpr std::size_t kStep = 64 * KiB;
  VirtualArena arena(small_options(4 * MiB, kStep));
  for (std::size_t pages = 1; pages <= 100; ++pages) {
    ASSERT_NE(arena.push(page(), 1), nullptr);
    const std::size_t steps = (pages * page() + kStep - 1) / kStep;
    EXPECT_EQ(arena.stats().commit_calls, steps) << pages << " pages";
    EXPECT_EQ(arena.stats().committed_bytes, steps * kStep) << pages << " pages";
  }
}

TEST(VirtualArena, OnePushSpanningManyStepsIsOneCommitCall) {
  VirtualArena arena(small_options(MiB, page()));
  ASSERT_NE(arena.push(37 * page() + 1, 1), nullptr);
  EXPECT_EQ(arena.stats().commit_calls, 1u);
  EXPECT_EQ(arena.stats().committed_bytes, 38 * page());
}

TEST(VirtualArena, PushesWithinCommittedMemoryMakeNoCommitCall) {
  VirtualArena arena(small_options(MiB, 64 * KiB));
  ASSERT_NE(arena.push(1), nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_NE(arena.push(32), nullptr);
  EXPECT_EQ(arena.stats().commit_calls, 1u);
  EXPECT_EQ(arena.stats().committed_bytes, 64 * KiB);
}

TEST(VirtualArena, CommitStepIsRoundedUpToThePageSize) {
  VirtualArena tiny_step(small_options(MiB, 1));
  ASSERT_NE(tiny_step.push(1, 1), nullptr);
  EXPECT_EQ(tiny_step.stats().committed_bytes, page());

  VirtualArena odd_step(small_options(MiB, page() + 1));
  ASSERT_NE(odd_step.push(1, 1), nullptr);
  EXPECT_EQ(odd_step.stats().committed_bytes, 2 * page());
}

TEST(VirtualArena, LastCommitIsClippedToTheReservation) {
  VirtualArena arena(small_options(5 * page(), 4 * page()));
  ASSERT_NE(arena.push(5 * page(), 1), nullptr);
  EXPECT_EQ(arena.stats().committed_bytes, 5 * page());
  EXPECT_EQ(arena.stats().commit_calls, 1u);
}

TEST(VirtualArena, PeakCommittedBytesIsTheHighWaterMark) {
  ArenaOptions o = small_options(MiB, page());
  o.retain_bytes = 0;
  VirtualArena arena(o);
  ASSERT_NE(arena.push(10 * page()), nullptr);
  EXPECT_EQ(arena.stats().peak_committed_bytes, 10 * page());
  arena.clear();
  EXPECT_EQ(arena.stats().committed_bytes, 0u);
  EXPECT_EQ(arena.stats().peak_committed_bytes, 10 * page());
  ASSERT_NE(arena.push(2 * page()), nullptr);
  EXPECT_EQ(arena.stats().committed_bytes, 2 * page());
  EXPECT_EQ(arena.stats().peak_committed_bytes, 10 * page());
  ASSERT_NE(arena.push(12 * page()), nullptr);
  EXPECT_EQ(arena.stats().peak_committed_bytes, 14 * page());
}

TEST(VirtualArena, PushesAreCountedExactlyWhenVmbCountPushesIsOn) {
  VirtualArena arena;
  ASSERT_NE(arena.push(10), nullptr);
  ASSERT_NE(arena.push(0), nullptr);
  ASSERT_NE(arena.push_zeroed(30), nullptr);
  ASSERT_NE(arena.push_array<std::uint32_t>(5), nullptr);
  EXPECT_EQ(arena.push(8, 3), nullptr);  // failures are not pushes
  EXPECT_EQ(arena.stats().pushes, kCountsPushes ? 4u : 0u);
}

TEST(VirtualArena, PushedBytesIsHowFarThePositionMovedPaddingIncluded) {
  VirtualArena arena;
  ASSERT_NE(arena.push(1, 1), nullptr);
  ASSERT_NE(arena.push(8, 64), nullptr);
  EXPECT_EQ(arena.stats().pushed_bytes, 72u);
  ASSERT_TRUE(arena.pop_to(1));  // popping hands nothing out and takes nothing back
  EXPECT_EQ(arena.stats().pushed_bytes, 72u);
  ASSERT_NE(arena.push(9, 1), nullptr);
  EXPECT_EQ(arena.stats().pushed_bytes, 81u);
  arena.clear();
  ASSERT_NE(arena.push(100, 1), nullptr);
  EXPECT_EQ(arena.stats().pushed_bytes, 181u);
}

TEST(VirtualArena, GrowLastAddsItsGrowthToPushedBytesAndAShrinkTakesNothingBack) {
  VirtualArena arena;
  void* p = arena.push(100, 1);
  ASSERT_TRUE(arena.grow_last(p, 100, 150));
  EXPECT_EQ(arena.stats().pushed_bytes, 150u);
  ASSERT_TRUE(arena.grow_last(p, 150, 20));
  EXPECT_EQ(arena.stats().pushed_bytes, 150u);
  ASSERT_NE(arena.push(5, 1), nullptr);
  EXPECT_EQ(arena.stats().pushed_bytes, 155u);
}

// --- push_zeroed, push_array, create --------------------------------------------------------------

TEST(VirtualArena, PushZeroedZeroesReusedMemory) {
  VirtualArena arena;
  auto* dirty = static_cast<unsigned char*>(arena.push(256));
  std::memset(dirty, 0xAB, 256);
  ASSERT_TRUE(arena.pop_to(0));
  auto* clean = static_cast<unsigned char*>(arena.push_zeroed(256));
  ASSERT_EQ(clean, dirty);
  for (int i = 0; i < 256; ++i) ASSERT_EQ(clean[i], 0) << i;
}

TEST(VirtualArena, PushArrayIsAlignedForItsElementType) {
  VirtualArena arena;
  ASSERT_NE(arena.push(1, 1), nullptr);
  auto* d = arena.push_array<double>(10);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(addr(d) % alignof(double), 0u);
  EXPECT_EQ(arena.pos(), alignof(double) + 10 * sizeof(double));
}

TEST(VirtualArena, CreateConstructsTheObjectInPlace) {
  struct Point {
    Point(int px, double py) : x(px), y(py) {}
    int x;
    double y;
  };
  VirtualArena arena;
  Point* p = arena.create<Point>(3, 4.5);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->x, 3);
  EXPECT_EQ(p->y, 4.5);
  EXPECT_TRUE(arena.owns(p));
}

TEST(VirtualArena, CreateHonoursOverAlignedTypes) {
  struct alignas(256) Wide {
    int v = 7;
  };
  VirtualArena arena;
  ASSERT_NE(arena.push(1, 1), nullptr);
  Wide* w = arena.create<Wide>();
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(addr(w) % 256, 0u);
  EXPECT_EQ(w->v, 7);
}

TEST(VirtualArena, CreateReturnsNullWhenExhausted) {
  struct Big {
    char bytes[2 * 4096];
  };
  VirtualArena arena(small_options(page(), page()));
  EXPECT_EQ(arena.create<Big>(), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
}

// --- owns -----------------------------------------------------------------------------------------

TEST(VirtualArena, OwnsExactlyThePushedBytes) {
  VirtualArena arena;
  auto* p = static_cast<std::byte*>(arena.push(16, 1));
  EXPECT_TRUE(arena.owns(p));
  EXPECT_TRUE(arena.owns(p + 15));
  EXPECT_FALSE(arena.owns(p + 16));
  int outside = 0;
  EXPECT_FALSE(arena.owns(&outside));
  ASSERT_TRUE(arena.pop_to(0));
  EXPECT_FALSE(arena.owns(p));
}

// --- guard page, huge pages -----------------------------------------------------------------------

TEST(VirtualArena, GuardPageIsReservedButNotUsable) {
  ArenaOptions o = small_options(16 * page(), page());
  o.guard_page = true;
  VirtualArena arena(o);
  ASSERT_TRUE(arena.ok());
  EXPECT_EQ(arena.capacity(), 16 * page());
  EXPECT_EQ(arena.stats().reserved_bytes, round_up(17 * page(), os::allocation_granularity()));
  ASSERT_NE(arena.push(16 * page(), 1), nullptr);
  EXPECT_EQ(arena.stats().committed_bytes, 16 * page());
  EXPECT_EQ(arena.push(1, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
}

TEST(VirtualArena, WithoutAGuardPageTheReservationIsTheCapacity) {
  VirtualArena arena(small_options(16 * page(), page()));
  EXPECT_EQ(arena.stats().reserved_bytes, round_up(16 * page(), os::allocation_granularity()));
}

TEST(VirtualArena, HugePagesOptionKeepsTheArenaWorking) {
  constexpr std::size_t kHugeStep = 2 * MiB;
  ArenaOptions o = small_options(64 * MiB, kHugeStep);
  o.huge_pages = true;
  VirtualArena arena(o);
  ASSERT_TRUE(arena.ok());
  auto* p = static_cast<unsigned char*>(arena.push(5 * MiB, 1));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x5A, 5 * MiB);
  EXPECT_EQ(p[5 * MiB - 1], 0x5A);
  EXPECT_EQ(arena.stats().commit_calls, 1u);
  EXPECT_EQ(arena.stats().committed_bytes, 6 * MiB);
}

}  // namespace
}  // namespace vmb
