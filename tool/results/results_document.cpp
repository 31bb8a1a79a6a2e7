#include "results_document.hpp"

#include <cstdio>
#include <map>

#include "catalog.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

json summary_json(const Summary& s) {
  return {{"n", s.n},           {"median", s.median}, {"min", s.min}, {"max", s.max},
          {"mean", s.mean},     {"stddev", s.stddev}, {"cv", s.cv}};
}

// Summary of one numeric field over the successful repetitions; null when no repetition has it.
json summarize_field(const std::vector<const CellRecord*>& reps, const char* field) {
  std::vector<double> v;
  for (const auto* r : reps)
    if (r->data.contains(field) && r->data[field].is_number()) v.push_back(r->data[field].get<double>());
  if (v.empty()) return nullptr;
  return summary_json(summarize(v));
}

json summarize_heap(const std::vector<const CellRecord*>& reps, const char* field) {
  std::vector<double> v;
  for (const auto* r : reps)
    if (r->data.contains("heap") && r->data["heap"].is_object()) v.push_back(r->data["heap"][field].get<double>());
  if (v.empty()) return nullptr;
  return summary_json(summarize(v));
}

json summarize_phases(const std::vector<const CellRecord*>& reps) {
  std::map<std::string, std::vector<double>> by_name;
  std::vector<std::string> order;
  for (const auto* r : reps)
    for (const auto& p : r->data["phases"]) {
      const std::string name = p["name"].get<std::string>();
      if (by_name.count(name) == 0) order.push_back(name);
      by_name[name].push_back(p["seconds"].get<double>());
    }
  json out = json::array();
  for (const auto& name : order) out.push_back({{"name", name}, {"seconds", summary_json(summarize(by_name[name]))}});
  return out;
}

// The workload parameters of a combination (allocator parameters excluded): cells with equal
// workload parameters did the same work and can be compared.
std::map<std::string, std::string> workload_params(const Combination& c) {
  std::map<std::string, std::string> out;
  for (const auto& d : find_workload(c.workload)->params) out[d.name] = c.params.text(d.name);
  return out;
}

// The median of a figure, or a negative number when no repetition has it (every figure a ratio is
// taken of is non-negative; a negative result makes the ratio null).
double median_of(const json& group, const char* field) {
  const json& f = group["figures"][field];
  return f.is_object() ? f["median"].get<double>() : -1.0;
}

// The deep passes run once per combination (tool/runner/deep_passes.hpp): the group takes their figures
// from the repetition that carries them. Absent when they were not asked for.
void add_deep_figures(json& g, const std::vector<const CellRecord*>& reps) {
  for (const auto* r : reps)
    for (const char* key : {"syscalls", "latency"})
      if (r->data.contains(key) && !g.contains(key)) g[key] = r->data[key];
  for (const auto* r : reps) {
    if (!r->data.contains("timeline") || g.contains("fragmentation")) continue;
    const json& t = r->data["timeline"];
    g["fragmentation"] = t.is_object() ? json{{"F3", t["F3"]}, {"F4", t["F4"]},
                                              {"peak_rss_delta_bytes", t["peak_rss_delta_bytes"]},
                                              {"peak_live_bytes", t["peak_live_bytes"]}, {"points", t["points"]}}
                                       : json(nullptr);
  }
}

}  // namespace

json build_document(const Plan& plan, const std::vector<CellRecord>& cells, const json& context, bool complete) {
  json doc;
  doc["schema"] = kSchemaName;
  doc["schema_version"] = kSchemaVersion;
  doc["complete"] = complete;
  doc["context"] = context;
  const RunOptions& o = plan.options;
  doc["plan"] = {{"scale", kScaleNames[static_cast<int>(plan.scale)]},
                 {"reps", o.reps},
                 {"warmup", o.warmup},
                 {"seed", o.seed},
                 {"timeout_s", o.timeout_s},
                 {"memory_limit_bytes", plan.memory_limit_bytes > 0 ? json(plan.memory_limit_bytes) : json(nullptr)},
                 {"dispatch", o.dispatch},
                 {"combinations", plan.combinations.size()},
                 {"cells_planned", plan.cells.size()},
                 {"skipped_allocators", plan.skipped},
                 {"deep_passes", {{"syscalls", o.deep.syscalls}, {"latency", o.deep.latency},
                                  {"timeline", o.deep.timeline}, {"heap_map", o.deep.heap_map},
                                  {"timeline_every_ops", o.deep.timeline_every_ops}}}};

  json warnings = json::array();
  json cell_list = json::array();
  std::vector<std::vector<const CellRecord*>> ok_by_combo(plan.combinations.size());
  std::vector<int> failed_by_combo(plan.combinations.size(), 0);
  for (const auto& r : cells) {
    const Combination& c = plan.combinations[static_cast<std::size_t>(r.combination)];
    json cell = {{"key", c.key},           {"workload", c.workload}, {"allocator", c.allocator},
                 {"dispatch", c.dispatch}, {"params", c.params.values()}, {"rep", r.rep},
                 {"status", r.ok ? "ok" : "failed"}, {"process_s", r.elapsed_s}};
    if (r.ok) {
      cell["figures"] = r.data;
      ok_by_combo[static_cast<std::size_t>(r.combination)].push_back(&r);
    } else {
      cell["error"] = r.error;
      ++failed_by_combo[static_cast<std::size_t>(r.combination)];
      warnings.push_back(c.key + " rep " + std::to_string(r.rep) + " failed: " + r.error);
    }
    cell_list.push_back(cell);
  }

  json groups = json::array();
  for (std::size_t i = 0; i < plan.combinations.size(); ++i) {
    const Combination& c = plan.combinations[i];
    const auto& reps = ok_by_combo[i];
    json g = {{"key", c.key},       {"workload", c.workload}, {"allocator", c.allocator}, {"dispatch", c.dispatch},
              {"params", c.params.values()}, {"swept", c.swept}, {"workload_params", workload_params(c)},
              {"reps_ok", reps.size()}, {"reps_failed", failed_by_combo[i]}};
    json figures;
    for (const char* f : {"wall_s", "ops_per_s", "cpu_user_s", "cpu_sys_s", "peak_rss_bytes", "peak_rss_delta_bytes",
                          "final_rss_delta_bytes", "minor_faults", "major_faults", "page_table_delta_bytes"})
      figures[f] = summarize_field(reps, f);
    for (const char* f : {"commit_calls", "decommit_calls", "committed_bytes", "peak_committed_bytes"})
      figures[std::string("heap_") + f] = summarize_heap(reps, f);
    g["figures"] = figures;
    if (!reps.empty()) {
      const json& first = reps.front()->data;
      for (const char* f : {"ops", "allocations", "frees", "frees_skipped", "peak_live_bytes", "checksum"}) g[f] = first[f];
      g["heap_note"] = first["heap_note"];
      g["proof"] = first["proof"]["evidence"];
      g["phases"] = summarize_phases(reps);
      add_deep_figures(g, reps);
      const json& wall = figures["wall_s"];
      if (wall["n"].get<int>() >= 2 && wall["cv"].get<double>() > kNoisyCv) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s: time varies by %.0f%% (CV) across %d repetitions: treat with care",
                      c.key.c_str(), wall["cv"].get<double>() * 100, wall["n"].get<int>());
        warnings.push_back(buf);
      }
    }
    groups.push_back(g);
  }

  // Ratios against malloc of the same run, same workload parameters and dispatch.
  for (auto& g : groups) {
    g["vs_malloc"] = nullptr;
    if (g["reps_ok"].get<int>() == 0) continue;
    for (const auto& m : groups) {
      if (m["allocator"] != "malloc" || m["workload"] != g["workload"] || m["dispatch"] != g["dispatch"] ||
          m["workload_params"] != g["workload_params"] || m["reps_ok"].get<int>() == 0)
        continue;
      json vs;
      const double t = median_of(g, "wall_s"), tm = median_of(m, "wall_s");
      vs["speedup"] = t > 0 ? json(tm / t) : json(nullptr);  // > 1: faster than malloc
      const double r = median_of(g, "peak_rss_delta_bytes"), rm = median_of(m, "peak_rss_delta_bytes");
      vs["peak_rss_ratio"] = rm > 0 && r >= 0 ? json(r / rm) : json(nullptr);
      if (g["checksum"] != m["checksum"])
        warnings.push_back(g["key"].get<std::string>() + ": checksum differs from malloc's: the work was not the same");
      g["vs_malloc"] = vs;
      break;
    }
  }
  doc["cells"] = cell_list;
  doc["groups"] = groups;
  doc["warnings"] = warnings;
  return doc;
}

}  // namespace vmbench
