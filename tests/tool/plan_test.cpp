// The plan: what runs, in which order, and every refusal of bad input before anything runs.
#include "plan.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "catalog.hpp"
#include "vmb/config.hpp"  // VMB_ASAN, VMB_TSAN

namespace vmbench {
namespace {

RunOptions tree_on(std::vector<std::string> allocators) {
  RunOptions o;
  o.workloads = {"tree"};
  o.allocators = std::move(allocators);
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

TEST(Plan, DefaultSuiteIsEveryWorkloadTimesEveryAvailableAllocator) {
  RunOptions o;
  o.reps = 1;
  const Plan p = make_plan(o);
  std::size_t available = 0;
  for (const auto& a : allocator_availability()) available += a.available;
  std::size_t suite = 0;  // the workloads that need no input of their own (not program, not replay)
  for (const auto& w : workload_catalog()) suite += !w.on_request;
  // Less xfer and larson (two threads by default) on the pools, whose free lists cannot take frees from
  // another thread, and on the oracle, which replays one thread's addresses (thread_plan.hpp).
  const std::size_t cross_thread_refused = 6;
  EXPECT_EQ(p.combinations.size(), suite * available - cross_thread_refused);
  EXPECT_EQ(p.skipped.size(), allocator_availability().size() - available);
}

TEST(Plan, RepetitionsInterleaveCombinations) {
  RunOptions o = tree_on({"arena", "malloc"});
  o.reps = 3;
  const Plan p = make_plan(o);
  ASSERT_EQ(p.cells.size(), 6u);
  const int expected[][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 2}, {1, 2}};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(p.cells[i].combination, expected[i][0]);
    EXPECT_EQ(p.cells[i].rep, expected[i][1]);
  }
}

TEST(Plan, DefaultsFollowTheScale) {
  RunOptions o = tree_on({"malloc"});
  o.scale = "ci";
  EXPECT_EQ(make_plan(o).combinations[0].params.text("depth"), find_workload("tree")->params[0].defaults[0]);
  o.scale = "large";
  EXPECT_EQ(make_plan(o).combinations[0].params.text("depth"), find_workload("tree")->params[0].defaults[2]);
}

TEST(Plan, ParamOverridesTheDefault) {
  RunOptions o = tree_on({"malloc"});
  o.param_args = {"depth=7"};
  EXPECT_EQ(make_plan(o).combinations[0].params.text("depth"), "7");
}

TEST(Plan, SweptAllocatorParamMultipliesOnlyTheAllocatorsThatReadIt) {
  RunOptions o = tree_on({"arena", "malloc"});
  o.param_args = {"commit_step=4K,64K,2M"};
  const Plan p = make_plan(o);
  ASSERT_EQ(p.combinations.size(), 4u);  // arena x 3 steps, malloc once
  std::set<std::string> keys;
  for (const auto& c : p.combinations) keys.insert(c.key);
  EXPECT_TRUE(keys.count("tree/arena/inline/commit_step=4K"));
  EXPECT_TRUE(keys.count("tree/arena/inline/commit_step=2M"));
  EXPECT_TRUE(keys.count("tree/malloc/inline"));
}

TEST(Plan, TwoSweptParamsGiveTheirCartesianProduct) {
  RunOptions o = tree_on({"malloc"});
  o.param_args = {"depth=6,8,age_objects=0,10"};
  EXPECT_EQ(make_plan(o).combinations.size(), 4u);
}

TEST(Plan, DispatchBothDoublesTheCombinations) {
  RunOptions o = tree_on({"arena"});
  o.dispatch = "both";
  const Plan p = make_plan(o);
  ASSERT_EQ(p.combinations.size(), 2u);
  EXPECT_EQ(p.combinations[1].dispatch, "virtual");
}

TEST(Plan, UnknownWorkloadIsRefusedListingTheValidOnes) {
  RunOptions o;
  o.workloads = {"nope"};
  const std::string e = error_of(o);
  EXPECT_NE(e.find("unknown workload 'nope'"), std::string::npos);
  EXPECT_NE(e.find("tree"), std::string::npos);
}

TEST(Plan, UnknownAllocatorIsRefusedListingTheValidOnes) {
  const std::string e = error_of(tree_on({"arena", "bogus"}));
  EXPECT_NE(e.find("unknown allocator 'bogus'"), std::string::npos);
  EXPECT_NE(e.find("malloc"), std::string::npos);
}

TEST(Plan, TestAllocatorsAreHiddenWithoutTheirSwitch) {
  unsetenv("VMBENCH_TEST_ALLOCATORS");
  EXPECT_NE(error_of(tree_on({"test-crash"})).find("unknown allocator"), std::string::npos);
}

TEST(Plan, MalformedParamValueIsRefused) {
  RunOptions o = tree_on({"malloc"});
  o.param_args = {"depth=12x"};
  EXPECT_NE(error_of(o).find("depth=12x"), std::string::npos);
}

TEST(Plan, UnknownParamIsRefusedListingTheValidOnes) {
  RunOptions o = tree_on({"malloc"});
  o.param_args = {"deepness=3"};
  const std::string e = error_of(o);
  EXPECT_NE(e.find("unknown parameter 'deepness'"), std::string::npos);
  EXPECT_NE(e.find("depth"), std::string::npos);
  EXPECT_EQ(e.find("test_"), std::string::npos);
}

TEST(Plan, ParamWithoutNameOrValueIsRefused) {
  RunOptions o = tree_on({"malloc"});
  o.param_args = {"=3"};
  EXPECT_NE(error_of(o), "");
  o.param_args = {"12"};
  EXPECT_NE(error_of(o), "");
  o.param_args = {"depth=3", "depth=4"};
  EXPECT_NE(error_of(o).find("twice"), std::string::npos);
}

TEST(Plan, ChoiceParamAcceptsOnlyItsChoices) {
  RunOptions o = tree_on({"arena"});
  o.param_args = {"huge_pages=maybe"};
  EXPECT_NE(error_of(o).find("expected one of"), std::string::npos);
}

TEST(Plan, BadCountsAreRefused) {
  RunOptions o = tree_on({"malloc"});
  o.reps = 0;
  EXPECT_NE(error_of(o), "");
  o = tree_on({"malloc"});
  o.timeout_s = 0;
  EXPECT_NE(error_of(o), "");
  o = tree_on({"malloc"});
  o.scale = "huge";
  EXPECT_NE(error_of(o), "");
}

TEST(Plan, MemoryLimitTakesTheParameterSizeSuffixes) {
  RunOptions o = tree_on({"arena"});
  o.memory_limit = "64M";
#if defined(VMB_ASAN) || defined(VMB_TSAN)
  // A sanitizer's shadow memory would count against the limit: refused before anything runs.
  EXPECT_NE(error_of(o).find("sanitizer build"), std::string::npos) << error_of(o);
#else
  EXPECT_EQ(make_plan(o).memory_limit_bytes, *parse_bytes("64M"));
#endif
  EXPECT_EQ(make_plan(tree_on({"arena"})).memory_limit_bytes, 0u) << "no limit unless asked for";
}

TEST(Plan, BadMemoryLimitsAreRefusedWithTheOption) {
  for (const char* bad : {"64Q", "lots", "0"}) {
    RunOptions o = tree_on({"arena"});
    o.memory_limit = bad;
    EXPECT_NE(error_of(o).find("--memory-limit"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace vmbench
