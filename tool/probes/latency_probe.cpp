#include "latency_probe.hpp"

#include "cycle_clock.hpp"
#include "probes.hpp"

namespace vmbench {

namespace {

constexpr int kTimerCostSamples = 100000;  // ~ms of back-to-back reads: enough for a stable median
constexpr double kMinCalibrationS = 1e-3;  // shorter phases: the tick rate comes from a 10 ms wait
constexpr double kCalibrationWaitS = 0.01;

nlohmann::json percentiles(const LatencyHistogram& h, double ns_per_tick) {
  if (h.count() == 0) return nullptr;
  auto ns = [&](double q) { return static_cast<double>(h.value_at_quantile(q)) * ns_per_tick; };
  return {{"count", h.count()},    {"p50_ns", ns(0.50)},     {"p90_ns", ns(0.90)},
          {"p99_ns", ns(0.99)},    {"p99_9_ns", ns(0.999)},  {"p99_99_ns", ns(0.9999)},
          {"max_ns", static_cast<double>(h.max()) * ns_per_tick}};
}

}  // namespace

LatencyProbe::LatencyProbe() {
  for (int i = 0; i < kTimerCostSamples; ++i) {
    const std::uint64_t a = cycle_ticks();
    const std::uint64_t b = cycle_ticks();
    timer_ticks_.record(b - a);
  }
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

nlohmann::json LatencyProbe::to_json() const {
  const double k = ns_per_tick();
  return {{"timer", kCycleClockName},
          {"ns_per_tick", k},
          {"timer_cost_ns", {{"min", static_cast<double>(timer_ticks_.value_at_quantile(0.0)) * k},
                             {"median", static_cast<double>(timer_ticks_.value_at_quantile(0.5)) * k}}},
          {"relative_error_max", 1.0 / LatencyHistogram::kSubBuckets},
          {"alloc", percentiles(alloc_ticks_, k)},
          {"free", percentiles(free_ticks_, k)}};
}

}  // namespace vmbench
