// The timeline pass: memory over time. Every `every_ops` operations (deterministic for a seed), and
// at the workload's named checkpoints, it reads at the same instant live bytes L, anonymous RSS R
// (/proc/self/statm, minus the baseline at the start of the phase) and committed bytes (the heap's
// counters, else the library's own statistics). From the series: f(t) = R/L, F3 = R/L where R
// peaks (over the plateau of points within 1% of the peak, below), F4 = peak R / peak L
// (docs/metrics.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "native_stats.hpp"
#include "op_probe.hpp"

namespace vmbench {

struct TimelinePoint {
  std::uint64_t op;
  double at_s;
  std::uint64_t live_bytes;
  std::int64_t rss_delta_bytes;
  bool has_committed;
  std::uint64_t committed_bytes;
  std::string label;  // empty for a periodic point
};

// RSS sampled at a page's granularity is flat near its peak while live bytes may fall: a strict argmax
// picks one point of that plateau by chance (frag on malloc: R/L anywhere from 2.53 to 7.30 within
// 8 KiB of the peak). F3 is therefore taken over every point whose R is within this fraction of the
// peak: the lowest R/L there (the plateau's point with the most live bytes), with the highest beside it.
inline constexpr double kF3Plateau = 0.01;

struct PlateauF3 {
  double lowest = 0, highest = 0;  // R/L over the plateau: F3 and F3_max
  std::size_t index = 0;           // of the point where F3 is taken
  bool in_series = true;           // false: F3 is the peak's own sample, which a truncated series dropped
  std::size_t points = 0;          // on the plateau with L > 0; 0: no F3
};
PlateauF3 plateau_f3(const std::vector<TimelinePoint>& points, std::int64_t peak_rss);
// The same for a whole phase whose series may be truncated: the plateau of the kept points around the
// peak of every sample (`peak_rss`, with `live_at_peak` the live bytes of the sample that reached it).
// When no kept point reached that peak (a truncated series dropped its sample), the peak's own sample
// joins the plateau, outside the series (in_series false when F3 is taken there).
PlateauF3 whole_phase_f3(const std::vector<TimelinePoint>& kept, std::int64_t peak_rss, std::uint64_t live_at_peak);

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
  void count_op(std::uint64_t live_bytes) noexcept {
    last_live_bytes_ = live_bytes;
    if (active_ && ++ops_ % every_ops_ == 0) sample(live_bytes, {});
  }
  void sample(std::uint64_t live_bytes, const std::string& label) noexcept;

  std::uint64_t every_ops_;
  const NativeStatsReader& native_;
  std::vector<TimelinePoint> points_;
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
