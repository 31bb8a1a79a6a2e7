#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "block_rows.hpp"
#include "figure_values.hpp"
#include "formats.hpp"
#include "noise.hpp"
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

// What the table reads beyond a group: each block's malloc group, and the cost of one page fault on
// this machine when the run measured it (context.kernel_costs), to attribute time to faults.
struct TableInputs {
  std::map<std::string, const json*> reference;
  std::optional<double> fault_ns;
  bool with_cost = false;  // a group has a modelled time (--cost): the table has its column
  std::map<std::string, const json*> oracle;  // each block's oracle group that ran: its "over oracle" column
};

std::optional<double> fault_ns_of(const json& doc) {
  const json& ctx = doc["context"];
  const auto k = ctx.find("kernel_costs");
  if (k == ctx.end() || !k->is_object() || !k->contains("fault")) return std::nullopt;
  const json& f = (*k)["fault"];
  if (!f.is_object() || !f.contains("ns_per_fault") || !f["ns_per_fault"].is_number()) return std::nullopt;
  return f["ns_per_fault"].get<double>();
}

SummaryBlock new_block(const json& g, int reps, const TableInputs& in) {
  SummaryBlock b;
  b.title = g["workload"].get<std::string>() + "  (" + workload_params_text(g["workload_params"]) + ")  " +
            (g["dispatch"] == "virtual" ? "virtual dispatch, " : "") + std::to_string(reps) +
            (reps == 1 ? " rep" : " reps") + ", medians";
  b.header = {"allocator", "time"};
  if (!in.oracle.empty()) b.header.push_back("over oracle");
  if (in.with_cost) b.header.push_back("modelled (kernel)");
  if (in.fault_ns) b.header.push_back("in faults");
  for (const char* h : {"Mops/s", "vs malloc", "peak RSS", "RSS growth", "vs malloc", "commits", "CV", "CPU"})
    b.header.push_back(h);
  // Per-phase columns from the first group that has phases.
  for (const auto& p : g.value("phases", json::array())) b.header.push_back(p["name"].get<std::string>());
  return b;
}

std::string speedup_text(const json& g) {
  const json& vs = g["vs_malloc"];
  if (g["allocator"] == "malloc" || vs.is_null() || vs["speedup"].is_null()) return g["allocator"] == "malloc" ? "1.00x" : "-";
  const double s = vs["speedup"].get<double>();
  return s >= 1 ? fmt("%.2fx faster", s) : fmt("%.2fx slower", 1 / s);
}

// This group's RSS growth against the reference's, "n/a" when the reference grew by less than the floor
// (the document's own ratio is null then too; checked here again for files written before the floor).
std::string rss_ratio_text(const json& g, const json* reference) {
  if (reference == nullptr) return "-";
  const json* r = median(g, FigureId::peak_rss_delta_bytes);
  const json* rm = median(*reference, FigureId::peak_rss_delta_bytes);
  if (r == nullptr || rm == nullptr) return "-";
  const double grew = r->get<double>(), reference_grew = rm->get<double>();
  if (reference_grew < kRssRatioFloorBytes || grew < 0) return "n/a";  // the reference's own row too
  if (reference == &g) return "1.00x";
  if (grew == 0) return "none";
  const double ratio = grew / reference_grew;
  return ratio >= 1 ? fmt("%.2fx more", ratio) : fmt("%.2fx less", 1 / ratio);
}

// The group's throughput: its operations (the same for every allocator of the block) over its median
// time, so that it ranks exactly as time does. The median of the repetitions' ops_per_s would not,
// with an even number of repetitions (docs/metrics.md, "Throughput").
std::string throughput_text(const json& g) {
  const json* ops = group_value(g, figure(FigureId::ops));
  const double wall = median(g, FigureId::wall_s)->get<double>();
  // A program's operations are not counted (ops 0): no throughput.
  if (ops == nullptr || !ops->is_number() || ops->get<double>() <= 0 || wall <= 0) return "-";
  return fmt("%.3g", ops->get<double>() / wall / 1e6);
}

// The heap's own commit counter where it keeps one, else the commits the --syscalls trace counted for
// it, marked "*" (one traced pass, legend below), else "-".
std::string commits_text(const json& g) {
  if (const json* own = median(g, FigureId::heap_commit_calls)) return fmt("%.0f", own->get<double>());
  const auto traced = g.find("syscalls");
  if (traced != g.end() && traced->is_object() && (*traced)["commits"].is_number())
    return fmt("%.0f*", (*traced)["commits"].get<double>());
  return "-";
}

// The median faults times the machine's cost of one: "4.9 ms 16%" of the median time.
std::string fault_time_text(const json& g, double fault_ns) {
  const json* faults = median(g, FigureId::minor_faults);
  const double wall = median(g, FigureId::wall_s)->get<double>();
  if (faults == nullptr || wall <= 0) return "-";
  const double s = faults->get<double>() * fault_ns * 1e-9;
  return human_seconds(s) + fmt(" %.0f%%", 100 * s / wall);
}

// The median share of a CPU the repetitions had, marked when below kMinCpuShare (noise.hpp).
std::string cpu_text(const json& g) {
  const json* share = median(g, FigureId::cpu_s_per_s);
  if (share == nullptr) return "-";
  const double s = share->get<double>();
  return fmt("%.0f%%", s * 100) + (s < kMinCpuShare ? "!" : "");
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

// What the allocator costs on top of the workload's own work: its median time minus the oracle's
// (workloads/heaps/oracle_heap.hpp), and that share of its time. The oracle's memory was touched
// before its measured phase, so its memory columns say n/a.
std::string over_oracle_text(const json& g, const json* oracle) {
  if (oracle == nullptr) return "-";
  if (oracle == &g) return "floor";
  const double t = median(g, FigureId::wall_s)->get<double>();
  const double floor = median(*oracle, FigureId::wall_s)->get<double>();
  if (t <= 0) return "-";
  const double over = t - floor;
  // Appended piece by piece: `"-" + temporary` trips a false -Wrestrict in g++ 12.
  std::string text = over < 0 ? "-" : "";
  return text.append(human_seconds(std::fabs(over))).append(fmt(" (%.0f%%)", 100 * over / t));
}

// The row of a group that ran: the columns of new_block's header.
std::vector<std::string> figures_row(const json& g, const std::string& label, const json* reference,
                                     const TableInputs& in) {
  std::vector<std::string> row = {label};
  row.push_back(human_seconds(median(g, FigureId::wall_s)->get<double>()));
  if (!in.oracle.empty()) {
    const auto o = in.oracle.find(block_id(g));
    row.push_back(over_oracle_text(g, o != in.oracle.end() ? o->second : nullptr));
  }
  if (in.with_cost) row.push_back(modelled_text(g));
  if (in.fault_ns) row.push_back(fault_time_text(g, *in.fault_ns));
  row.push_back(throughput_text(g));
  row.push_back(speedup_text(g));
  const json* peak = median(g, FigureId::peak_rss_bytes);
  row.push_back(peak != nullptr ? human_bytes(peak->get<double>()) : "n/a");
  const json* rss = median(g, FigureId::peak_rss_delta_bytes);
  row.push_back(rss != nullptr && !is_oracle(g) ? human_bytes(rss->get<double>()) : "n/a");
  row.push_back(is_oracle(g) ? "n/a" : rss_ratio_text(g, reference));
  row.push_back(commits_text(g));
  row.push_back(cv_text(g));
  row.push_back(cpu_text(g));
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

// Each block's group of `allocator` that ran: malloc, the reference of the ratios; the oracle, the floor.
std::map<std::string, const json*> groups_of(const json& doc, const char* allocator) {
  std::map<std::string, const json*> out;
  for (const auto& g : doc["groups"])
    if (g["allocator"] == allocator && g["reps_ok"].get<int>() > 0) out.emplace(block_id(g), &g);
  return out;
}

}  // namespace

std::string summary_legend(const json& doc) {
  return "peak RSS: the process's VmHWM during the measured phase (start-up and set-up included).\n"
         "RSS growth: that peak minus VmRSS at the phase's start; its vs malloc is n/a when malloc's grew by less "
         "than " + human_bytes(kRssRatioFloorBytes) + ".\n"
         "commits: the heap's own counter; with *, the commit calls the --syscalls trace counted (one traced "
         "pass, time-based purging pinned).\n"
         "CPU: the share of one CPU the phase had, (user + sys) / wall; ! below " +
         fmt("%.0f%%", kMinCpuShare * 100) + ": it waited, and its time with it." +
         (fault_ns_of(doc) ? "\nin faults: minor faults x " + fmt("%.0f", *fault_ns_of(doc)) +
                                 " ns, the cost of one measured at the start of the run (context.kernel_costs), and "
                                 "its share of the time."
                           : std::string());
}

std::vector<SummaryBlock> summary_blocks(const json& doc) {
  std::vector<SummaryBlock> blocks;
  std::map<std::string, std::size_t> index;
  const TableInputs in{groups_of(doc, "malloc"), fault_ns_of(doc), has_modelled_time(doc), groups_of(doc, "oracle")};
  const int reps = doc["plan"]["reps"].get<int>();
  for (const auto& g : doc["groups"]) {
    const std::string id = block_id(g);
    if (index.count(id) == 0) {
      index[id] = blocks.size();
      blocks.push_back(new_block(g, reps, in));
    }
    SummaryBlock& b = blocks[index[id]];
    const std::string label = row_label(g);
    if (g["reps_ok"].get<int>() == 0) {
      b.rows.push_back({label, "failed"});
      continue;
    }
    const auto ref = in.reference.find(id);
    b.rows.push_back(figures_row(g, label, ref != in.reference.end() ? ref->second : nullptr, in));
    add_notes(g, label, b);
  }
  return blocks;
}

}  // namespace vmbench
