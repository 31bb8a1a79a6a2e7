// The latency pass: every allocate and free of the measured phase timed with the cycle counter
// (workloads/cycle_clock.hpp) into one histogram per operation kind; ticks become ns by calibrating
// the counter against CLOCK_MONOTONIC over the phase itself. Before the phase it measures the timer
// (timer_resolution.hpp): the cost of a read, which is subtracted from every figure, and its step,
// below three of which a figure is not resolved (docs/metrics.md, Latency).
#pragma once

#include <nlohmann/json.hpp>

#include "latency_histogram.hpp"
#include "op_probe.hpp"

namespace vmbench {

class LatencyProbe final : public OpProbe {
 public:
  LatencyProbe();  // measures the timer (back-to-back reads, its step) before anything else runs
  void start() noexcept;  // at the start of the measured phase
  void stop() noexcept;   // at its end

  void allocated(std::uintptr_t, std::size_t, std::uint64_t ticks, std::uint64_t) override {
    if (active_) alloc_ticks_.record(ticks);
  }
  void freed(std::uintptr_t, std::size_t, std::uint64_t ticks, std::uint64_t) override {
    if (active_) free_ticks_.record(ticks);
  }

  double ns_per_tick() const noexcept;
  nlohmann::json to_json() const;

 private:
  LatencyHistogram alloc_ticks_, free_ticks_, timer_ticks_;
  std::uint64_t step_ticks_ = 1;
  bool active_ = false;
  std::uint64_t tick_begin_ = 0, tick_end_ = 0;
  double mono_begin_s_ = 0, mono_end_s_ = 0;
};

// The percentiles of one histogram in ns, each with `overhead_ticks` subtracted (at least 0); null
// when it is empty. Out of line for its test.
nlohmann::json latency_percentiles(const LatencyHistogram& h, double ns_per_tick, std::uint64_t overhead_ticks);

}  // namespace vmbench
