// The latency table (--latency): per allocator, the p50, p99, p99.9 and the slowest call of each kind of
// operation, from the one timed pass. Below the timer's resolved floor a value reads "< N ns".
#include <algorithm>
#include <optional>

#include "block_rows.hpp"
#include "pass_tables.hpp"

namespace vmbench {

using nlohmann::json;

namespace {

constexpr const char* kOperationKinds[] = {"alloc", "free"};  // latency_probe.cpp's kinds

struct Percentile {
  const char* key;     // in latency.<kind>
  const char* header;  // in the table
};
// The report (scripts/plots/report_tables.py) shows every percentile; four fit 100 columns with two kinds.
constexpr Percentile kPercentiles[] = {{"p50_ns", "p50"}, {"p99_ns", "p99"}, {"p99_9_ns", "p99.9"}, {"max_ns", "max"}};
constexpr std::size_t kPercentileCount = sizeof kPercentiles / sizeof kPercentiles[0];

// The kind's percentiles, "-" each where the group made no call of that kind (the arena frees nothing:
// its kind is null); a kind without its count is taken as called, each missing value n/a.
void add_kind(const json& latency, const char* kind, std::vector<std::string>& row) {
  const auto k = latency.find(kind);
  const bool called = k != latency.end() && k->is_object() && number_in(*k, "count").value_or(1) > 0;
  for (const Percentile& p : kPercentiles) row.push_back(called ? latency_value_text(*k, p.key, latency) : "-");
}

// What every value of the group went through: the timer's step and the read cost taken off.
std::string timer_text(const json& latency) {
  const std::optional<double> step_ns = number_in(latency, "resolution_ns");
  const std::optional<double> cost_ns = number_in(latency, "overhead_subtracted_ns");
  if (!step_ns || !cost_ns) return "each value includes the timer's read cost (a file written before it was subtracted)";
  return number_text("timer steps of %.0f ns, ", *step_ns) + number_text("its %.0f ns read cost subtracted", *cost_ns) +
         number_text("; < %.0f ns: below three steps", number_in(latency, "resolved_from_ns").value_or(0));
}

SummaryBlock new_latency_block(const std::string& name) {
  SummaryBlock b;
  b.title = name + "  latency per call, one timed pass: lower is better";
  b.spans.emplace_back("", 1);
  b.header = {"allocator"};
  for (const char* kind : kOperationKinds) {
    b.spans.emplace_back(kind, kPercentileCount);
    for (const Percentile& p : kPercentiles) b.header.emplace_back(p.header);
  }
  return b;
}

}  // namespace

std::vector<SummaryBlock> latency_blocks(const json& doc) {
  std::vector<SummaryBlock> out;
  for (const PassBlock& block : pass_blocks_of(doc)) {
    const auto& groups = block.groups;
    SummaryBlock b = new_latency_block(block.name);
    std::vector<std::pair<std::string, std::string>> timers;  // {row label, timer_text}
    for (const json* g : groups) {
      const json* latency = pass_object(*g, "latency");
      if (latency == nullptr) continue;
      b.rows.push_back({row_label(*g)});
      for (const char* kind : kOperationKinds) add_kind(*latency, kind, b.rows.back());
      timers.emplace_back(b.rows.back().front(), timer_text(*latency));
    }
    if (b.rows.empty()) continue;
    // One note when every group had the same timer (one machine, one run: the usual case).
    const bool one_timer = std::all_of(timers.begin(), timers.end(), [&](const auto& t) { return t.second == timers.front().second; });
    for (const auto& [label, timer] : timers) {
      b.notes.push_back(one_timer ? timer : label + ": " + timer);
      if (one_timer) break;
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace vmbench
