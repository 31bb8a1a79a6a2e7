// The fragmentation table: per allocator, RSS over live bytes at each of the workload's checkpoints
// (every run records them, docs/metrics.md "Checkpoints"), and F3 and F4 where the timeline pass ran.
// RSS is taken above the phase's baseline and the two are medians over the repetitions, as in the
// fragmentation figure and the report's table (scripts/plots/fragmentation.py), so all three agree.
#include <algorithm>
#include <map>
#include <optional>

#include "block_rows.hpp"
#include "pass_tables.hpp"
#include "summary_stats.hpp"

namespace vmbench {

using nlohmann::json;

namespace {

// Columns of checkpoints that fit 100 columns beside F3 and F4; the report shows the rest.
constexpr std::size_t kMaxCheckpointColumns = 6;

struct CheckpointMedians {
  std::string label;
  double live_bytes = 0;
  double rss_growth_bytes = 0;  // RSS at the checkpoint minus the phase's baseline
};

// {label: (live, RSS growth) of each repetition} of one ok cell, labels in the cell's order.
void add_cell(const json& cell, std::vector<std::string>& order, std::map<std::string, std::vector<std::pair<double, double>>>& by) {
  const auto figures = cell.find("figures");
  if (figures == cell.end() || !figures->is_object()) return;
  const std::optional<double> base = number_in(*figures, "rss_baseline_bytes");
  const auto points = figures->find("checkpoints");
  if (!base || points == figures->end() || !points->is_array()) return;
  for (const auto& cp : *points) {
    const auto label = cp.find("label");
    const std::optional<double> live = number_in(cp, "live_bytes"), rss = number_in(cp, "rss_bytes");
    if (label == cp.end() || !label->is_string() || !live || !rss) continue;
    auto [at, added] = by.try_emplace(label->get<std::string>());
    if (added) order.push_back(at->first);
    at->second.emplace_back(*live, *rss - *base);
  }
}

// The group's checkpoints, medians over its ok cells (the repetitions), in the order first recorded.
std::vector<CheckpointMedians> checkpoints_of(const json& doc, const json& g) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::pair<double, double>>> by;
  for (const auto& c : doc["cells"])
    if (c.value("key", "") == g["key"] && c.value("status", "") == "ok") add_cell(c, order, by);
  std::vector<CheckpointMedians> out;
  for (const std::string& label : order) {
    std::vector<double> live, rss;
    for (const auto& [l, r] : by[label]) {
      live.push_back(l);
      rss.push_back(r);
    }
    out.push_back({label, summarize(live).median, summarize(rss).median});
  }
  return out;
}

// "1.42x"; with nothing live, the RSS still held ("5.3 MiB held"); a fall below the baseline counts as 0.
std::string ratio_text(const CheckpointMedians& m) {
  const double held = std::max(m.rss_growth_bytes, 0.0);
  return m.live_bytes > 0 ? number_text("%.2fx", held / m.live_bytes) : human_bytes(held) + " held";
}

std::string factor_text(const json* fragmentation, const char* key) {
  const std::optional<double> f = fragmentation != nullptr ? number_in(*fragmentation, key) : std::nullopt;
  return f ? number_text("%.2f", *f) : "-";
}

struct BlockData {
  std::vector<std::vector<CheckpointMedians>> checkpoints;  // per group
  std::vector<std::string> labels;                          // union, in order of first appearance
  bool factors = false;                                     // some group has F3/F4 (--timeline)
};

BlockData block_data(const json& doc, const std::vector<const json*>& groups) {
  BlockData d;
  for (const json* g : groups) {
    d.checkpoints.push_back(checkpoints_of(doc, *g));
    for (const auto& m : d.checkpoints.back())
      if (std::find(d.labels.begin(), d.labels.end(), m.label) == d.labels.end()) d.labels.push_back(m.label);
    d.factors = d.factors || pass_object(*g, "fragmentation") != nullptr;
  }
  return d;
}

SummaryBlock new_fragmentation_block(const std::string& name, const BlockData& d, std::size_t shown) {
  SummaryBlock b;
  b.title = name + "  RSS over live bytes at each checkpoint: closer to 1x is better";
  b.header = {"allocator"};
  b.header.insert(b.header.end(), d.labels.begin(), d.labels.begin() + static_cast<std::ptrdiff_t>(shown));
  if (d.factors) b.header.insert(b.header.end(), {"F3", "F4"});
  b.notes.push_back("RSS above the phase's start over live bytes, medians of the repetitions");
  if (shown < d.labels.size())
    b.notes.push_back("the first " + std::to_string(shown) + " of " + std::to_string(d.labels.size()) +
                      " checkpoints; vmbench report shows them all");
  if (d.factors)
    b.notes.push_back("F3: RSS / live where RSS peaks; F4: peak RSS / peak live (timeline pass, docs/glossary.md)");
  return b;
}

std::vector<std::string> fragmentation_row(const json& g, const std::vector<CheckpointMedians>& checkpoints,
                                           const BlockData& d, std::size_t shown) {
  std::vector<std::string> row = {row_label(g)};
  for (std::size_t i = 0; i < shown; ++i) {
    const auto m = std::find_if(checkpoints.begin(), checkpoints.end(), [&](const auto& c) { return c.label == d.labels[i]; });
    // The oracle's memory was touched before its phase: its RSS says nothing (as in the main table).
    row.push_back(is_oracle(g) ? "n/a" : m != checkpoints.end() ? ratio_text(*m) : "-");
  }
  if (d.factors)
    for (const char* key : {"F3", "F4"})
      row.push_back(is_oracle(g) ? "n/a" : factor_text(pass_object(g, "fragmentation"), key));
  return row;
}

// Whether a cell reads "... held" (ratio_text): its note is given only then.
bool shows_held(const SummaryBlock& b) {
  for (const auto& row : b.rows)
    for (const std::string& cell : row)
      if (cell.ends_with(" held")) return true;
  return false;
}

}  // namespace

// A block gets the table when its checkpoints can show a change (two or more), or the timeline pass
// gave F3 and F4: a single checkpoint (tree's `trees done`) is the peak the main table already shows.
std::vector<SummaryBlock> fragmentation_blocks(const json& doc) {
  std::vector<SummaryBlock> out;
  for (const PassBlock& block : pass_blocks_of(doc)) {
    const auto& groups = block.groups;
    const BlockData d = block_data(doc, groups);
    if (d.labels.size() < 2 && !d.factors) continue;
    const std::size_t shown = std::min(d.labels.size(), kMaxCheckpointColumns);
    SummaryBlock b = new_fragmentation_block(block.name, d, shown);
    for (std::size_t i = 0; i < groups.size(); ++i)
      if (!d.checkpoints[i].empty() || pass_object(*groups[i], "fragmentation") != nullptr)
        b.rows.push_back(fragmentation_row(*groups[i], d.checkpoints[i], d, shown));
    if (shows_held(b)) b.notes.insert(b.notes.begin() + 1, "held: the RSS growth still held with nothing live");
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace vmbench
