// --threads in the plan: a swept parameter like any other, checked before anything runs, and the
// combinations that cannot run at a count left out with a warning.
#include <algorithm>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "catalog.hpp"
#include "plan.hpp"
#include "results_document.hpp"
#include "thread_plan.hpp"

namespace vmbench {
namespace {

RunOptions on_threads(std::vector<std::string> workloads, std::vector<std::string> allocators,
                      std::vector<std::string> threads) {
  RunOptions o;
  o.workloads = std::move(workloads);
  o.allocators = std::move(allocators);
  o.threads = std::move(threads);
  o.reps = 1;
  return o;
}

std::string error_of(const RunOptions& o) {
  try {
    make_plan(o);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ThreadPlan, EachThreadCountIsACombinationWithItsKey) {
  const Plan plan = make_plan(on_threads({"churn"}, {"malloc"}, {"1", "2"}));
  ASSERT_EQ(plan.combinations.size(), 2u);
  EXPECT_EQ(plan.combinations[0].key, "churn/malloc/inline/threads=1");
  EXPECT_EQ(plan.combinations[1].key, "churn/malloc/inline/threads=2");
  EXPECT_EQ(plan.combinations[1].params.text(kThreadsParam), "2");
}

TEST(ThreadPlan, WithoutTheOptionEachWorkloadHasItsDefault) {
  const Plan plan = make_plan(on_threads({"tree", "xfer"}, {"malloc"}, {}));
  EXPECT_EQ(plan.combinations[0].params.text(kThreadsParam), "1");
  EXPECT_EQ(plan.combinations[1].params.text(kThreadsParam), "2");  // xfer: one producer/consumer pair
}

TEST(ThreadPlan, ACountOutsideOneTo1024IsRefusedInOneLine) {
  EXPECT_EQ(error_of(on_threads({"churn"}, {"malloc"}, {"0"})), "--threads 0: a thread count is 1 to 1024");
  EXPECT_EQ(error_of(on_threads({"churn"}, {"malloc"}, {"1", "1025"})), "--threads 1025: a thread count is 1 to 1024");
  EXPECT_NE(error_of(on_threads({"churn"}, {"malloc"}, {"two"})).find("--threads two: not a number"), std::string::npos);
  RunOptions o = on_threads({"churn"}, {"malloc"}, {});
  o.param_args = {"threads=0"};
  EXPECT_EQ(error_of(o), "--param threads=0: a thread count is 1 to 1024");
}

TEST(ThreadPlan, TheOptionAndTheParameterTogetherAreRefused) {
  RunOptions o = on_threads({"churn"}, {"malloc"}, {"2"});
  o.param_args = {"threads=4"};
  EXPECT_EQ(error_of(o), "--threads and --param threads are both given: use one");
}

TEST(ThreadPlan, XferNeedsPairs) {
  EXPECT_NE(error_of(on_threads({"xfer"}, {"malloc"}, {"3"})).find("producer/consumer pairs"), std::string::npos);
  EXPECT_EQ(error_of(on_threads({"churn"}, {"malloc"}, {"3"})), "");
}

TEST(ThreadPlan, WorkloadsThatStayOnOneThreadAreNamed) {
  EXPECT_NE(error_of(on_threads({"frag"}, {"malloc"}, {"2"})).find("none of the chosen workloads runs on threads"),
            std::string::npos);
  const Plan plan = make_plan(on_threads({"frag", "churn"}, {"malloc"}, {"1", "2"}));
  EXPECT_EQ(plan.combinations.size(), 3u);  // frag once, churn twice
  bool named = false;
  for (const auto& w : plan.warnings) named |= w.rfind("frag runs on one thread", 0) == 0;
  EXPECT_TRUE(named);
}

TEST(ThreadPlan, AReplayIsSaidToRunOnItsTracesThreadsNotOnOne) {
  const GivenParams given{{kThreadsParam, {"1", "2"}}};
  const auto warnings = thread_warnings(given, {"replay", "churn", "frag"}, DeepPassOptions{});
  bool replay_named = false;
  bool frag_alone = false;
  for (const auto& w : warnings) {
    replay_named |= w.rfind("replay runs on the threads its trace was recorded on", 0) == 0;
    frag_alone |= w.rfind("frag runs on one thread", 0) == 0;
  }
  EXPECT_TRUE(replay_named);
  EXPECT_TRUE(frag_alone);  // "frag runs", not "frag, replay run"
}

TEST(ThreadPlan, APoolOnSeveralXferThreadsIsLeftOutWithAWarning) {
  const Plan plan = make_plan(on_threads({"xfer"}, {"pool", "malloc"}, {"1", "2"}));
  ASSERT_EQ(plan.combinations.size(), 3u);
  for (const auto& c : plan.combinations) EXPECT_NE(c.key, "xfer/pool/inline/threads=2");
  EXPECT_NE(std::find(plan.warnings.begin(), plan.warnings.end(),
                      "not run: xfer/pool/inline/threads=2: on 2 threads xfer frees objects in another thread than "
                      "their own, and pool's free lists belong to one thread"),
            plan.warnings.end());
  EXPECT_EQ(error_of(on_threads({"xfer"}, {"pool"}, {"2"})),
            "nothing to run: xfer/pool/inline: on 2 threads xfer frees objects in another thread than "
            "their own, and pool's free lists belong to one thread");
}

// A default run refuses six combinations (xfer and larson on pool, pmr-pool and the oracle): two lines
// say why, each naming its combinations, not six.
TEST(ThreadPlan, CombinationsRefusedForOneReasonAreSaidInOneWarning) {
  const Plan plan = make_plan(on_threads({"xfer", "larson"}, {"pool", "pmr-pool", "oracle", "malloc"}, {"2", "4"}));
  std::vector<std::string> refusals;
  for (const auto& w : plan.warnings)
    if (w.rfind("not run: ", 0) == 0) refusals.push_back(w);
  const std::vector<std::string> expected = {
      "not run: xfer/pool/inline/threads=2, xfer/pmr-pool/inline/threads=2, larson/pool/inline/threads=2, "
      "larson/pmr-pool/inline/threads=2: on 2 threads xfer and larson free objects in another thread than their "
      "own, and the free lists of pool and pmr-pool belong to one thread",
      "not run: xfer/pool/inline/threads=4, xfer/pmr-pool/inline/threads=4, larson/pool/inline/threads=4, "
      "larson/pmr-pool/inline/threads=4: on 4 threads xfer and larson free objects in another thread than their "
      "own, and the free lists of pool and pmr-pool belong to one thread",
      "not run: xfer/oracle/inline/threads=2, larson/oracle/inline/threads=2: the oracle replays the addresses of "
      "one pool in one thread, not 2",
      "not run: xfer/oracle/inline/threads=4, larson/oracle/inline/threads=4: the oracle replays the addresses of "
      "one pool in one thread, not 4",
  };
  EXPECT_EQ(refusals, expected);
  EXPECT_EQ(plan.combinations.size(), 4u);  // malloc at both counts, for both workloads
}

TEST(ThreadPlan, TheOracleRunsOnOneThreadOnly) {
  const Plan plan = make_plan(on_threads({"tree"}, {"oracle", "malloc"}, {"1", "2"}));
  ASSERT_EQ(plan.combinations.size(), 3u);
  EXPECT_NE(std::find(plan.warnings.begin(), plan.warnings.end(),
                      "not run: tree/oracle/inline/threads=2: the oracle replays the addresses of one pool in one "
                      "thread, not 2"),
            plan.warnings.end());
}

TEST(ThreadPlan, MoreThreadsThanCpusIsAllowedWithAWarning) {
  const std::string most = std::to_string(usable_cpus() + 1);
  const Plan plan = make_plan(on_threads({"churn"}, {"malloc"}, {most}));
  ASSERT_FALSE(plan.warnings.empty());
  EXPECT_NE(plan.warnings.front().find("measure time-slicing"), std::string::npos) << plan.warnings.front();
}

// What the document computes from a sweep over threads: per-thread throughput against 1 thread's.
nlohmann::json figures_at(double thread_ops_per_s) {
  return {{"proof", {{"evidence", "test"}, {"version", ""}}}, {"wall_s", 1.0}, {"ops_per_s", 1.0},
          {"thread_ops_per_s", thread_ops_per_s}, {"cpu_user_s", 1.0}, {"cpu_sys_s", 0.0},
          {"minor_faults", 0}, {"major_faults", 0}, {"ops", 1}, {"allocations", 1}, {"frees", 0},
          {"frees_skipped", 0}, {"peak_live_bytes", 1}, {"checksum", 1}, {"heap", nullptr}, {"heap_note", ""},
          {"phases", nlohmann::json::array()}};
}

TEST(ThreadPlan, ScalingEfficiencyIsPerThreadThroughputOverOneThreads) {
  const Plan plan = make_plan(on_threads({"churn"}, {"malloc"}, {"1", "4"}));
  const std::vector<CellRecord> cells = {{0, 0, true, "", figures_at(10), 0.1}, {1, 0, true, "", figures_at(8), 0.1}};
  const nlohmann::json doc = build_document(plan, cells, nlohmann::json::object(), true);
  EXPECT_DOUBLE_EQ(doc["groups"][0]["figures"]["scaling_efficiency"]["median"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(doc["groups"][1]["figures"]["scaling_efficiency"]["median"].get<double>(), 0.8);
}

TEST(ThreadPlan, NoScalingEfficiencyWithoutAOneThreadGroup) {
  const Plan plan = make_plan(on_threads({"churn"}, {"malloc"}, {"2", "4"}));
  const std::vector<CellRecord> cells = {{0, 0, true, "", figures_at(10), 0.1}, {1, 0, true, "", figures_at(8), 0.1}};
  const nlohmann::json doc = build_document(plan, cells, nlohmann::json::object(), true);
  EXPECT_TRUE(doc["groups"][1]["figures"]["scaling_efficiency"].is_null());
}

}  // namespace
}  // namespace vmbench
