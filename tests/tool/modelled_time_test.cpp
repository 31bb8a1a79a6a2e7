// The modelled time: estimated cycles at the nominal frequency plus the kernel work priced by the
// calibration, with known answers, and the reasons it is missing.
#include "modelled_time.hpp"

#include <gtest/gtest.h>

namespace vmbench {
namespace {

using nlohmann::json;

// 1 µs per fault, 0.5 µs per mprotect call, 2 µs per madvise call.
json calibration() {
  return {{"error", nullptr},
          {"fault", {{"ns_per_fault", 1000.0}}},
          {"mprotect", {{"ns_per_call", 500.0}}},
          {"madvise_dontneed", {{"ns_per_call", 2000.0}, {"ns_per_page", 200.0}}}};
}

TEST(ModelledTime, CyclesAtTheNominalFrequencyPlusFaultsCommitsAndDecommitsFromTheHeapCounters) {
  const json cost = {{"estimated_cycles", 3000000}};  // 1 ms at 3 GHz
  const json figures = {{"minor_faults", 100}, {"heap", {{"commit_calls", 10}, {"decommit_calls", 4}}}};
  std::string why;
  const json m = modelled_time_json(cost, figures, calibration(), &why);
  ASSERT_FALSE(m.is_null()) << why;
  EXPECT_DOUBLE_EQ(m["modelled"]["cpu_s"].get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(m["modelled"]["fault_s"].get<double>(), 100e-6);
  EXPECT_DOUBLE_EQ(m["modelled"]["commit_s"].get<double>(), 5e-6);
  EXPECT_DOUBLE_EQ(m["modelled"]["decommit_s"].get<double>(), 4 * 2.5e-6);  // madvise + mprotect each
  EXPECT_DOUBLE_EQ(m["modelled_kernel_s"].get<double>(), 115e-6);
  EXPECT_DOUBLE_EQ(m["modelled_s"].get<double>(), 1.115e-3);
  EXPECT_EQ(m["modelled"]["calls_from"], "heap");
}

TEST(ModelledTime, WithoutHeapCountersTheSyscallsPassCountsTheCallsElseNone) {
  const json cost = {{"estimated_cycles", 0}};
  std::string why;
  const json traced = {{"minor_faults", 0}, {"heap", nullptr}, {"syscalls", {{"commits", 2}, {"decommits", 1}}}};
  const json m = modelled_time_json(cost, traced, calibration(), &why);
  EXPECT_EQ(m["modelled"]["calls_from"], "syscalls");
  EXPECT_DOUBLE_EQ(m["modelled_kernel_s"].get<double>(), 1e-6 + 2.5e-6);
  const json untraced = {{"minor_faults", 7}, {"heap", nullptr}};
  const json n = modelled_time_json(cost, untraced, calibration(), &why);
  EXPECT_TRUE(n["modelled"]["calls_from"].is_null());
  EXPECT_DOUBLE_EQ(n["modelled_kernel_s"].get<double>(), 7e-6);
}

TEST(ModelledTime, NoneWithoutCostFiguresOrACalibration) {
  const json figures = {{"minor_faults", 1}};
  std::string why;
  EXPECT_TRUE(modelled_time_json(nullptr, figures, calibration(), &why).is_null());
  EXPECT_EQ(why, "no cost figures");
  json failed = calibration();
  failed["error"] = "mprotect: Operation not permitted";
  failed["mprotect"]["ns_per_call"] = nullptr;
  EXPECT_TRUE(modelled_time_json({{"estimated_cycles", 5}}, figures, failed, &why).is_null());
  EXPECT_EQ(why, "no kernel cost calibration: mprotect: Operation not permitted");
  EXPECT_TRUE(modelled_time_json({{"estimated_cycles", 5}}, figures, nullptr, &why).is_null());
  EXPECT_EQ(why, "no kernel cost calibration");
}

TEST(ModelledTime, TheContextRecordsTheNominalFrequency) {
  EXPECT_EQ(cost_model_json()["nominal_hz"], 3e9);
  EXPECT_NE(cost_model_json()["formula"].get<std::string>().find("estimated_cycles / nominal_hz"), std::string::npos);
}

}  // namespace
}  // namespace vmbench
