// The timeline pass: memory over time. Every `every_ops` operations (deterministic for a seed), and
// at the workload's named checkpoints, it reads at the same instant live bytes L, anonymous RSS R
// (/proc/self/statm, minus the baseline at the start of the phase) and committed bytes (the heap's
// counters, else the library's own statistics). From the series: f(t) = R/L, F3 = R/L where R
// peaks, F4 = peak R / peak L (docs/metrics.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "native_stats.hpp"
#include "op_probe.hpp"

namespace vmbench {

class TimelineProbe final : public OpProbe {
 public:
  // Bounds the result; reserved before the phase. Samples past it are not kept, but still count in the
  // peaks (F3, F4), and the result says it was truncated.
  static constexpr std::size_t kMaxPoints = 1024;

  TimelineProbe(std::uint64_t every_ops, const NativeStatsReader& native);
  void start() noexcept;
  void stop() noexcept;  // at the end of the phase, with the last live bytes the driver reported
  void checkpoint(const std::string& label, std::uint64_t live_bytes) noexcept;

  void allocated(std::uintptr_t, std::size_t, std::uint64_t, std::uint64_t live_bytes) override { count_op(live_bytes); }
  void freed(std::uintptr_t, std::size_t, std::uint64_t, std::uint64_t live_bytes) override { count_op(live_bytes); }
  // A death without a free (an arena skips it) and a dropped batch are operations of the workload as a free
  // is: the series' operation axis is then the same for every allocator, and the plots share it.
  void died(std::uintptr_t, std::size_t, std::uint64_t live_bytes) override { count_op(live_bytes); }
  void dropped(std::uint64_t objects, std::uint64_t, std::uint64_t live_bytes) override {
    last_live_bytes_ = live_bytes;
    if (!active_) return;
    const std::uint64_t before = ops_ / every_ops_;
    ops_ += objects;
    if (ops_ / every_ops_ != before) sample(live_bytes, {});
  }

  nlohmann::json to_json() const;

 private:
  struct Point {
    std::uint64_t op;
    double at_s;
    std::uint64_t live_bytes;
    std::int64_t rss_delta_bytes;
    bool has_committed;
    std::uint64_t committed_bytes;
    std::string label;  // empty for a periodic point
  };

  void count_op(std::uint64_t live_bytes) noexcept {
    last_live_bytes_ = live_bytes;
    if (active_ && ++ops_ % every_ops_ == 0) sample(live_bytes, {});
  }
  void sample(std::uint64_t live_bytes, const std::string& label) noexcept;

  std::uint64_t every_ops_;
  const NativeStatsReader& native_;
  std::vector<Point> points_;
  bool active_ = false;
  std::uint64_t ops_ = 0;
  std::uint64_t last_live_bytes_ = 0;
  std::uint64_t baseline_anon_bytes_ = 0;
  double t0_s_ = 0;
  std::string committed_source_;
  // Over every sample, kept or not: F3 and F4 of a truncated series are still those of the whole phase.
  bool any_sample_ = false;
  std::int64_t peak_rss_delta_bytes_ = 0;
  std::uint64_t live_at_peak_rss_bytes_ = 0;
  std::uint64_t peak_live_bytes_ = 0;
  std::uint64_t dropped_points_ = 0;
};

}  // namespace vmbench
