#include "latency_probe.hpp"

#include "cycle_clock.hpp"
#include "probes.hpp"
#include "timer_resolution.hpp"

namespace vmbench {

namespace {

constexpr int kTimerCostSamples = 100000;  // ~ms of back-to-back reads: enough for a stable median
constexpr double kMinCalibrationS = 1e-3;  // shorter phases: the tick rate comes from a 10 ms wait
constexpr double kCalibrationWaitS = 0.01;
constexpr int kSpinTries = 1000;  // waits for the counter to change: its smallest increment

}  // namespace

nlohmann::json latency_percentiles(const LatencyHistogram& h, double ns_per_tick, std::uint64_t overhead_ticks) {
  if (h.count() == 0) return nullptr;
  auto ns = [&](std::uint64_t ticks) {
    return static_cast<double>(ticks > overhead_ticks ? ticks - overhead_ticks : 0) * ns_per_tick;
  };
  auto at = [&](double q) { return ns(h.value_at_quantile(q)); };
  return {{"count", h.count()}, {"p50_ns", at(0.50)},    {"p90_ns", at(0.90)},       {"p99_ns", at(0.99)},
          {"p99_9_ns", at(0.999)}, {"p99_99_ns", at(0.9999)}, {"max_ns", ns(h.max())}};
}

LatencyProbe::LatencyProbe() {
  for (int i = 0; i < kTimerCostSamples; ++i) {
    const std::uint64_t a = cycle_ticks();
    const std::uint64_t b = cycle_ticks();
    timer_ticks_.record(b - a);
  }
  step_ticks_ = timer_step_ticks(timer_ticks_, smallest_spin_increment(kSpinTries));
}

void LatencyProbe::start() noexcept {
  mono_begin_s_ = monotonic_now_s();
  tick_begin_ = cycle_ticks();
  active_ = true;
}

void LatencyProbe::stop() noexcept {
  active_ = false;
  tick_end_ = cycle_ticks();
  mono_end_s_ = monotonic_now_s();
  if (mono_end_s_ - mono_begin_s_ < kMinCalibrationS) {  // too short to calibrate on: wait a little
    while (monotonic_now_s() - mono_end_s_ < kCalibrationWaitS) {
    }
    tick_end_ = cycle_ticks();
    mono_end_s_ = monotonic_now_s();
  }
}

double LatencyProbe::ns_per_tick() const noexcept {
  const std::uint64_t ticks = tick_end_ - tick_begin_;
  return ticks > 0 ? (mono_end_s_ - mono_begin_s_) * 1e9 / static_cast<double>(ticks) : 1.0;
}

// The read cost subtracted is the median back-to-back difference: what an empty operation measures.
nlohmann::json LatencyProbe::to_json() const {
  const double k = ns_per_tick();
  const std::uint64_t overhead = timer_ticks_.value_at_quantile(0.5);
  const double step_ns = static_cast<double>(step_ticks_) * k;
  return {{"timer", kCycleClockName},
          {"ns_per_tick", k},
          {"timer_cost_ns", {{"min", static_cast<double>(timer_ticks_.value_at_quantile(0.0)) * k},
                             {"median", static_cast<double>(overhead) * k}}},
          {"resolution_ns", step_ns},
          {"overhead_subtracted_ns", static_cast<double>(overhead) * k},
          {"resolved_from_ns", static_cast<double>(kResolvedSteps) * step_ns},
          {"relative_error_max", 1.0 / LatencyHistogram::kSubBuckets},
          {"alloc", latency_percentiles(alloc_ticks_, k, overhead)},
          {"free", latency_percentiles(free_ticks_, k, overhead)}};
}

}  // namespace vmbench
