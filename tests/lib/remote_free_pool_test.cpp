// RemoteFreePool and RemoteFreeSizeClassPool, deterministically: when slots freed by free_remote()
// come back (only once the owner's free list and committed tail are empty, before more is committed,
// the last freed first), what the counters say, the checks, and slots freed by another thread coming
// back exactly once. The many-thread stress tests are in thread_stress_test.cpp.
#include <gtest/gtest.h>

#include <cstddef>
#include <set>
#include <thread>
#include <vector>

#include "vmb/os.hpp"
#include "vmb/pool.hpp"
#include "vmb/remote_free_pool.hpp"
#include "vmb/remote_free_size_class_pool.hpp"

namespace vmb {
namespace {

constexpr std::size_t kSlotBytes = 64;

std::size_t page() { return os::page_size(); }
std::size_t slots_per_page() { return page() / kSlotBytes; }

PoolOptions options(std::size_t reserve_pages = 64) {
  PoolOptions o;
  o.slot_bytes = kSlotBytes;
  o.reserve_bytes = reserve_pages * page();
  o.commit_step_bytes = page();
  o.retain_bytes = 0;
  return o;
}

// Allocate every slot of the committed tail (the pool commits one page at its first allocate).
std::vector<void*> fill_first_page(UncheckedRemoteFreePool& pool) {
  std::vector<void*> slots;
  for (std::size_t i = 0; i < slots_per_page(); ++i) slots.push_back(pool.allocate());
  return slots;
}

TEST(RemoteFreePool, TheOwnerAllocatesAndFreesAsAPoolDoes) {
  UncheckedRemoteFreePool pool(options());
  ASSERT_TRUE(pool.ok());
  void* a = pool.allocate();
  void* b = pool.allocate();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(static_cast<std::byte*>(b) - static_cast<std::byte*>(a), static_cast<std::ptrdiff_t>(kSlotBytes));
  pool.free(a);
  EXPECT_EQ(pool.allocate(), a);  // the local free list, LIFO
  EXPECT_EQ(pool.remote_stats().takeovers, 0u);
  EXPECT_EQ(pool.stats().live_slots, 2u);
}

TEST(RemoteFreePool, ARemoteFreeWaitsWhileTheCommittedTailHasRoom) {
  UncheckedRemoteFreePool pool(options());
  void* a = pool.allocate();
  pool.free_remote(a);
  void* b = pool.allocate();
  EXPECT_NE(b, a);
  EXPECT_EQ(static_cast<std::byte*>(b) - static_cast<std::byte*>(a), static_cast<std::ptrdiff_t>(kSlotBytes));
  EXPECT_EQ(pool.remote_stats().pending_slots, 1u);
  EXPECT_EQ(pool.remote_stats().takeovers, 0u);
  EXPECT_EQ(pool.stats().live_slots, 1u);  // the pending slot is not live
}

TEST(RemoteFreePool, TheOwnerTakesTheRemoteListOverBeforeCommittingMore) {
  UncheckedRemoteFreePool pool(options());
  const std::vector<void*> slots = fill_first_page(pool);
  const auto commits = pool.commit_stats().commit_calls;
  pool.free_remote(slots[3]);
  pool.free_remote(slots[7]);
  pool.free_remote(slots[5]);
  EXPECT_EQ(pool.allocate(), slots[5]);  // the last freed first
  EXPECT_EQ(pool.remote_stats().takeovers, 1u);
  EXPECT_EQ(pool.remote_stats().pending_slots, 0u);
  EXPECT_EQ(pool.allocate(), slots[7]);
  EXPECT_EQ(pool.allocate(), slots[3]);
  EXPECT_EQ(pool.commit_stats().commit_calls, commits);
  // Nothing left anywhere: now it commits.
  void* next = pool.allocate();
  EXPECT_EQ(static_cast<std::byte*>(next), static_cast<std::byte*>(slots[0]) + slots_per_page() * kSlotBytes);
  EXPECT_EQ(pool.commit_stats().commit_calls, commits + 1);
  EXPECT_EQ(pool.remote_stats().takeovers, 1u);
}

TEST(RemoteFreePool, AnExhaustedPoolServesSlotsFreedRemotely) {
  UncheckedRemoteFreePool pool(options(1));
  const std::vector<void*> slots = fill_first_page(pool);
  EXPECT_EQ(pool.allocate(), nullptr);
  EXPECT_EQ(pool.last_error(), Error::exhausted);
  pool.free_remote(slots[10]);
  EXPECT_EQ(pool.allocate(), slots[10]);
  EXPECT_EQ(pool.allocate(), nullptr);
}

TEST(RemoteFreePool, ACountingPoolCountsTheSlotsTakenOverAsFrees) {
  CheckedRemoteFreePool pool(options());
  std::vector<void*> slots;
  for (std::size_t i = 0; i < slots_per_page(); ++i) slots.push_back(pool.allocate());
  for (std::size_t i = 0; i < 5; ++i) pool.free_remote(slots[i]);
  pool.free(slots[5]);
  EXPECT_EQ(pool.stats().frees, 1u);  // remote frees are counted when taken over
  EXPECT_EQ(pool.allocate(), slots[5]);
  EXPECT_EQ(pool.allocate(), slots[4]);  // the take-over
  const RemoteFreeStats r = pool.remote_stats();
  EXPECT_EQ(r.takeovers, 1u);
  EXPECT_EQ(r.taken_slots, 5u);
  const PoolStats s = pool.stats();
  EXPECT_EQ(s.frees, 6u);
  EXPECT_EQ(s.allocations, slots_per_page() + 2);
  EXPECT_EQ(s.live_slots, slots_per_page() - 4);
}

TEST(RemoteFreePool, ResetForgetsPendingRemoteFrees) {
  UncheckedRemoteFreePool pool(options());
  void* first = pool.allocate();
  pool.free_remote(first);
  pool.free_remote(pool.allocate());
  pool.reset();
  EXPECT_EQ(pool.remote_stats().pending_slots, 0u);
  EXPECT_EQ(pool.stats().live_slots, 0u);
  EXPECT_EQ(pool.allocate(), first);  // the tail again, not the remote list
}

TEST(RemoteFreePool, ContainsAnySlotBoundaryOfTheReservationOnly) {
  UncheckedRemoteFreePool pool(options(1));
  auto* a = static_cast<std::byte*>(pool.allocate());
  EXPECT_TRUE(pool.contains(a));
  EXPECT_TRUE(pool.contains(a + kSlotBytes));  // not handed out yet, but a slot of this pool
  EXPECT_FALSE(pool.contains(a + 1));
  EXPECT_FALSE(pool.contains(a + page()));     // past the reservation
  alignas(16) std::byte local[kSlotBytes] = {};
  EXPECT_FALSE(pool.contains(local));
  EXPECT_TRUE(pool.owns(a));
  EXPECT_FALSE(pool.owns(a + kSlotBytes));
}

TEST(RemoteFreePool, FreeRemoteOfNullDoesNothing) {
  CheckedRemoteFreePool pool(options());
  pool.free_remote(nullptr);
  EXPECT_EQ(pool.remote_stats().pending_slots, 0u);
}

TEST(RemoteFreePool, AFailedConstructionFailsEveryCall) {
  PoolOptions o = options();
  o.slot_bytes = 0;
  CheckedRemoteFreePool pool(o);
  EXPECT_FALSE(pool.ok());
  EXPECT_EQ(pool.last_error(), Error::bad_options);
  EXPECT_EQ(pool.allocate(), nullptr);
  EXPECT_EQ(pool.last_error(), Error::bad_options);
  EXPECT_EQ(pool.slot_bytes(), 0u);
  int local = 0;
  EXPECT_FALSE(pool.contains(&local));
  EXPECT_EQ(pool.stats().live_slots, 0u);
}

TEST(RemoteFreePool, SlotsFreedByAnotherThreadComeBackExactlyOnce) {
  constexpr std::size_t kSlots = 1000;
  CheckedRemoteFreePool pool(options(256));
  std::vector<void*> slots;
  for (std::size_t i = 0; i < kSlots; ++i) slots.push_back(pool.allocate());
  const std::size_t tail_room = (kSlots * kSlotBytes + page() - 1) / page() * page() / kSlotBytes - kSlots;
  // The thread's start orders the allocations before its frees; its join orders the frees before
  // the owner's next look (the remote list's own orderings are the stress tests' concern).
  std::thread freer([&] {
    for (void* p : slots) pool.free_remote(p);
  });
  freer.join();
  EXPECT_EQ(pool.remote_stats().pending_slots, kSlots);
  EXPECT_EQ(pool.stats().live_slots, 0u);
  std::set<void*> again;
  for (std::size_t i = 0; i < tail_room + kSlots; ++i) {
    void* p = pool.allocate();
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(again.insert(p).second) << "slot handed out twice";
  }
  std::size_t old = 0;
  for (void* p : slots) old += again.count(p);
  EXPECT_EQ(old, kSlots);
  EXPECT_EQ(pool.remote_stats().takeovers, 1u);
  EXPECT_EQ(pool.remote_stats().taken_slots, kSlots);
  EXPECT_EQ(pool.stats().live_slots, tail_room + kSlots);
  EXPECT_EQ(pool.stats().frees, kSlots);
}

TEST(RemoteFreePool, RemoteFreePoolIsTheBuildsDefaultPolicy) {
  EXPECT_EQ(RemoteFreePool::policy.checks, Pool::policy.checks);
  EXPECT_EQ(RemoteFreePool::policy.counts, Pool::policy.counts);
}

TEST(RemoteFreePool, TheRemoteSideHasACacheLinePairOfItsOwn) {
  EXPECT_EQ(alignof(UncheckedRemoteFreePool), detail::kRemoteLineBytes);
  EXPECT_EQ(sizeof(UncheckedRemoteFreePool) % detail::kRemoteLineBytes, 0u);
}

TEST(RemoteFreePoolDeathTest, ACheckedRemoteFreeOfAForeignPointerAborts) {
  EXPECT_DEATH(
      {
        CheckedRemoteFreePool pool(options());
        alignas(16) std::byte local[kSlotBytes] = {};
        pool.free_remote(local);
      },
      "remote free of a pointer this pool did not hand out");
}

TEST(RemoteFreePoolDeathTest, ADoubleRemoteFreeAbortsAtTheTakeOver) {
  EXPECT_DEATH(
      {
        CheckedRemoteFreePool pool(options(1));
        void* p = pool.allocate();
        while (pool.allocate() != nullptr) {
        }
        pool.free_remote(p);
        pool.free_remote(p);
        (void)pool.allocate();
      },
      "double free");
}

// --- the size-class pool ---------------------------------------------------------------------------

using Classes = UncheckedRemoteFreeSizeClassPool;
using CheckedClasses = BasicRemoteFreeSizeClassPool<PoolPolicy{.checks = true, .counts = true}>;

SizeClassPoolOptions class_options() {
  SizeClassPoolOptions o;
  o.reserve_bytes = 64 * page();
  o.commit_step_bytes = page();
  o.retain_bytes = 0;
  return o;
}

TEST(RemoteFreeSizeClassPool, ARemoteFreeGoesToItsClassList) {
  Classes pools(class_options());
  ASSERT_TRUE(pools.ok());
  void* p = pools.allocate(40);
  pools.free_remote(p, 40);
  const unsigned c = Classes::class_of(40);
  EXPECT_EQ(pools.remote_stats(c).pending_slots, 1u);
  EXPECT_EQ(pools.remote_stats(Classes::class_of(16)).pending_slots, 0u);
  EXPECT_TRUE(pools.contains(p, c));
  EXPECT_FALSE(pools.contains(p, Classes::class_of(16)));
  EXPECT_EQ(pools.stats(c).live_slots, 0u);
}

TEST(RemoteFreeSizeClassPool, HoldsIsTheRangeHandedOutByThisPool) {
  Classes mine(class_options());
  Classes other(class_options());
  ASSERT_TRUE(mine.ok() && other.ok());
  const unsigned c = Classes::class_of(40);
  auto* p = static_cast<std::byte*>(mine.allocate(40));
  void* q = other.allocate(40);
  EXPECT_TRUE(mine.holds(p, c));
  EXPECT_FALSE(mine.holds(p + Classes::class_bytes(c), c));  // not handed out yet
  EXPECT_FALSE(mine.holds(q, c));                            // another pool's block
  EXPECT_FALSE(mine.holds(p, Classes::class_of(16)));        // another class's range
  EXPECT_TRUE(other.holds(q, c));
  mine.reset();
  EXPECT_FALSE(mine.holds(p, c));  // forgotten by the reset
}

TEST(RemoteFreeSizeClassPool, EachClassTakesItsOwnListOver) {
  Classes pools(class_options());
  const unsigned c = Classes::class_of(40);
  const std::size_t per_page = page() / Classes::class_bytes(c);
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < per_page; ++i) blocks.push_back(pools.allocate(40));
  void* other = pools.allocate(16);
  pools.free_remote(other, 16);
  pools.free_remote(blocks[2], 33);  // any size of the class
  EXPECT_EQ(pools.allocate(48), blocks[2]);
  EXPECT_EQ(pools.remote_stats(c).takeovers, 1u);
  EXPECT_EQ(pools.remote_stats(Classes::class_of(16)).takeovers, 0u);
  EXPECT_EQ(pools.remote_stats(Classes::class_of(16)).pending_slots, 1u);
}

TEST(RemoteFreeSizeClassPool, LargeBlocksAreFreedRemotelyThroughTheirClass) {
  Classes pools(class_options());
  void* p = pools.allocate(5000);
  ASSERT_NE(p, nullptr);
  pools.free_remote(p, 5000);
  EXPECT_EQ(pools.remote_stats(Classes::class_of(5000)).pending_slots, 1u);
  EXPECT_EQ(pools.allocate(Classes::kMaxBytes + 1), nullptr);
  pools.free_remote(nullptr, Classes::kMaxBytes + 1);  // nothing, as free() does
}

TEST(RemoteFreeSizeClassPool, ResetForgetsEveryClassesPendingFrees) {
  Classes pools(class_options());
  void* a = pools.allocate(16);
  pools.free_remote(a, 16);
  pools.free_remote(pools.allocate(300), 300);
  pools.reset();
  EXPECT_EQ(pools.remote_stats(Classes::class_of(16)).pending_slots, 0u);
  EXPECT_EQ(pools.remote_stats(Classes::class_of(300)).pending_slots, 0u);
  EXPECT_EQ(pools.allocate(16), a);
}

TEST(RemoteFreeSizeClassPoolDeathTest, ACheckedRemoteFreeOfTheWrongSizeAborts) {
  EXPECT_DEATH(
      {
        CheckedClasses pools(class_options());
        void* p = pools.allocate(40);
        pools.free_remote(p, 100);
      },
      "remote free of a pointer this pool did not hand out");
}

}  // namespace
}  // namespace vmb
