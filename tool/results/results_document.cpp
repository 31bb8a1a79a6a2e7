#include "results_document.hpp"

#include <map>

#include "catalog.hpp"
#include "figure_values.hpp"
#include "scaling_efficiency.hpp"
#include "noise.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

json summary_json(const Summary& s) {
  return {{"n", s.n},           {"median", s.median}, {"min", s.min}, {"max", s.max},
          {"mean", s.mean},     {"stddev", s.stddev}, {"cv", s.cv}};
}

// Summary of one numeric field over the successful repetitions; null when no repetition has it.
// Summary of one figure over the successful repetitions; null when no repetition has it.
json summarize_figure(const std::vector<const CellRecord*>& reps, const Figure& f) {
  std::vector<double> v;
  for (const auto* r : reps)
    if (const auto x = cell_number(r->data, f)) v.push_back(*x);
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
double median_of(const json& group, FigureId id) {
  return group_number(group, figure(id)).value_or(-1.0);
}

// The deep passes run once per combination (tool/runner/deep_passes.hpp): the group takes their figures
// from the repetition that carries them. Absent when they were not asked for.
void add_deep_figures(json& g, const std::vector<const CellRecord*>& reps) {
  for (const auto* r : reps)
    for (const char* key : {"syscalls", "latency", "cost"})
      if (r->data.contains(key) && !g.contains(key)) g[key] = r->data[key];
  for (const auto* r : reps) {
    if (!r->data.contains("timeline") || g.contains("fragmentation")) continue;
    const json& t = r->data["timeline"];
    g["fragmentation"] = t.is_object() ? json{{"F3", t["F3"]}, {"F3_max", t.value("F3_max", json(nullptr))},
                                              {"F4", t["F4"]}, {"peak_rss_delta_bytes", t["peak_rss_delta_bytes"]},
                                              {"peak_live_bytes", t["peak_live_bytes"]}, {"points", t["points"]},
                                              {"truncated", t.value("truncated", false)}}
                                       : json(nullptr);
  }
}

json plan_json(const Plan& plan) {
  const RunOptions& o = plan.options;
  return {{"scale", kScaleNames[static_cast<int>(plan.scale)]},
          {"reps", o.reps},
          {"warmup", o.warmup},
          {"seed", o.seed},
          {"timeout_s", o.timeout_s},
          {"memory_limit_bytes", plan.memory_limit_bytes > 0 ? json(plan.memory_limit_bytes) : json(nullptr)},
          {"dispatch", o.dispatch},
          {"clean_env", o.clean_env},
          {"combinations", plan.combinations.size()},
          {"cells_planned", plan.cells.size()},
          {"skipped_allocators", plan.skipped},
          {"deep_passes", {{"syscalls", o.deep.syscalls}, {"latency", o.deep.latency},
                           {"timeline", o.deep.timeline}, {"heap_map", o.deep.heap_map}, {"cost", o.deep.cost},
                           {"timeline_every_ops", o.deep.timeline_every_ops}}}};
}

// The cells in run order, and the ok repetitions and failures of each combination for the groups.
struct CellsByCombination {
  json cells = json::array();
  std::vector<std::vector<const CellRecord*>> ok;
  std::vector<int> failed;
};

CellsByCombination cells_json(const Plan& plan, const std::vector<CellRecord>& cells, json& warnings) {
  CellsByCombination out;
  out.ok.resize(plan.combinations.size());
  out.failed.assign(plan.combinations.size(), 0);
  for (const auto& r : cells) {
    const auto i = static_cast<std::size_t>(r.combination);
    const Combination& c = plan.combinations[i];
    json cell = {{"key", c.key},           {"workload", c.workload}, {"allocator", c.allocator},
                 {"dispatch", c.dispatch}, {"params", c.params.values()}, {"rep", r.rep},
                 {"status", r.ok ? "ok" : "failed"}, {"process_s", r.elapsed_s}};
    if (r.ok) {
      cell["figures"] = r.data;
      out.ok[i].push_back(&r);
    } else {
      cell["error"] = r.error;
      ++out.failed[i];
      warnings.push_back(c.key + " rep " + std::to_string(r.rep) + " failed: " + r.error);
    }
    out.cells.push_back(cell);
  }
  return out;
}

// What a group takes from its ok repetitions: the summaries, the values equal in every repetition (from
// the first), the phases and the deep passes' figures.
void add_figures(json& g, const std::vector<const CellRecord*>& reps) {
  json figures = json::object();
  for (const Figure& f : kFigures)
    if (f.group == GroupPlace::summary) figures[std::string(f.name)] = summarize_figure(reps, f);
  g["figures"] = figures;
  if (reps.empty()) return;
  const json& first = reps.front()->data;
  for (const Figure& f : kFigures)
    if (f.group == GroupPlace::value) {
      const json* v = cell_value(first, f);
      g[std::string(f.name)] = v != nullptr ? *v : json(nullptr);
    }
  g["heap_note"] = first["heap_note"];
  g["proof"] = first["proof"]["evidence"];
  g["phases"] = summarize_phases(reps);
  add_deep_figures(g, reps);
}

json group_json(const Combination& c, const std::vector<const CellRecord*>& reps, int failed, json& warnings) {
  json g = {{"key", c.key},       {"workload", c.workload}, {"allocator", c.allocator}, {"dispatch", c.dispatch},
            {"params", c.params.values()}, {"swept", c.swept}, {"workload_params", workload_params(c)},
            {"reps_ok", reps.size()}, {"reps_failed", failed}};
  add_figures(g, reps);
  // Noise is one folded line for the whole run (noise.hpp), not a line per group.
  if (const auto f = g.find("fragmentation"); f != g.end() && f->is_object() && f->value("truncated", false))
    warnings.push_back(c.key + ": the timeline was truncated at " + (*f)["points"].dump() +
                       " points (the samples after them count in F3 and F4, but are not in the series): raise "
                       "--timeline-every");
  return g;
}

// Ratios against malloc of the same run, same workload parameters and dispatch.
void add_ratios_to_malloc(json& groups, json& warnings) {
  for (auto& g : groups) {
    g["vs_malloc"] = nullptr;
    if (g["reps_ok"].get<int>() == 0) continue;
    for (const auto& m : groups) {
      if (m["allocator"] != "malloc" || m["workload"] != g["workload"] || m["dispatch"] != g["dispatch"] ||
          m["workload_params"] != g["workload_params"] || m["reps_ok"].get<int>() == 0)
        continue;
      json vs;
      const double t = median_of(g, FigureId::wall_s), tm = median_of(m, FigureId::wall_s);
      vs["speedup"] = t > 0 ? json(tm / t) : json(nullptr);  // > 1: faster than malloc
      const double r = median_of(g, FigureId::peak_rss_delta_bytes), rm = median_of(m, FigureId::peak_rss_delta_bytes);
      vs["peak_rss_ratio"] = rm >= kRssRatioFloorBytes && r >= 0 ? json(r / rm) : json(nullptr);
      const Figure& checksum = figure(FigureId::checksum);
      if (*group_value(g, checksum) != *group_value(m, checksum))
        warnings.push_back(g["key"].get<std::string>() + ": checksum differs from malloc's: the work was not the same");
      g["vs_malloc"] = vs;
      break;
    }
  }
}

}  // namespace

std::string allocator_variables_passed(const Plan& plan, const json& context) {
  const auto env = context.find("allocator_environment");
  if (plan.options.clean_env || env == context.end() || !env->is_object() || env->empty()) return "";
  std::string names;
  for (auto it = env->begin(); it != env->end(); ++it) names += (names.empty() ? "" : ", ") + it.key();
  return "the environment sets " + names +
         ", which change the allocators under test; their values are in the context (vmbench run --clean-env "
         "clears them for the cells)";
}

json build_document(const Plan& plan, const std::vector<CellRecord>& cells, const json& context, bool complete) {
  json doc;
  doc["schema"] = kSchemaName;
  doc["schema_version"] = kSchemaVersion;
  doc["complete"] = complete;
  doc["context"] = context;
  doc["plan"] = plan_json(plan);
  json warnings = plan.notes;  // what the plan changed in what was asked comes first, then its warnings
  for (const std::string& w : plan.warnings) warnings.push_back(w);
  if (const std::string set = allocator_variables_passed(plan, context); !set.empty()) warnings.push_back(set);
  CellsByCombination by_combination = cells_json(plan, cells, warnings);
  json groups = json::array();
  for (std::size_t i = 0; i < plan.combinations.size(); ++i)
    groups.push_back(group_json(plan.combinations[i], by_combination.ok[i], by_combination.failed[i], warnings));
  add_ratios_to_malloc(groups, warnings);
  add_scaling_efficiency(plan, by_combination.ok, groups);
  // One line for all the noise, not one per cell or group (noise.hpp).
  if (const std::optional<std::string> noise = noise_summary(by_combination.cells, groups, context))
    warnings.push_back(*noise);
  doc["cells"] = std::move(by_combination.cells);
  doc["groups"] = groups;
  doc["warnings"] = warnings;
  return doc;
}

}  // namespace vmbench
