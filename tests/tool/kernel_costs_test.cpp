// The kernel cost calibration: its shape, and the one figure that is exact on any machine, the number
// of faults taken for the pages touched. Its ns figures are the machine's, never asserted.
#include "kernel_costs.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace vmbench {
namespace {

KernelCostPlan small_plan() {
  KernelCostPlan p;
  p.rounds = 3;
  p.fault_pages = 64;
  p.mprotect_calls = 16;
  p.madvise_calls = 16;
  p.madvise_range_pages = 64;
  return p;
}

TEST(KernelCosts, EachTouchedPageTakesExactlyOneFault) {
  const KernelCosts k = measure_kernel_costs(small_plan());
  ASSERT_TRUE(k.ok) << k.error;
  EXPECT_EQ(k.pages_touched, 3u * 64u);
  EXPECT_EQ(k.faults_taken, k.pages_touched);
  EXPECT_EQ(k.page_bytes, 4096u);
}

TEST(KernelCosts, EveryFigureIsMeasured) {
  const KernelCosts k = measure_kernel_costs(small_plan());
  ASSERT_TRUE(k.ok) << k.error;
  EXPECT_GT(k.fault_ns, 0);
  EXPECT_GT(k.mprotect_call_ns, 0);
  EXPECT_GT(k.madvise_call_ns, 0);
  EXPECT_GT(k.madvise_page_ns, 0);
  EXPECT_GE(k.elapsed_s, 0);
}

TEST(KernelCosts, JsonHasTheDocumentedShape) {
  const nlohmann::json j = kernel_costs_json(measure_kernel_costs(small_plan()));
  ASSERT_TRUE(j["error"].is_null()) << j.dump();
  EXPECT_TRUE(j["method"].is_string());
  EXPECT_EQ(j["page_bytes"], 4096);
  EXPECT_EQ(j["rounds"], 3);
  EXPECT_TRUE(j["fault"]["ns_per_fault"].is_number());
  EXPECT_EQ(j["fault"]["pages_per_round"], 64);
  EXPECT_EQ(j["fault"]["faults_taken"], j["fault"]["pages_touched"]);
  EXPECT_TRUE(j["mprotect"]["ns_per_call"].is_number());
  EXPECT_EQ(j["mprotect"]["calls_per_round"], 16);
  EXPECT_EQ(j["mprotect"]["pages_per_call"], 1);
  EXPECT_TRUE(j["madvise_dontneed"]["ns_per_call"].is_number());
  EXPECT_TRUE(j["madvise_dontneed"]["ns_per_page"].is_number());
  EXPECT_EQ(j["madvise_dontneed"]["pages_per_range_call"], 64);
}

// The calibration a run makes. Its figures are printed for the reader (docs/ci.md), not asserted.
TEST(KernelCosts, TheDefaultCalibrationTakesOneFaultPerPageToo) {
  const KernelCosts k = measure_kernel_costs();
  ASSERT_TRUE(k.ok) << k.error;
  EXPECT_EQ(k.pages_touched, 5u * 256u);
  EXPECT_EQ(k.faults_taken, k.pages_touched);
  std::printf("%s\n", kernel_costs_json(k).dump(2).c_str());
}

TEST(KernelCosts, AnEmptyPlanIsAnErrorWithNullFigures) {
  KernelCostPlan p = small_plan();
  p.rounds = 0;
  const KernelCosts k = measure_kernel_costs(p);
  EXPECT_FALSE(k.ok);
  EXPECT_FALSE(k.error.empty());
  const nlohmann::json j = kernel_costs_json(k);
  EXPECT_TRUE(j["error"].is_string());
  EXPECT_TRUE(j["fault"]["ns_per_fault"].is_null());
  EXPECT_TRUE(j["mprotect"]["ns_per_call"].is_null());
  EXPECT_TRUE(j["madvise_dontneed"]["ns_per_call"].is_null());
  EXPECT_TRUE(j["madvise_dontneed"]["ns_per_page"].is_null());
}

}  // namespace
}  // namespace vmbench
