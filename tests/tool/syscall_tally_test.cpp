// The classification of memory system calls into commits and decommits (docs/metrics.md), on call
// sequences whose answer is known: what the vmb arena, glibc's malloc and a munmap do.
#include "syscall_tally.hpp"

#include <sys/mman.h>

#include <gtest/gtest.h>

namespace vmbench {
namespace {

constexpr std::uint64_t kRange = 0x7f0000000000;
constexpr std::uint64_t kStep = 64 * 1024;

FinishedCall call(MemoryCall c, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2, std::int64_t result = 0) {
  FinishedCall f{c};
  f.args[0] = a0;
  f.args[1] = a1;
  f.args[2] = a2;
  f.result = result;
  return f;
}

TEST(SyscallTally, MprotectToReadWriteIsOneCommit) {
  SyscallTally t;
  for (int i = 0; i < 3; ++i) t.finished(call(MemoryCall::mprotect, kRange + i * kStep, kStep, PROT_READ | PROT_WRITE), true);
  EXPECT_EQ(t.commits, 3u);
  EXPECT_EQ(t.commit_bytes, 3 * kStep);
  EXPECT_EQ(t.per_call[static_cast<int>(MemoryCall::mprotect)].calls, 3u);
  EXPECT_EQ(t.decommits, 0u);
}

TEST(SyscallTally, ArenaDecommitOfTwoCallsOnOneRangeIsOneOperation) {
  SyscallTally t;
  t.finished(call(MemoryCall::madvise, kRange, kStep, MADV_DONTNEED), true);
  t.finished(call(MemoryCall::mprotect, kRange, kStep, PROT_NONE), true);
  EXPECT_EQ(t.decommits, 1u);
  EXPECT_EQ(t.decommit_calls, 2u);
  EXPECT_EQ(t.decommit_bytes, kStep);
}

TEST(SyscallTally, DecommitsOfDifferentRangesAreSeparateOperations) {
  SyscallTally t;
  t.finished(call(MemoryCall::madvise, kRange, kStep, MADV_DONTNEED), true);
  t.finished(call(MemoryCall::madvise, kRange + kStep, kStep, MADV_FREE), true);
  t.finished(call(MemoryCall::munmap, kRange + 2 * kStep, kStep, 0), true);
  EXPECT_EQ(t.decommits, 3u);
  EXPECT_EQ(t.decommit_bytes, 3 * kStep);
}

TEST(SyscallTally, MmapReadWriteCommitsAndProtNoneOnlyReserves) {
  SyscallTally t;
  t.finished(call(MemoryCall::mmap, 0, kStep, PROT_READ | PROT_WRITE, static_cast<std::int64_t>(kRange)), true);
  t.finished(call(MemoryCall::mmap, 0, 1u << 30, PROT_NONE, static_cast<std::int64_t>(kRange + kStep)), true);
  EXPECT_EQ(t.commits, 1u);
  EXPECT_EQ(t.commit_bytes, kStep);
  EXPECT_EQ(t.reserves, 1u);
  EXPECT_EQ(t.reserve_bytes, 1u << 30);
}

TEST(SyscallTally, BrkGrowthAndShrinkFollowTheBreak) {
  SyscallTally t;
  const std::int64_t base = 0x555555000000;
  t.finished(call(MemoryCall::brk, 0, 0, 0, base), false);  // the query before the phase: not counted
  t.finished(call(MemoryCall::brk, base + 0x21000, 0, 0, base + 0x21000), true);
  t.finished(call(MemoryCall::brk, base + 0x1000, 0, 0, base + 0x1000), true);
  EXPECT_EQ(t.commits, 1u);
  EXPECT_EQ(t.commit_bytes, 0x21000u);
  EXPECT_EQ(t.decommits, 1u);
  EXPECT_EQ(t.decommit_bytes, 0x20000u);
  EXPECT_EQ(t.per_call[static_cast<int>(MemoryCall::brk)].calls, 2u);
}

TEST(SyscallTally, MremapCountsTheSizeChange) {
  SyscallTally t;
  t.finished(call(MemoryCall::mremap, kRange, kStep, 3 * kStep), true);
  t.finished(call(MemoryCall::mremap, kRange, 3 * kStep, kStep), true);
  EXPECT_EQ(t.commit_bytes, 2 * kStep);
  EXPECT_EQ(t.decommit_bytes, 2 * kStep);
}

TEST(SyscallTally, OtherAdviceAndFailuresAreNotCommits) {
  SyscallTally t;
  t.finished(call(MemoryCall::madvise, kRange, kStep, MADV_HUGEPAGE), true);
  t.finished(call(MemoryCall::mprotect, kRange, kStep, PROT_READ), true);
  FinishedCall failed = call(MemoryCall::mmap, 0, kStep, PROT_READ | PROT_WRITE, -12);
  failed.failed = true;
  t.finished(failed, true);
  EXPECT_EQ(t.commits + t.decommits, 0u);
  EXPECT_EQ(t.other_calls, 2u);
  EXPECT_EQ(t.failed_calls, 1u);
}

TEST(SyscallTally, CallsOutsideTheMeasuredPhaseAreNotCounted) {
  SyscallTally t;
  t.finished(call(MemoryCall::mprotect, kRange, kStep, PROT_READ | PROT_WRITE), false);
  EXPECT_EQ(t.commits, 0u);
  EXPECT_EQ(t.per_call[static_cast<int>(MemoryCall::mprotect)].calls, 0u);
}

}  // namespace
}  // namespace vmbench
