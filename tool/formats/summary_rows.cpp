#include <cmath>
#include <cstdio>
#include <map>

#include "figure_values.hpp"
#include "formats.hpp"
#include "json_text.hpp"
#include "summary_stats.hpp"

namespace vmbench {

using nlohmann::json;

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  const bool neg = b < 0;
  b = std::fabs(b);
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%s%.0f %s" : "%s%.1f %s", neg ? "-" : "", b, units[u]);
  return buf;
}

std::string human_seconds(double s) {
  char buf[32];
  if (s >= 1) std::snprintf(buf, sizeof buf, "%.2f s", s);
  else if (s >= 1e-3) std::snprintf(buf, sizeof buf, "%.1f ms", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f us", s * 1e6);
  return buf;
}

namespace {

std::string fmt(const char* f, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// The figure's median, or null when the group has no such figure (find, not operator[]: on a const
// document a missing key is undefined behaviour, found by tests/fuzz/results_loader_fuzz).
const json* median(const json& g, FigureId id) {
  const json* s = group_summary(g, figure(id));
  return s != nullptr ? &(*s)["median"] : nullptr;
}

std::string params_text(const json& params) {
  std::string s;
  for (auto it = params.begin(); it != params.end(); ++it) s += (s.empty() ? "" : " ") + it.key() + "=" + it.value().get<std::string>();
  return s;
}

SummaryBlock new_block(const json& g, int reps, bool with_cost) {
  SummaryBlock b;
  b.title = g["workload"].get<std::string>() + "  (" + params_text(g["workload_params"]) + ")  " +
            (g["dispatch"] == "virtual" ? "virtual dispatch, " : "") + std::to_string(reps) +
            (reps == 1 ? " rep" : " reps") + ", medians";
  b.header = {"allocator", "time", "Mops/s", "vs malloc", "peak RSS", "vs malloc", "commits", "CV"};
  if (with_cost) b.header.insert(b.header.begin() + 2, "modelled (kernel)");
  // Per-phase columns from the first group that has phases.
  for (const auto& p : g.value("phases", json::array())) b.header.push_back(p["name"].get<std::string>());
  return b;
}

// The allocator, and the swept parameters that are not workload parameters (commit_step=64K).
std::string row_label(const json& g) {
  std::string label = g["allocator"].get<std::string>();
  for (auto it = g["swept"].begin(); it != g["swept"].end(); ++it)
    if (g["workload_params"].find(it.key()) == g["workload_params"].end())
      label += " " + it.key() + "=" + it.value().get<std::string>();
  return label;
}

std::string speedup_text(const json& g) {
  const json& vs = g["vs_malloc"];
  if (g["allocator"] == "malloc" || vs.is_null() || vs["speedup"].is_null()) return g["allocator"] == "malloc" ? "1.00x" : "-";
  const double s = vs["speedup"].get<double>();
  return s >= 1 ? fmt("%.2fx faster", s) : fmt("%.2fx slower", 1 / s);
}

std::string cv_text(const json& g) {
  const json& wall = *group_summary(g, figure(FigureId::wall_s));
  const double cv = wall["cv"].get<double>();
  return wall["n"].get<int>() >= 2 ? fmt("%.0f%%", cv * 100) + (cv > kNoisyCv ? "!" : "") : "-";
}

// The modelled time beside the wall time (--cost), with the kernel's share of it: "3.6 ms (6%)".
std::string modelled_text(const json& g) {
  const json* total = median(g, FigureId::modelled_s);
  const json* kernel = median(g, FigureId::modelled_kernel_s);
  if (total == nullptr || kernel == nullptr || total->get<double>() <= 0) return "-";
  return human_seconds(total->get<double>()) + fmt(" (%.0f%%)", 100 * kernel->get<double>() / total->get<double>());
}

// Whether any group has a modelled time: the table then has its column.
bool has_modelled_time(const json& doc) {
  for (const auto& g : doc["groups"])
    if (median(g, FigureId::modelled_s) != nullptr) return true;
  return false;
}

// The row of a group that ran: the columns of new_block's header.
std::vector<std::string> figures_row(const json& g, const std::string& label, bool with_cost) {
  const json& vs = g["vs_malloc"];
  std::vector<std::string> row = {label};
  row.push_back(human_seconds(median(g, FigureId::wall_s)->get<double>()));
  if (with_cost) row.push_back(modelled_text(g));
  const bool counted = g["ops"].is_number() && g["ops"].get<double>() > 0;  // a program's operations are not counted
  const json* ops_per_s = median(g, FigureId::ops_per_s);
  row.push_back(counted && ops_per_s != nullptr ? fmt("%.1f", ops_per_s->get<double>() / 1e6) : "-");
  row.push_back(speedup_text(g));
  const json* rss = median(g, FigureId::peak_rss_delta_bytes);
  row.push_back(rss != nullptr ? human_bytes(rss->get<double>()) : "n/a");
  row.push_back(!vs.is_null() && !vs["peak_rss_ratio"].is_null() ? fmt("%.2fx", vs["peak_rss_ratio"].get<double>())
                                                                  : "-");
  const json* commits = median(g, FigureId::heap_commit_calls);
  row.push_back(commits != nullptr ? fmt("%.0f", commits->get<double>()) : "-");
  row.push_back(cv_text(g));
  for (const auto& p : g.value("phases", json::array())) row.push_back(human_seconds(p["seconds"]["median"].get<double>()));
  return row;
}

void add_notes(const json& g, const std::string& label, SummaryBlock& b) {
  if (!g["heap_note"].is_null() && !g["heap_note"].get<std::string>().empty())
    b.notes.push_back(label + ": " + g["heap_note"].get<std::string>());
  const json* frees_skipped = group_value(g, figure(FigureId::frees_skipped));
  const std::uint64_t skipped = frees_skipped != nullptr ? frees_skipped->get<std::uint64_t>() : 0;
  if (skipped > 0)
    b.notes.push_back(label + ": no individual free; " + std::to_string(skipped) +
                      " frees skipped (memory returns when its lifetime group is released)");
  if (g["reps_failed"].get<int>() > 0)
    b.notes.push_back(label + ": " + std::to_string(g["reps_failed"].get<int>()) + " repetition(s) failed");
}

}  // namespace

std::vector<SummaryBlock> summary_blocks(const json& doc) {
  std::vector<SummaryBlock> blocks;
  std::map<std::string, std::size_t> index;
  const int reps = doc["plan"]["reps"].get<int>();
  const bool with_cost = has_modelled_time(doc);
  for (const auto& g : doc["groups"]) {
    const std::string id = g["workload"].get<std::string>() + " " + g["dispatch"].get<std::string>() + " " +
                           json_text(g["workload_params"]);
    if (index.count(id) == 0) {
      index[id] = blocks.size();
      blocks.push_back(new_block(g, reps, with_cost));
    }
    SummaryBlock& b = blocks[index[id]];
    const std::string label = row_label(g);
    if (g["reps_ok"].get<int>() == 0) {
      b.rows.push_back({label, "failed"});
      continue;
    }
    b.rows.push_back(figures_row(g, label, with_cost));
    add_notes(g, label, b);
  }
  return blocks;
}

}  // namespace vmbench
