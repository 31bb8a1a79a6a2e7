#include "timeline_probe.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "probes.hpp"

namespace vmbench {

TimelineProbe::TimelineProbe(std::uint64_t every_ops, const NativeStatsReader& native)
    : every_ops_(std::max<std::uint64_t>(1, every_ops)), native_(native) {
  points_.reserve(kMaxPoints);
}

void TimelineProbe::start() noexcept {
  baseline_anon_bytes_ = read_statm().anon_bytes;
  t0_s_ = monotonic_now_s();
  ops_ = 0;
  active_ = true;
  sample(last_live_bytes_, "start");
}

void TimelineProbe::stop() noexcept {
  sample(last_live_bytes_, "end");
  active_ = false;
}

void TimelineProbe::checkpoint(const std::string& label, std::uint64_t live_bytes) noexcept {
  last_live_bytes_ = live_bytes;
  if (active_) sample(live_bytes, label);
}

void TimelineProbe::sample(std::uint64_t live_bytes, const std::string& label) noexcept {
  const Statm m = read_statm();
  TimelinePoint p{ops_, monotonic_now_s() - t0_s_, live_bytes,
          static_cast<std::int64_t>(m.anon_bytes) - static_cast<std::int64_t>(baseline_anon_bytes_), false, 0, label};
  if (!any_sample_ || p.rss_delta_bytes > peak_rss_delta_bytes_) {
    peak_rss_delta_bytes_ = p.rss_delta_bytes;
    live_at_peak_rss_bytes_ = p.live_bytes;
  }
  peak_live_bytes_ = std::max(peak_live_bytes_, p.live_bytes);
  any_sample_ = true;
  if (points_.size() >= kMaxPoints) {
    ++dropped_points_;
    // The series is full: a named point (a checkpoint, the end) takes the place of the last periodic one.
    const auto periodic =
        std::find_if(points_.rbegin(), points_.rend(), [](const TimelinePoint& q) { return q.label.empty(); });
    if (label.empty() || periodic == points_.rend()) return;
    points_.erase(std::next(periodic).base());
  }
  if (heap_counters) {
    const HeapCounters c = heap_counters();
    if (c.known) {
      p.has_committed = true;
      p.committed_bytes = c.committed_bytes;
      committed_source_ = "heap counters";
    }
  }
  if (!p.has_committed && native_.available()) {
    const NativeStats s = native_.read();
    p.has_committed = s.has_committed;
    p.committed_bytes = s.committed_bytes;
    if (s.has_committed) committed_source_ = native_.source();
  }
  points_.push_back(std::move(p));
}

PlateauF3 plateau_f3(const std::vector<TimelinePoint>& points, std::int64_t peak_rss) {
  PlateauF3 out;
  const double floor = static_cast<double>(peak_rss) - std::abs(static_cast<double>(peak_rss)) * kF3Plateau;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const TimelinePoint& p = points[i];
    if (static_cast<double>(p.rss_delta_bytes) < floor || p.live_bytes == 0) continue;
    const double f = static_cast<double>(p.rss_delta_bytes) / static_cast<double>(p.live_bytes);
    if (out.points == 0 || f < out.lowest) {
      out.lowest = f;
      out.index = i;
    }
    out.highest = out.points == 0 ? f : std::max(out.highest, f);
    ++out.points;
  }
  return out;
}

PlateauF3 whole_phase_f3(const std::vector<TimelinePoint>& kept, std::int64_t peak_rss, std::uint64_t live_at_peak) {
  PlateauF3 out = plateau_f3(kept, peak_rss);
  const bool peak_kept =
      std::any_of(kept.begin(), kept.end(), [&](const TimelinePoint& p) { return p.rss_delta_bytes == peak_rss; });
  if (peak_kept || live_at_peak == 0) return out;
  const double f = static_cast<double>(peak_rss) / static_cast<double>(live_at_peak);
  if (out.points == 0 || f < out.lowest) {
    out.lowest = f;
    out.in_series = false;
  }
  out.highest = out.points == 0 ? f : std::max(out.highest, f);
  ++out.points;
  return out;
}

nlohmann::json TimelineProbe::to_json() const {
  using nlohmann::json;
  json op = json::array(), at = json::array(), live = json::array(), rss = json::array(), committed = json::array(),
       f = json::array(), labels = json::array();
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const TimelinePoint& p = points_[i];
    op.push_back(p.op);
    at.push_back(p.at_s);
    live.push_back(p.live_bytes);
    rss.push_back(p.rss_delta_bytes);
    committed.push_back(p.has_committed ? json(p.committed_bytes) : json(nullptr));
    f.push_back(p.live_bytes > 0 ? json(static_cast<double>(p.rss_delta_bytes) / static_cast<double>(p.live_bytes))
                                 : json(nullptr));
    if (!p.label.empty()) labels.push_back({{"index", i}, {"label", p.label}});
  }
  auto ratio = [](double a, std::uint64_t b) { return b > 0 ? json(a / static_cast<double>(b)) : json(nullptr); };
  const PlateauF3 f3 = whole_phase_f3(points_, peak_rss_delta_bytes_, live_at_peak_rss_bytes_);
  return {{"every_ops", every_ops_},
          {"points", points_.size()},
          {"op", op},
          {"at_s", at},
          {"live_bytes", live},
          {"rss_delta_bytes", rss},
          {"committed_bytes", committed},
          {"committed_source", committed_source_.empty() ? json(nullptr) : json(committed_source_)},
          {"f", f},
          {"labels", labels},
          {"truncated", dropped_points_ > 0},
          {"dropped_points", dropped_points_},
          {"peak_rss_delta_bytes", peak_rss_delta_bytes_},
          {"peak_live_bytes", peak_live_bytes_},
          {"F3", f3.points > 0 ? json(f3.lowest) : json(nullptr)},
          {"F3_max", f3.points > 0 ? json(f3.highest) : json(nullptr)},
          {"F3_index", f3.points > 0 && f3.in_series ? json(f3.index) : json(nullptr)},
          {"F3_points", f3.points},
          {"F4", ratio(static_cast<double>(peak_rss_delta_bytes_), peak_live_bytes_)}};
}

}  // namespace vmbench
