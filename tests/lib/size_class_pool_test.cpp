// SizeClassPool: the size-to-class table against the rule it encodes, blocks from the right class,
// reuse, sizes no class holds, reset, summed commit counters and a construction failure.
#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vmb/os.hpp"
#include "vmb/size_class_pool.hpp"

namespace vmb {
namespace {

using Pools = BasicSizeClassPool<PoolPolicy{.checks = false, .counts = true}>;
using CheckedPools = BasicSizeClassPool<PoolPolicy{.checks = true, .counts = true}>;

SizeClassPoolOptions options() {
  SizeClassPoolOptions o;
  o.reserve_bytes = 4 * MiB;
  o.commit_step_bytes = os::page_size();
  o.retain_bytes = 0;
  return o;
}

// The rule, written with branches: 16-byte classes up to 256 bytes, then powers of two to 64 KiB.
unsigned reference_class(std::size_t bytes) {
  if (bytes <= 256) return static_cast<unsigned>((bytes == 0 ? 1 : bytes) + 15) / 16 - 1;
  return 16 + static_cast<unsigned>(std::bit_width(bytes - 1)) - 9;
}

TEST(SizeClassPool, TheTableAndTheLargeClassesFollowTheRuleForEverySize) {
  for (std::size_t bytes = 0; bytes <= Pools::kMaxBytes; ++bytes) {
    ASSERT_EQ(Pools::class_of(bytes), reference_class(bytes)) << bytes << " bytes";
    if (bytes <= Pools::kTableMaxBytes) {
      ASSERT_EQ(Pools::small_class_of(bytes), reference_class(bytes)) << bytes << " bytes";
    }
  }
}

TEST(SizeClassPool, EverySizeFitsItsClassAndNotTheOneBelow) {
  for (std::size_t bytes = 1; bytes <= Pools::kMaxBytes; ++bytes) {
    const unsigned c = Pools::class_of(bytes);
    ASSERT_GE(Pools::class_bytes(c), bytes);
    if (c > 0) {
      ASSERT_LT(Pools::class_bytes(c - 1), bytes);
    }
  }
  EXPECT_EQ(Pools::class_bytes(0), 16u);
  EXPECT_EQ(Pools::class_bytes(15), 256u);
  EXPECT_EQ(Pools::class_bytes(16), 512u);
  EXPECT_EQ(Pools::class_bytes(Pools::kClasses - 1), 64 * KiB);
}

// The hot state of every class in one compact array: 32 bytes a class, two a cache line.
TEST(SizeClassPool, HotStateIs32BytesAClass) { EXPECT_EQ(sizeof(detail::SlotList), 32u); }

TEST(SizeClassPool, BlocksAreAlignedAndComeFromTheirClass) {
  Pools pools(options());
  ASSERT_TRUE(pools.ok());
  for (std::size_t bytes : {std::size_t{1}, std::size_t{16}, std::size_t{17}, std::size_t{100}, std::size_t{256},
                            std::size_t{257}, std::size_t{1000}, std::size_t{1025}, std::size_t{5000},
                            64 * KiB}) {
    void* p = pools.allocate(bytes);
    ASSERT_NE(p, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % Pools::kAlign, 0u) << bytes;
    std::memset(p, 0xAB, bytes);
    EXPECT_EQ(pools.stats(Pools::class_of(bytes)).live_slots, 1u) << bytes;
    pools.free(p, bytes);
    EXPECT_EQ(pools.stats(Pools::class_of(bytes)).live_slots, 0u) << bytes;
  }
}

TEST(SizeClassPool, AFreedBlockIsReusedBySizesOfTheSameClass) {
  Pools pools(options());
  void* p = pools.allocate(20);
  pools.free(p, 20);
  EXPECT_EQ(pools.allocate(32), p);  // 17..32 bytes share one class
}

TEST(SizeClassPool, ASizeAboveTheLargestClassIsNull) {
  Pools pools(options());
  EXPECT_EQ(pools.allocate(64 * KiB + 1), nullptr);
  pools.free(nullptr, 64 * KiB + 1);  // does nothing
  for (unsigned c = 0; c < Pools::kClasses; ++c) EXPECT_EQ(pools.stats(c).allocations, 0u) << c;
}

TEST(SizeClassPool, ResetForgetsEveryClass) {
  Pools pools(options());
  std::vector<void*> blocks;
  for (std::size_t bytes = 8; bytes <= 4096; bytes *= 2) blocks.push_back(pools.allocate(bytes));
  pools.reset();
  for (unsigned c = 0; c < Pools::kClasses; ++c) EXPECT_EQ(pools.stats(c).live_slots, 0u) << c;
  EXPECT_EQ(pools.commit_stats().committed_bytes, 0u);  // retain_bytes 0: everything given back
}

TEST(SizeClassPool, CommitStatsAreTheSumOverTheClasses) {
  Pools pools(options());
  for (std::size_t bytes = 16; bytes <= 2048; bytes += 48) ASSERT_NE(pools.allocate(bytes), nullptr);
  CommitStats sum;
  for (unsigned c = 0; c < Pools::kClasses; ++c) {
    const PoolStats s = pools.stats(c);
    sum.reserved_bytes += s.reserved_bytes;
    sum.committed_bytes += s.committed_bytes;
    sum.commit_calls += s.commit_calls;
  }
  EXPECT_EQ(pools.commit_stats().reserved_bytes, sum.reserved_bytes);
  EXPECT_EQ(pools.commit_stats().committed_bytes, sum.committed_bytes);
  EXPECT_EQ(pools.commit_stats().commit_calls, sum.commit_calls);
  EXPECT_GT(sum.commit_calls, 0u);
}

TEST(SizeClassPool, AFailedConstructionIsReportedAndEveryAllocationFails) {
  SizeClassPoolOptions o = options();
  o.commit_step_bytes = 0;
  Pools pools(o);
  EXPECT_FALSE(pools.ok());
  EXPECT_EQ(pools.construction_error(), Error::bad_options);
  EXPECT_EQ(pools.allocate(16), nullptr);
  EXPECT_EQ(pools.allocate(5000), nullptr);
  EXPECT_EQ(pools.last_error(Pools::class_of(16)), Error::bad_options);
}

TEST(SizeClassPoolDeathTest, ACheckedSizeClassPoolCatchesADoubleFree) {
  EXPECT_DEATH(
      {
        CheckedPools pools(options());
        void* p = pools.allocate(100);
        pools.free(p, 100);
        pools.free(p, 100);
      },
      "double free");
}

TEST(SizeClassPool, SizeClassPoolIsTheBuildsDefaultPolicy) {
  EXPECT_EQ(SizeClassPool::policy.checks, Pool::policy.checks);
  EXPECT_EQ(SizeClassPool::policy.counts, Pool::policy.counts);
}

}  // namespace
}  // namespace vmb
