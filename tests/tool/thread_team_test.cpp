// Cells of several threads, run in this process (so that the thread sanitizer sees them: setup.sh's
// tsan ctest runs ThreadTeam.*): every thread on its own heap and slice, the probes' hooks at the
// barriers, checksums combined in thread order, xfer's pairs, failures handed back without a hang.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <stdexcept>
#include <string>

#include "catalog.hpp"
#include "run_cell.hpp"
#include "thread_team.hpp"

namespace vmbench {
namespace {

// Small sizes: a sanitizer build runs these too.
Params small_params(const std::string& workload, int threads) {
  std::map<std::string, std::string> v = {{"commit_step", "64K"}, {"reserve", "1G"},      {"retain", "1M"},
                                          {"huge_pages", "off"},  {"pool_reserve", "256M"}, {"bump_region", "1G"},
                                          {"pmr_buffer", "2M"}};
  if (workload == "churn") v.insert({{"live_objects", "2000"}, {"steps", "20000"}, {"sizes", "skewed"}, {"size", "64"}});
  if (workload == "tree") v.insert({{"depth", "8"}, {"age_objects", "1000"}});
  if (workload == "strings") v.insert({{"words", "4000"}, {"vocabulary", "500"}, {"words_per_line", "16"}});
  if (workload == "xfer") v.insert({{"objects", "10000"}, {"batch", "100"}, {"sizes", "skewed"}, {"size", "64"}});
  if (workload == "larson")
    v.insert({{"live_objects", "2000"}, {"steps", "20000"}, {"round_steps", "1500"}, {"sizes", "skewed"}, {"size", "64"}});
  v[kThreadsParam] = std::to_string(threads);
  return Params(v);
}

CellOutcome run(const std::string& workload, const std::string& allocator, int threads, CellHooks hooks = {},
                int warmup = 0, const char* retain = "1M") {
  CellRequest r;
  r.workload = workload;
  r.allocator = allocator;
  r.params = small_params(workload, threads);
  r.params.set("retain", retain);
  r.seed = 42;
  r.warmup = warmup;
  return run_cell(r, hooks);
}

TEST(ThreadTeam, ChecksumsAreTheSameFromRunToRunAndOnEveryHeap) {
  for (const char* w : {"churn", "tree", "strings"}) {
    const CellOutcome first = run(w, "malloc", 4);
    EXPECT_EQ(run(w, "malloc", 4).stats.checksum, first.stats.checksum) << w;
    for (const char* a : {"arena", "pool", "bump", "pmr-monotonic", "pmr-pool"})
      EXPECT_EQ(run(w, a, 4).stats.checksum, first.stats.checksum) << w << " on " << a;
  }
}

TEST(ThreadTeam, EachThreadRunsTheWholeWorkloadOnItsOwnSlice) {
  const CellOutcome one = run("churn", "pool", 1);
  const CellOutcome four = run("churn", "pool", 4);
  EXPECT_EQ(four.threads, 4);
  EXPECT_EQ(four.stats.allocations, 4 * one.stats.allocations);
  EXPECT_EQ(four.stats.frees, 4 * one.stats.frees);
  EXPECT_NE(four.stats.checksum, one.stats.checksum);  // the other threads' seeds differ from thread 0's
  EXPECT_TRUE(four.counters.known);  // the four pools' counters, summed
  EXPECT_GE(four.counters.peak_committed_bytes, 4 * one.counters.peak_committed_bytes / 2);
}

TEST(ThreadTeam, ThreadZeroKeepsTheCellsSeed) {
  EXPECT_EQ(thread_seed(42, 0), 42u);
  EXPECT_NE(thread_seed(42, 1), thread_seed(42, 2));
  EXPECT_EQ(thread_seed(42, 3), thread_seed(42, 3));
}

TEST(ThreadTeam, TheProbesReadOnceAtEachBarrier) {
  std::atomic<int> begins{0};
  std::atomic<int> ends{0};
  CellHooks hooks;
  hooks.begin_measured = [&] { EXPECT_EQ(ends.load(), 0); ++begins; };
  hooks.end_measured = [&] { EXPECT_EQ(begins.load(), 1); ++ends; };
  const CellOutcome out = run("tree", "arena", 3, hooks);
  EXPECT_EQ(begins.load(), 1);
  EXPECT_EQ(ends.load(), 1);
  EXPECT_LE(out.thread_s.min_s, out.thread_s.median_s);
  EXPECT_LE(out.thread_s.median_s, out.thread_s.max_s);
  ASSERT_FALSE(out.phase_spreads.empty());
  EXPECT_EQ(out.phase_spreads.front().name, "build");
  EXPECT_EQ(out.phase_spreads.front().threads, 3);
}

TEST(ThreadTeam, XferHandsEveryObjectToTheOtherThreadOfItsPair) {
  const CellOutcome one = run("xfer", "malloc", 1);
  const CellOutcome two = run("xfer", "malloc", 2);
  const CellOutcome four = run("xfer", "malloc", 4);
  EXPECT_EQ(one.stats.allocations, 10000u);
  EXPECT_EQ(one.stats.frees, 10000u);
  // One pair, one thread or two: the same objects, stamps and order, so the same checksum.
  EXPECT_EQ(two.stats.allocations, 10000u);
  EXPECT_EQ(two.stats.frees, 10000u);
  EXPECT_EQ(two.stats.checksum, one.stats.checksum);
  EXPECT_EQ(four.stats.allocations, 20000u);
  EXPECT_EQ(four.stats.frees, 20000u);
  EXPECT_EQ(run("xfer", "malloc", 4).stats.checksum, four.stats.checksum);
}

TEST(ThreadTeam, XferOnAnArenaSkipsTheFreesAndKeepsTheChecksum) {
  const CellOutcome malloc_two = run("xfer", "malloc", 2);
  const CellOutcome arena_two = run("xfer", "arena", 2);
  EXPECT_EQ(arena_two.stats.frees, 0u);
  EXPECT_EQ(arena_two.stats.frees_skipped, 10000u);
  EXPECT_EQ(arena_two.stats.checksum, malloc_two.stats.checksum);
  // Each thread's live bytes peak at its largest batch: the producer's before it hands it over, the
  // consumer's when it takes it over.
  EXPECT_EQ(arena_two.stats.peak_live_bytes, 2 * run("xfer", "arena", 1).stats.peak_live_bytes);
}

TEST(ThreadTeam, XferRefusesAPoolOnSeveralThreadsAndRunsItOnOne) {
  EXPECT_THROW(run("xfer", "pool", 2), std::runtime_error);
  EXPECT_THROW(run("xfer", "pmr-pool", 2), std::runtime_error);
  EXPECT_EQ(run("xfer", "pool", 1).stats.frees, 10000u);
}

TEST(ThreadTeam, TheRemoteFreePoolTakesEveryFreeFromTheOtherThreads) {
  for (const char* w : {"xfer", "larson"}) {
    const CellOutcome on_malloc = run(w, "malloc", 4);
    const CellOutcome remote = run(w, "pool-remote", 4);
    EXPECT_EQ(remote.stats.frees, remote.stats.allocations) << w;
    EXPECT_EQ(remote.stats.checksum, on_malloc.stats.checksum) << w;
    EXPECT_TRUE(remote.counters.known) << w;
    EXPECT_EQ(run(w, "pool-remote", 4, {}, 2).stats.checksum, on_malloc.stats.checksum) << w << " with warm-ups";
  }
  EXPECT_EQ(run("churn", "pool-remote", 2).stats.checksum, run("churn", "pool", 2).stats.checksum);
}

TEST(ThreadTeam, XferRefusesAnOddTeam) { EXPECT_THROW(run("xfer", "malloc", 3), std::runtime_error); }

TEST(ThreadTeam, LarsonOnOneThreadIsChurn) {
  // The same live set, victims and sizes: the rounds only decide when the set would change hands.
  EXPECT_EQ(run("larson", "malloc", 1).stats.checksum, run("churn", "malloc", 1).stats.checksum);
}

TEST(ThreadTeam, LarsonHandsTheSetsOverTheSameWayOnEveryRun) {
  const CellOutcome four = run("larson", "malloc", 4);
  EXPECT_EQ(four.stats.allocations, 4 * (2000u + 20000u));
  EXPECT_EQ(four.stats.frees, four.stats.allocations);
  EXPECT_EQ(run("larson", "malloc", 4).stats.checksum, four.stats.checksum);
  EXPECT_EQ(run("larson", "arena", 4).stats.checksum, four.stats.checksum);
  EXPECT_EQ(run("larson", "arena", 4).stats.peak_live_bytes, four.stats.peak_live_bytes);
  // The hand-overs change which thread frees what: not the sum of four churns.
  EXPECT_NE(four.stats.checksum, run("churn", "malloc", 4).stats.checksum);
  EXPECT_THROW(run("larson", "pool", 2), std::runtime_error);
}

TEST(ThreadTeam, AHeapIsEmptiedAfterAWarmUpPassOnlyWhenNoThreadUsesItsObjects) {
  // The arena decommits all its pages at release_all (retain 0): a consumer still reading an object of
  // a released producer's arena would read zeros, or fault.
  for (const char* w : {"xfer", "larson"}) {
    const CellOutcome cold = run(w, "arena", 4);
    EXPECT_EQ(run(w, "arena", 4, {}, 3, "0").stats.checksum, cold.stats.checksum) << w;
    EXPECT_EQ(run(w, "malloc", 4, {}, 3).stats.checksum, cold.stats.checksum) << w;
  }
}

TEST(ThreadTeam, AWorkloadErrorInEveryThreadComesBackWithoutAHang) {
  CellRequest r;
  r.workload = "churn";
  r.allocator = "malloc";
  r.params = small_params("churn", 3);
  r.params.set("live_objects", "0");  // every thread refuses it before the start barrier
  try {
    run_cell(r, {});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("live_objects"), std::string::npos) << e.what();
  }
}

TEST(ThreadTeam, AHeapThatCannotBeMadeFailsTheCellAndNoThreadRuns) {
  CellRequest r;
  r.workload = "tree";
  r.allocator = "arena";
  r.params = small_params("tree", 2);
  r.params.set("reserve", "100T"); // far more address space than a process has
  EXPECT_THROW(run_cell(r, {}), AllocatorNotCreated);
}

TEST(ThreadTeam, TheSpreadIsMinMedianMax) {
  const ThreadSpread odd = spread_of({3, 1, 2});
  EXPECT_DOUBLE_EQ(odd.min_s, 1);
  EXPECT_DOUBLE_EQ(odd.median_s, 2);
  EXPECT_DOUBLE_EQ(odd.max_s, 3);
  EXPECT_DOUBLE_EQ(spread_of({4, 1, 2, 3}).median_s, 2.5);
}

TEST(ThreadTeam, EveryBodyRunsOnceOnItsOwnThread) {
  std::vector<int> ran(16, 0);
  run_threads(16, [&](int i) { ++ran[static_cast<std::size_t>(i)]; });
  for (int n : ran) EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace vmbench
