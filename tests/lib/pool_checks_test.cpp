// Pool checks (PoolPolicy::checks; CheckedPool): double frees and foreign pointers abort with a
// message, freed slots are filled with kFreedSlotFill after their link word. Without checks
// (UncheckedPool) nothing is checked or filled, and the counters are the same either way.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <random>
#include <tuple>
#include <vector>

#include "vmb/config.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmb {
namespace {

PoolOptions options() {
  PoolOptions o;
  o.slot_bytes = 64;
  o.slot_align = 16;
  o.reserve_bytes = 16 * MiB;
  o.commit_step_bytes = os::page_size();
  o.retain_bytes = 0;
  return o;
}

auto fields(const PoolStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.allocations, s.frees, s.live_slots, s.peak_live_slots);
}

// A freed slot belongs to the pool (and is poisoned under ASan): look at it only through this copy.
std::vector<unsigned char> freed_slot_bytes(const void* slot, std::size_t bytes) {
  std::vector<unsigned char> copy(bytes);
  VMB_UNPOISON(const_cast<void*>(slot), bytes);
  std::memcpy(copy.data(), slot, bytes);
  VMB_POISON(const_cast<void*>(slot), bytes);
  return copy;
}

// A mixed workload: allocate and free in a fixed pseudo-random order, leaving some slots live.
template <class AnyPool>
void run_workload(AnyPool& pool, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<void*> live;
  for (int step = 0; step < 20000; ++step) {
    if (live.empty() || rng() % 3 != 0) {
      void* p = pool.allocate();
      ASSERT_NE(p, nullptr);
      std::memset(p, static_cast<int>(step & 0xFF), pool.slot_bytes());
      live.push_back(p);
    } else {
      const std::size_t i = rng() % live.size();
      pool.free(live[i]);
      live[i] = live.back();
      live.pop_back();
    }
  }
  for (std::size_t i = 0; i < live.size(); i += 2) pool.free(live[i]);
}

TEST(PoolChecksDeathTest, DoubleFreeAborts) {
  EXPECT_DEATH(
      {
        CheckedPool pool(options());
        void* p = pool.allocate();
        pool.free(p);
        pool.free(p);
      },
      "double free");
}

TEST(PoolChecksDeathTest, DoubleFreeOfAnOlderSlotAborts) {
  EXPECT_DEATH(
      {
        CheckedPool pool(options());
        void* a = pool.allocate();
        void* b = pool.allocate();
        pool.free(a);
        pool.free(b);
        pool.free(a);
      },
      "double free");
}

TEST(PoolChecksDeathTest, FreeOfAPointerFromElsewhereAborts) {
  EXPECT_DEATH(
      {
        CheckedPool pool(options());
        (void)pool.allocate();
        alignas(64) static unsigned char not_from_the_pool[64];
        pool.free(not_from_the_pool);
      },
      "did not hand out");
}

TEST(PoolChecksDeathTest, FreeOfAPointerInsideASlotAborts) {
  EXPECT_DEATH(
      {
        CheckedPool pool(options());
        auto* p = static_cast<std::byte*>(pool.allocate());
        pool.free(p + 8);
      },
      "did not hand out");
}

TEST(PoolChecksDeathTest, FreeOfASlotNeverHandedOutAborts) {
  EXPECT_DEATH(
      {
        CheckedPool pool(options());
        auto* p = static_cast<std::byte*>(pool.allocate());
        pool.free(p + pool.slot_bytes());  // committed, but still in the untouched tail
      },
      "did not hand out");
}

TEST(PoolChecksDeathTest, FreeOfAnotherPoolsSlotAborts) {
  EXPECT_DEATH(
      {
        CheckedPool mine(options());
        CheckedPool theirs(options());
        (void)mine.allocate();
        mine.free(theirs.allocate());
      },
      "did not hand out");
}

TEST(PoolChecksDeathTest, FreeOfASlotFromBeforeResetAborts) {
  EXPECT_DEATH(
      {
        CheckedPool pool(options());
        (void)pool.allocate();
        void* old = pool.allocate();
        pool.reset();
        (void)pool.allocate();
        pool.free(old);
      },
      "did not hand out");
}

TEST(PoolChecks, ASlotHandedOutAgainAfterResetCanBeFreed) {
  CheckedPool pool(options());
  void* p = pool.allocate();
  pool.free(p);
  pool.reset();
  void* again = pool.allocate();
  ASSERT_EQ(again, p);
  pool.free(again);
  EXPECT_EQ(pool.stats().live_slots, 0u);
}

TEST(PoolChecks, FreedSlotIsFilledAfterItsLinkWord) {
  CheckedPool pool(options());
  auto* p = static_cast<unsigned char*>(pool.allocate());
  std::memset(p, 0x11, pool.slot_bytes());
  pool.free(p);
  const auto bytes = freed_slot_bytes(p, pool.slot_bytes());
  for (std::size_t i = sizeof(void*); i < bytes.size(); ++i) {
    ASSERT_EQ(bytes[i], kFreedSlotFill) << "byte " << i;
  }
}

TEST(PoolChecks, ReallocatedSlotIsUsableWholeAfterBeingFilled) {
  CheckedPool pool(options());
  auto* p = static_cast<unsigned char*>(pool.allocate());
  pool.free(p);
  auto* q = static_cast<unsigned char*>(pool.allocate());
  ASSERT_EQ(q, p);
  std::memset(q, 0x22, pool.slot_bytes());
  for (std::size_t i = 0; i < pool.slot_bytes(); ++i) ASSERT_EQ(q[i], 0x22);
}

TEST(PoolChecks, AreOnByDefaultExactlyInDebugBuilds) {
  EXPECT_EQ(Pool::policy.checks, kDebugBuild);
}

TEST(PoolWithoutChecks, FreedSlotKeepsItsBytesAfterTheLinkWord) {
  UncheckedPool pool(options());
  auto* p = static_cast<unsigned char*>(pool.allocate());
  std::memset(p, 0x11, pool.slot_bytes());
  pool.free(p);
  const auto bytes = freed_slot_bytes(p, pool.slot_bytes());
  for (std::size_t i = sizeof(void*); i < bytes.size(); ++i) ASSERT_EQ(bytes[i], 0x11) << i;
}

TEST(PoolWithoutChecks, ANormalWorkloadRunsToTheEnd) {
  UncheckedPool pool(options());
  run_workload(pool, 7);
  EXPECT_GT(pool.stats().live_slots, 0u);
}

TEST(PoolChecks, ANormalWorkloadRunsToTheEnd) {
  CheckedPool pool(options());
  run_workload(pool, 7);
  EXPECT_GT(pool.stats().live_slots, 0u);
}

TEST(PoolChecks, DoNotChangeTheCounters) {
  CheckedPool checked(options());
  // Counts too, so that every counter is compared.
  BasicPool<PoolPolicy{.checks = false, .counts = true}> unchecked(options());
  run_workload(checked, 11);
  run_workload(unchecked, 11);
  EXPECT_EQ(fields(checked.stats()), fields(unchecked.stats()));
  checked.reset();
  unchecked.reset();
  EXPECT_EQ(fields(checked.stats()), fields(unchecked.stats()));
}

}  // namespace
}  // namespace vmb
