// The latency pass's timer at its real resolution (timer_resolution.hpp): its step found from the
// differences back-to-back reads show, the read cost subtracted from every percentile, and figures
// below three steps printed as "< N ns". Synthetic histograms: never the machine's own timer.
#include "timer_resolution.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "latency_probe.hpp"

namespace vmbench {
namespace {

std::unique_ptr<LatencyHistogram> with(std::initializer_list<std::pair<std::uint64_t, int>> values) {
  auto h = std::make_unique<LatencyHistogram>();
  for (const auto& [v, n] : values)
    for (int i = 0; i < n; ++i) h->record(v);
  return h;
}

TEST(TimerResolution, ACounterInStepsShowsDifferencesOneStepApart) {
  // The test machine's TSC under its hypervisor: back-to-back reads differ by 52 or 78 ticks.
  EXPECT_EQ(timer_step_ticks(*with({{52, 75000}, {78, 25000}}), 52), 26u);
  // A rare outlier (an interrupt) is not a step of the timer.
  EXPECT_EQ(timer_step_ticks(*with({{52, 75000}, {78, 25000}, {60, 3}}), 52), 26u);
}

TEST(TimerResolution, ACounterOfSingleTicksHasAStepOfOne) {
  EXPECT_EQ(timer_step_ticks(*with({{24, 30000}, {25, 50000}, {26, 20000}}), 24), 1u);
}

TEST(TimerResolution, OneDifferenceOnlyFallsBackToTheSmallestIncrement) {
  EXPECT_EQ(timer_step_ticks(*with({{40, 100000}}), 40), 40u);  // cannot tell finer: the conservative step
  EXPECT_EQ(timer_step_ticks(*with({{0, 90000}, {1000, 10000}}), 1000), 1000u);  // a coarse clock
  EXPECT_EQ(timer_step_ticks(*with({}), 0), LatencyHistogram::kExactBelow);
}

TEST(TimerResolution, TheReadCostIsSubtractedFromEveryPercentile) {
  const auto h = with({{78, 60}, {52, 30}, {2000, 10}});
  const nlohmann::json p = latency_percentiles(*h, 0.5, 52);
  EXPECT_DOUBLE_EQ(p["p50_ns"].get<double>(), (78 - 52) * 0.5);
  EXPECT_DOUBLE_EQ(p["p90_ns"].get<double>(), (78 - 52) * 0.5);
  EXPECT_DOUBLE_EQ(p["max_ns"].get<double>(), (2000 - 52) * 0.5);
  EXPECT_DOUBLE_EQ(latency_percentiles(*with({{40, 10}}), 0.5, 52)["p50_ns"].get<double>(), 0.0)
      << "never below zero";
  EXPECT_TRUE(latency_percentiles(*with({}), 0.5, 52).is_null());
}

}  // namespace
}  // namespace vmbench
