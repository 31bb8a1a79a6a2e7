// The measured spread of the cost pass (docs/ci.md, "Determinism"): each allocator on tree and churn
// at --scale ci, several cost passes, the instruction counts side by side. Disabled in ctest (a
// minute of Valgrind); run by hand:
//   VMB_SPREAD_RUNS=2 [VMB_SPREAD_WORKLOADS=tree,churn] build/release/tests/tool/vmbench_tool_tests
//     --gtest_also_run_disabled_tests --gtest_filter='CostSpread.*'
// It prints a Markdown table and checks what issue 12 asks: identical counts for glibc, arena, pool,
// bump and tcmalloc, within 0.05% for jemalloc and mimalloc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

#include "catalog.hpp"
#include "cost_pass.hpp"
#include "plan.hpp"
#include "vmb/config.hpp"  // VMB_ASAN, VMB_TSAN

namespace vmbench {
namespace {

std::string ci_spec(const std::string& workload, const std::string& allocator) {
  std::map<std::string, std::string> params;
  for (const ParamDef& d : find_workload(workload)->params) params[d.name] = d.defaults[0];
  for (const ParamDef& d : allocator_params()) params[d.name] = d.defaults[0];
  const nlohmann::json spec = {{"workload", workload}, {"allocator", allocator}, {"dispatch", "inline"},
                               {"params", params},     {"seed", 42},           {"warmup", 0}};
  return spec.dump();
}

std::string preload_of(const std::string& allocator) {
  for (const auto& a : allocator_availability())
    if (a.name == allocator) return a.preload_path;
  return "";
}

TEST(CostSpread, DISABLED_InstructionCountsOfRepeatedPasses) {
#if defined(VMB_ASAN) || defined(VMB_TSAN)
  GTEST_SKIP() << "a sanitizer build cannot run under valgrind";
#endif
  if (const std::string why = cost_pass_unavailable(); !why.empty()) GTEST_SKIP() << why;
  const char* runs_text = std::getenv("VMB_SPREAD_RUNS");
  const int runs = std::max(2, runs_text != nullptr ? std::atoi(runs_text) : 2);
  const std::atomic<bool> no_cancel{false};
  std::printf("| workload | allocator | Ir (first pass) | max - min over %d passes | spread %% | estimated cycles | s per pass |\n",
              runs);
  std::printf("|---|---|---:|---:|---:|---:|---:|\n");
  const char* workloads_text = std::getenv("VMB_SPREAD_WORKLOADS");  // comma-separated; tree,churn by default
  std::vector<std::string> workloads;
  std::stringstream list(workloads_text != nullptr ? workloads_text : "tree,churn");
  for (std::string w; std::getline(list, w, ',');) workloads.push_back(w);
  for (const std::string& workload : workloads) {
    for (const char* allocator : {"malloc", "arena", "pool", "bump", "tcmalloc", "jemalloc", "mimalloc"}) {
      const CostChild child{VMBENCH_EXE, ci_spec(workload, allocator), allocator, preload_of(allocator), 600};
      std::uint64_t lo = UINT64_MAX, hi = 0, first = 0, cycles = 0;
      double seconds = 0;
      for (int r = 0; r < runs; ++r) {
        const CostOutcome o = run_cost_pass(child, no_cancel);
        ASSERT_TRUE(o.ok) << workload << "/" << allocator << ": " << o.error;
        if (r == 0) first = o.totals->ir, cycles = estimated_cycles(*o.totals);
        lo = std::min(lo, o.totals->ir);
        hi = std::max(hi, o.totals->ir);
        seconds += o.elapsed_s;
      }
      const double spread_pct = 100.0 * static_cast<double>(hi - lo) / static_cast<double>(lo);
      std::printf("| %s | %s | %llu | %llu | %.4f | %llu | %.2f |\n", workload.c_str(), allocator,
                  static_cast<unsigned long long>(first), static_cast<unsigned long long>(hi - lo), spread_pct,
                  static_cast<unsigned long long>(cycles), seconds / runs);
      std::fflush(stdout);
      const bool time_based = std::string(allocator) == "jemalloc" || std::string(allocator) == "mimalloc";
      if (time_based) EXPECT_LE(spread_pct, 0.05) << workload << "/" << allocator;
      else EXPECT_EQ(hi, lo) << workload << "/" << allocator;
    }
  }
}

}  // namespace
}  // namespace vmbench
