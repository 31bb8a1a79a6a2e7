#include "noise.hpp"

#include <stdlib.h>

#include <cstdio>

#include "figure_values.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

std::string percent(double share) { return fmt("%.0f%%", share * 100); }

// Cells that had less than kMinCpuShare of a CPU: how many of the ok cells, and the lowest.
struct Starved {
  int n = 0, of = 0;
  double lowest = 1;
  std::string where;
};

Starved starved_cells(const json& cells) {
  Starved s;
  for (const auto& c : cells) {
    if (c.value("status", "") != "ok") continue;
    const std::optional<double> share = cell_number(c["figures"], figure(FigureId::cpu_s_per_s));
    if (!share) continue;
    ++s.of;
    if (*share >= kMinCpuShare) continue;
    ++s.n;
    if (*share < s.lowest) {
      s.lowest = *share;
      s.where = c.value("key", "?") + " rep " + std::to_string(c.value("rep", 0));
    }
  }
  return s;
}

// Groups of at least two repetitions whose time varies by more than kNoisyCv.
struct Varied {
  int n = 0, of = 0;
  double worst = 0;
  std::string where;
};

Varied varied_groups(const json& groups) {
  Varied v;
  for (const auto& g : groups) {
    const json* wall = group_summary(g, figure(FigureId::wall_s));
    if (wall == nullptr || (*wall)["n"].get<int>() < 2) continue;
    ++v.of;
    const double cv = (*wall)["cv"].get<double>();
    if (cv <= kNoisyCv) continue;
    ++v.n;
    if (cv > v.worst) {
      v.worst = cv;
      v.where = g.value("key", "?");
    }
  }
  return v;
}

// The 1-minute load average of a context entry, when recorded.
std::optional<double> load_of(const json& context, const char* key) {
  const auto it = context.find(key);
  if (it == context.end() || !it->is_array() || it->empty() || !(*it)[0].is_number()) return std::nullopt;
  return (*it)[0].get<double>();
}

std::string likely_cause(const Starved& s, const json& context) {
  const std::optional<double> before = load_of(context, "load_average_before");
  const std::optional<double> after = load_of(context, "load_average_after");
  const double cpus = context.value("cpu_count", 0.0);
  std::string load;
  if (before) load += fmt("%.2f before the run", *before);
  if (after) load += (load.empty() ? "" : ", ") + fmt("%.2f after", *after);
  if (cpus > 0 && !load.empty()) load += fmt(", on %.0f CPUs", cpus);
  // vmbench's own cell is one runnable task: a load above the CPUs left means others competed.
  const bool busy = cpus > 0 && ((before && *before > cpus - 1) || (after && *after > cpus - 1));
  if (busy) return "likely cause: other processes competing for the CPUs (load average " + load + ")";
  if (s.n > 0)
    return "likely cause: the cells waited without a CPU, for the disk, memory reclaim or a CPU quota (cgroup)" +
           (load.empty() ? std::string() : " (load average " + load + ")");
  return "likely cause: the timings themselves vary (short phases, frequency scaling, caches; "
         "docs/metrics.md, Pitfalls)" + (load.empty() ? std::string() : " (load average " + load + ")");
}

}  // namespace

json load_average_json() {
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) != 3) return nullptr;
  return json::array({load[0], load[1], load[2]});
}

std::optional<std::string> noise_summary(const json& cells, const json& groups, const json& context) {
  const Starved s = starved_cells(cells);
  const Varied v = varied_groups(groups);
  if (s.n == 0 && v.n == 0) return std::nullopt;
  std::string line = "noisy measurements: ";
  if (s.n > 0)
    line += std::to_string(s.n) + " of " + std::to_string(s.of) + " cells got less than " + percent(kMinCpuShare) +
            " of a CPU during their measured phase (lowest " + percent(s.lowest) + ": " + s.where + ")";
  if (v.n > 0)
    line += std::string(s.n > 0 ? "; " : "") + "time varies by more than " + percent(kNoisyCv) + " (CV) in " +
            std::to_string(v.n) + " of " + std::to_string(v.of) + " groups (up to " + percent(v.worst) + ": " +
            v.where + ")";
  line += "; " + likely_cause(s, context) + (s.n > 0 ? ". Times include the waiting" : "") +
          ": treat times and ratios with care";
  return line;
}

}  // namespace vmbench
