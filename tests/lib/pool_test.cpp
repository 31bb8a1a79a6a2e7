// Pool: slot sizing and alignment, LIFO reuse through the free list, committing only what the
// untouched tail needs, counters, reset, exhaustion and invalid options. Most tests run on a pool
// that counts and has no checks (CountingPool), so that the counts are tested in every build; the
// checks are pool_checks_test.cpp's.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmb {
namespace {

std::size_t page() { return os::page_size(); }

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

auto fields(const PoolStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.allocations, s.frees, s.live_slots, s.peak_live_slots);
}

// Counts allocations and frees in every build; no checks.
using CountingPool = BasicPool<PoolPolicy{.checks = false, .counts = true}>;

PoolOptions options(std::size_t slot_bytes, std::size_t slot_align = 16) {
  PoolOptions o;
  o.slot_bytes = slot_bytes;
  o.slot_align = slot_align;
  o.reserve_bytes = 16 * MiB;
  o.commit_step_bytes = page();
  return o;
}

// --- construction and slot geometry ---------------------------------------------------------------

TEST(Pool, DefaultPoolReservesWithoutCommitting) {
  Pool pool;  // the build's default policy
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool.last_error(), Error::none);
  EXPECT_EQ(pool.slot_bytes(), 64u);
  EXPECT_GE(pool.stats().reserved_bytes, PoolOptions{}.reserve_bytes);
  EXPECT_EQ(pool.stats().committed_bytes, 0u);
  EXPECT_EQ(pool.stats().live_slots, 0u);
}

struct SlotCase {
  std::size_t bytes;
  std::size_t align;
  std::size_t expected_slot_bytes;
};

void PrintTo(const SlotCase& c, std::ostream* os) {
  *os << c.bytes << " bytes aligned to " << c.align;
}

std::string slot_case_name(const ::testing::TestParamInfo<SlotCase>& info) {
  return std::to_string(info.param.bytes) + "_bytes_align_" + std::to_string(info.param.align);
}

class PoolSlotRounding : public ::testing::TestWithParam<SlotCase> {};

TEST_P(PoolSlotRounding, SlotIsTheSmallestMultipleOfTheAlignmentThatHoldsTheRequestAndALink) {
  const SlotCase c = GetParam();
  CountingPool pool(options(c.bytes, c.align));
  ASSERT_TRUE(pool.ok());
  const std::size_t slot = pool.slot_bytes();
  EXPECT_GE(slot, c.bytes);
  EXPECT_GE(slot, sizeof(void*));
  EXPECT_EQ(slot % c.align, 0u);
  EXPECT_EQ(slot, c.expected_slot_bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, PoolSlotRounding,
    ::testing::Values(SlotCase{1, 1, sizeof(void*)}, SlotCase{sizeof(void*), 1, sizeof(void*)},
                      SlotCase{9, 8, 16}, SlotCase{24, 8, 24}, SlotCase{24, 16, 32},
                      SlotCase{48, 16, 48}, SlotCase{100, 64, 128}, SlotCase{64, 4096, 4096},
                      SlotCase{4097, 8, 4104}, SlotCase{1, 2, sizeof(void*)}),
    slot_case_name);

TEST(Pool, SlotsAreAlignedToTheSlotAlignment) {
  for (std::size_t align = 1; align <= 4096; align *= 2) {
    CountingPool pool(options(24, align));
    ASSERT_TRUE(pool.ok()) << align;
    for (int i = 0; i < 20; ++i) {
      void* p = pool.allocate();
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(addr(p) % align, 0u) << "align " << align;
      EXPECT_EQ(addr(p) % alignof(void*), 0u);
    }
  }
}

TEST(Pool, FreshSlotsAreHandedOutInAddressOrder) {
  CountingPool pool(options(48));
  auto* first = static_cast<std::byte*>(pool.allocate());
  for (std::size_t i = 1; i < 200; ++i) {
    EXPECT_EQ(pool.allocate(), first + i * pool.slot_bytes()) << i;
  }
}

TEST(Pool, EverySlotHoldsSlotBytesOfData) {
  CountingPool pool(options(100, 16));
  std::vector<unsigned char*> slots;
  for (int i = 0; i < 100; ++i) {
    slots.push_back(static_cast<unsigned char*>(pool.allocate()));
    std::memset(slots.back(), i, pool.slot_bytes());
  }
  for (int i = 0; i < 100; ++i) {
    for (std::size_t b = 0; b < pool.slot_bytes(); ++b) ASSERT_EQ(slots[i][b], i);
  }
}

// --- free list ------------------------------------------------------------------------------------

TEST(Pool, TheLastFreedSlotIsTheNextHandedOut) {
  CountingPool pool(options(32));
  void* a = pool.allocate();
  void* b = pool.allocate();
  void* c = pool.allocate();
  pool.free(b);
  EXPECT_EQ(pool.allocate(), b);
  pool.free(a);
  pool.free(c);
  EXPECT_EQ(pool.allocate(), c);
  EXPECT_EQ(pool.allocate(), a);
  EXPECT_EQ(pool.allocate(), static_cast<std::byte*>(c) + pool.slot_bytes());  // list empty: tail
}

TEST(Pool, ReusingFreedSlotsCommitsNothing) {
  CountingPool pool(options(64));
  std::vector<void*> slots;
  for (int i = 0; i < 500; ++i) slots.push_back(pool.allocate());
  const PoolStats before = pool.stats();
  for (int round = 0; round < 10; ++round) {
    for (void* s : slots) pool.free(s);
    for (void*& s : slots) s = pool.allocate();
  }
  EXPECT_EQ(pool.stats().commit_calls, before.commit_calls);
  EXPECT_EQ(pool.stats().committed_bytes, before.committed_bytes);
  EXPECT_EQ(pool.stats().peak_live_slots, 500u);
}

TEST(Pool, FreeOfNullDoesNothing) {
  CountingPool pool(options(32));
  ASSERT_NE(pool.allocate(), nullptr);
  const auto before = fields(pool.stats());
  pool.free(nullptr);
  EXPECT_EQ(fields(pool.stats()), before);
}

// --- commit accounting ----------------------------------------------------------------------------

TEST(Pool, AllocatingKSlotsCommitsOnlyTheStepsTheyCover) {
  CountingPool pool(options(48));
  const std::size_t stride = pool.slot_bytes();
  for (std::size_t k = 1; k <= 400; ++k) {
    ASSERT_NE(pool.allocate(), nullptr);
    const std::size_t steps = (k * stride + page() - 1) / page();
    ASSERT_EQ(pool.stats().committed_bytes, steps * page()) << k << " slots";
    ASSERT_EQ(pool.stats().commit_calls, steps) << k << " slots";
  }
}

TEST(Pool, A64KiBStepCommitsInWholeSteps) {
  constexpr std::size_t kStep = 64 * KiB;
  PoolOptions o = options(200);
  o.commit_step_bytes = kStep;
  CountingPool pool(o);
  const std::size_t stride = pool.slot_bytes();
  for (std::size_t k = 1; k <= 1000; ++k) {
    ASSERT_NE(pool.allocate(), nullptr);
    const std::size_t steps = (k * stride + kStep - 1) / kStep;
    ASSERT_EQ(pool.stats().committed_bytes, steps * kStep) << k << " slots";
    ASSERT_EQ(pool.stats().commit_calls, steps) << k << " slots";
  }
}

TEST(Pool, ASlotLargerThanTheStepIsCommittedInOneCall) {
  PoolOptions o = options(5 * page());
  CountingPool pool(o);
  ASSERT_NE(pool.allocate(), nullptr);
  EXPECT_EQ(pool.stats().commit_calls, 1u);
  EXPECT_EQ(pool.stats().committed_bytes, 5 * page());
}

TEST(Pool, CommitStepIsRoundedUpToThePageSize) {
  PoolOptions o = options(16);
  o.commit_step_bytes = 1;
  CountingPool pool(o);
  ASSERT_NE(pool.allocate(), nullptr);
  EXPECT_EQ(pool.stats().committed_bytes, page());
}

// --- counters -------------------------------------------------------------------------------------

TEST(Pool, CountsLiveAndPeakLiveSlots) {
  CountingPool pool(options(32));
  std::vector<void*> slots;
  for (int i = 0; i < 10; ++i) slots.push_back(pool.allocate());
  EXPECT_EQ(pool.stats().live_slots, 10u);
  EXPECT_EQ(pool.stats().peak_live_slots, 10u);
  for (int i = 0; i < 4; ++i) pool.free(slots[i]);
  EXPECT_EQ(pool.stats().live_slots, 6u);
  EXPECT_EQ(pool.stats().peak_live_slots, 10u);
  for (int i = 0; i < 6; ++i) ASSERT_NE(pool.allocate(), nullptr);
  EXPECT_EQ(pool.stats().live_slots, 12u);
  EXPECT_EQ(pool.stats().peak_live_slots, 12u);
}

TEST(Pool, CountsAllocationsAndFrees) {
  CountingPool pool(options(32));
  void* a = pool.allocate();
  void* b = pool.allocate();
  pool.free(a);
  a = pool.allocate();
  pool.free(a);
  pool.free(b);
  EXPECT_EQ(pool.stats().allocations, 3u);
  EXPECT_EQ(pool.stats().frees, 3u);
  EXPECT_EQ(pool.stats().live_slots, 0u);
}

// --- owns -----------------------------------------------------------------------------------------

TEST(Pool, OwnsTheStartOfEverySlotItHandedOut) {
  CountingPool pool(options(32));
  auto* a = static_cast<std::byte*>(pool.allocate());
  auto* b = static_cast<std::byte*>(pool.allocate());
  EXPECT_TRUE(pool.owns(a));
  EXPECT_TRUE(pool.owns(b));
  pool.free(a);
  EXPECT_TRUE(pool.owns(a));  // handed out at some point
  EXPECT_FALSE(pool.owns(a + 1));
  EXPECT_FALSE(pool.owns(b + pool.slot_bytes()));  // never handed out
  int outside = 0;
  EXPECT_FALSE(pool.owns(&outside));
  EXPECT_FALSE(pool.owns(nullptr));
}

// --- reset ----------------------------------------------------------------------------------------

TEST(Pool, ResetForgetsEverySlot) {
  CountingPool pool(options(32));
  void* first = pool.allocate();
  for (int i = 0; i < 100; ++i) ASSERT_NE(pool.allocate(), nullptr);
  pool.free(first);
  pool.reset();
  EXPECT_EQ(pool.stats().live_slots, 0u);
  EXPECT_EQ(pool.stats().peak_live_slots, 101u);
  EXPECT_FALSE(pool.owns(first));
  EXPECT_EQ(pool.allocate(), first);  // the untouched tail starts over at the base
  EXPECT_EQ(pool.stats().allocations, 102u);
}

TEST(Pool, ResetDecommitsAboveRetainBytes) {
  PoolOptions o = options(64);
  o.retain_bytes = 2 * page();
  CountingPool pool(o);
  const std::size_t slots = 10 * page() / pool.slot_bytes();
  for (std::size_t i = 0; i < slots; ++i) ASSERT_NE(pool.allocate(), nullptr);
  ASSERT_EQ(pool.stats().committed_bytes, 10 * page());
  pool.reset();
  EXPECT_EQ(pool.stats().decommit_calls, 1u);
  EXPECT_EQ(pool.stats().committed_bytes, 2 * page());
  EXPECT_EQ(pool.stats().peak_committed_bytes, 10 * page());
}

TEST(Pool, ResetKeepsRetainedPagesForReuse) {
  PoolOptions o = options(64);
  o.retain_bytes = 64 * MiB;
  CountingPool pool(o);
  for (int i = 0; i < 1000; ++i) ASSERT_NE(pool.allocate(), nullptr);
  const PoolStats before = pool.stats();
  pool.reset();
  EXPECT_EQ(pool.stats().decommit_calls, 0u);
  for (int i = 0; i < 1000; ++i) ASSERT_NE(pool.allocate(), nullptr);
  EXPECT_EQ(pool.stats().commit_calls, before.commit_calls);
  EXPECT_EQ(pool.stats().committed_bytes, before.committed_bytes);
}

// --- exhaustion -----------------------------------------------------------------------------------

TEST(Pool, IsExhaustedWhenTheReservationIsFull) {
  PoolOptions o = options(64, 64);
  o.reserve_bytes = 4 * page();
  CountingPool pool(o);
  const std::size_t capacity_slots = 4 * page() / 64;
  std::vector<void*> slots;
  for (std::size_t i = 0; i < capacity_slots; ++i) {
    slots.push_back(pool.allocate());
    ASSERT_NE(slots.back(), nullptr) << i;
  }
  const auto before = fields(pool.stats());
  EXPECT_EQ(pool.allocate(), nullptr);
  EXPECT_EQ(pool.last_error(), Error::exhausted);
  EXPECT_EQ(fields(pool.stats()), before);
  pool.free(slots[7]);
  EXPECT_EQ(pool.allocate(), slots[7]);
}

TEST(Pool, ASlotThatDoesNotFitInTheRestOfTheReservationIsNotHandedOut) {
  PoolOptions o = options(3 * page() / 2, 16);  // 1.5 pages: two fit in 4 pages, not three
  o.reserve_bytes = 4 * page();
  CountingPool pool(o);
  ASSERT_NE(pool.allocate(), nullptr);
  ASSERT_NE(pool.allocate(), nullptr);
  EXPECT_EQ(pool.allocate(), nullptr);
  EXPECT_EQ(pool.last_error(), Error::exhausted);
  EXPECT_EQ(pool.stats().committed_bytes, 3 * page());
}

// --- invalid options ------------------------------------------------------------------------------

struct BadOptionsCase {
  const char* what;
  PoolOptions options;
};

BadOptionsCase bad(const char* what, std::size_t slot_bytes, std::size_t slot_align,
                   std::size_t reserve_bytes, std::size_t step_bytes) {
  PoolOptions o;
  o.slot_bytes = slot_bytes;
  o.slot_align = slot_align;
  o.reserve_bytes = reserve_bytes;
  o.commit_step_bytes = step_bytes;
  return {what, o};
}

void PrintTo(const BadOptionsCase& c, std::ostream* os) { *os << c.what; }

std::string bad_options_name(const ::testing::TestParamInfo<BadOptionsCase>& info) {
  std::string name = info.param.what;
  for (char& ch : name) {
    if (ch == ' ') ch = '_';
  }
  return name;
}

class PoolBadOptions : public ::testing::TestWithParam<BadOptionsCase> {};

TEST_P(PoolBadOptions, AreRejectedAtConstruction) {
  CountingPool pool(GetParam().options);
  EXPECT_FALSE(pool.ok()) << GetParam().what;
  EXPECT_EQ(pool.last_error(), Error::bad_options) << GetParam().what;
  EXPECT_EQ(pool.stats().reserved_bytes, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Options, PoolBadOptions,
    ::testing::Values(bad("zero slot", 0, 16, MiB, 4096), bad("zero alignment", 64, 0, MiB, 4096),
                      bad("alignment 3", 64, 3, MiB, 4096), bad("alignment 48", 64, 48, MiB, 4096),
                      bad("alignment above a page", 64, 1 << 20, MiB, 4096),
                      bad("zero reserve", 64, 16, 0, 4096), bad("zero step", 64, 16, MiB, 0),
                      bad("slot larger than the reservation", 2 * MiB, 16, MiB, 4096),
                      bad("slot that overflows when rounded", SIZE_MAX, 16, MiB, 4096),
                      bad("reserve that overflows when rounded", 64, 16, SIZE_MAX, 4096)),
    bad_options_name);

TEST(Pool, FailedPoolReturnsNullFromAllocate) {
  PoolOptions o = options(0);
  CountingPool pool(o);
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.allocate(), nullptr);
  EXPECT_EQ(pool.allocate(), nullptr);
}

// Every failure leaves the pool unchanged: a pool whose construction failed must not count the null
// it hands out as an allocation (nor a live slot).
TEST(Pool, FailedPoolCountsNoAllocations) {
  CountingPool pool(options(0));
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.allocate(), nullptr);
  EXPECT_EQ(pool.stats().allocations, 0u);
  EXPECT_EQ(pool.stats().live_slots, 0u);
  EXPECT_EQ(pool.last_error(), Error::bad_options);
}

// --- policies -------------------------------------------------------------------------------------

TEST(PoolPolicies, PoolIsTheBuildsDefault) {
  EXPECT_EQ(Pool::policy.checks, kDebugBuild);
  EXPECT_EQ(Pool::policy.counts, kCountOps);
  EXPECT_TRUE(CheckedPool::policy.checks);
  EXPECT_TRUE(CheckedPool::policy.counts);
  EXPECT_FALSE(UncheckedPool::policy.checks);
  EXPECT_FALSE(UncheckedPool::policy.counts);
}

// Without counters nothing is counted per operation, yet live and peak-live slots are still exact:
// they are derived from the tail and the free list.
TEST(PoolPolicies, APoolThatDoesNotCountStillDerivesLiveSlots) {
  UncheckedPool pool(options(32));
  std::vector<void*> slots;
  for (int i = 0; i < 10; ++i) slots.push_back(pool.allocate());
  for (int i = 0; i < 4; ++i) pool.free(slots[i]);
  const PoolStats s = pool.stats();
  EXPECT_EQ(s.allocations, 0u);
  EXPECT_EQ(s.frees, 0u);
  EXPECT_EQ(s.live_slots, 6u);
  EXPECT_EQ(s.peak_live_slots, 10u);
}

TEST(PoolPolicies, CommitStatsAreTheFirstFiveCounters) {
  CountingPool pool(options(32));
  for (int i = 0; i < 1000; ++i) ASSERT_NE(pool.allocate(), nullptr);
  pool.reset();
  const PoolStats s = pool.stats();
  const CommitStats& c = pool.commit_stats();
  EXPECT_EQ(std::tuple(c.reserved_bytes, c.committed_bytes, c.peak_committed_bytes, c.commit_calls, c.decommit_calls),
            std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls, s.decommit_calls));
}

#if !defined(VMB_ASAN)  // under ASan the second free is reported (asan_test.cpp)
// A double free in a pool without checks links a slot to itself; stats() walks the free list, and
// must stop after as many slots as lie below the tail instead of going round forever.
TEST(PoolPolicies, StatsOfAFreeListTurnedIntoACycleTerminate) {
  UncheckedPool pool(options(32));
  void* p = pool.allocate();
  ASSERT_NE(pool.allocate(), nullptr);
  pool.free(p);
  pool.free(p);
  EXPECT_EQ(pool.stats().live_slots, 0u);  // two slots, two steps of the walk
}
#endif

TEST(Pool, ResetOfAFailedPoolDoesNothing) {
  CountingPool pool(options(0));
  pool.reset();
  EXPECT_FALSE(pool.ok());
}

}  // namespace
}  // namespace vmb
