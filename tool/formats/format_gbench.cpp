// Google Benchmark interchange. Each cell key is one benchmark (`tree/arena/inline`); each
// repetition one `iteration` run with iterations = 1 (a cell runs its workload once); then the
// aggregates mean, median, stddev and cv, named `<key>_<aggregate>` as Google Benchmark names them.
// compare.py groups runs by `name`, so the repetitions share one name and feed its U test.
#include <cmath>
#include <map>

#include "figure_values.hpp"
#include "formats.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

// Microseconds: cells at --scale ci last a few ms, and compare.py prints times with no decimals.
constexpr const char* kTimeUnit = "us";
constexpr double kTimeUnitPerSecond = 1e6;

// Counters: every figure of the cell, as written (whole numbers stay whole), except the times
// (real_time and cpu_time carry them) and the checksum; throughput under Google Benchmark's own name.
std::map<std::string, json> counters_of(const json& f) {
  std::map<std::string, json> c;
  for (const Figure& fig : kFigures) {
    if (fig.unit == Unit::seconds || fig.unit == Unit::hash) continue;
    const json* v = cell_value(f, fig);
    if (v == nullptr || !v->is_number()) continue;
    c[fig.id == FigureId::ops_per_s ? std::string("items_per_second") : std::string(fig.name)] = *v;
  }
  return c;
}

double seconds_of(const json& f, FigureId id) { return cell_number(f, figure(id)).value_or(0.0); }

double cpu_s(const json& f) { return seconds_of(f, FigureId::cpu_user_s) + seconds_of(f, FigureId::cpu_sys_s); }

double pick(const Summary& s, const std::string& aggregate) {
  if (aggregate == "mean") return s.mean;
  if (aggregate == "median") return s.median;
  if (aggregate == "stddev") return s.stddev;
  return s.cv;
}

json context_json(const json& doc) {
  const json& ctx = doc["context"];
  return {{"date", ctx.value("date_utc", "")},
          {"executable", "vmbench"},
          {"num_cpus", ctx.value("cpu_count", 1)},
          {"library_build_type", ctx.value("build_type", "")},
          {"json_schema_version", 1},
          {"vmbench_version", ctx.value("vmbench_version", "")},
          {"vmbench_git_commit", ctx.value("git_commit", "")},
          {"cpu_model", ctx.value("cpu_model", "")},
          {"kernel", ctx.value("kernel", "")},
          {"vmbench_scale", doc["plan"].value("scale", "")},
          {"vmbench_seed", ctx.value("seed", 0)}};
}

// One benchmark family: a group's ok repetitions, then (as Google Benchmark, only over repetitions)
// its aggregates.
class Family {
 public:
  Family(std::string key, int index, int repetitions) : key_(std::move(key)), index_(index), n_(repetitions) {}

  void add_repetition(const json& f, json& benchmarks) {
    json e = entry(key_, "iteration");
    e["repetition_index"] = static_cast<int>(real_.size());
    real_.push_back(seconds_of(f, FigureId::wall_s) * kTimeUnitPerSecond);
    cpu_.push_back(cpu_s(f) * kTimeUnitPerSecond);
    e["real_time"] = real_.back();
    e["cpu_time"] = cpu_.back();
    for (const auto& [name, value] : counters_of(f)) {
      e[name] = value;
      counter_values_[name].push_back(value.get<double>());
    }
    benchmarks.push_back(e);
  }

  void add_aggregates(json& benchmarks) const {
    if (n_ < 2) return;
    const Summary sr = summarize(real_), sc = summarize(cpu_);
    for (const std::string aggregate : {"mean", "median", "stddev", "cv"}) {
      json e = entry(key_ + "_" + aggregate, "aggregate");
      e["aggregate_name"] = aggregate;
      e["aggregate_unit"] = aggregate == "cv" ? "percentage" : "time";
      e["real_time"] = pick(sr, aggregate);
      e["cpu_time"] = pick(sc, aggregate);
      for (const auto& [name, values] : counter_values_) {
        const double v = pick(summarize(values), aggregate);
        if (std::isfinite(v)) e[name] = v;
      }
      benchmarks.push_back(e);
    }
  }

 private:
  json entry(const std::string& name, const char* run_type) const {
    return json{{"name", name},     {"family_index", index_}, {"per_family_instance_index", 0},
                {"run_name", key_}, {"run_type", run_type},   {"repetitions", n_},
                {"threads", 1},     {"iterations", 1},        {"time_unit", kTimeUnit}};
  }

  std::string key_;
  int index_;
  int n_;
  std::vector<double> real_, cpu_;  // in kTimeUnit
  std::map<std::string, std::vector<double>> counter_values_;
};

}  // namespace

json render_gbench(const json& doc) {
  json out;
  out["context"] = context_json(doc);
  json benchmarks = json::array();
  int family = 0;
  for (const auto& g : doc["groups"]) {
    const std::string key = g["key"].get<std::string>();
    std::vector<const json*> reps;
    for (const auto& c : doc["cells"])
      if (c["key"] == key && c["status"] == "ok") reps.push_back(&c["figures"]);
    if (reps.empty()) continue;
    Family f(key, family++, static_cast<int>(reps.size()));
    for (const json* figures : reps) f.add_repetition(*figures, benchmarks);
    f.add_aggregates(benchmarks);
  }
  out["benchmarks"] = benchmarks;
  return out;
}

// The registry's dashboard figures, each a median per group, in the unit of what it counts.
json render_gbench_smaller(const json& doc) {
  json out = json::array();
  for (const auto& g : doc["groups"]) {
    if (g["reps_ok"].get<double>() == 0) continue;
    for (const Figure& f : kFigures) {
      const json* s = f.dashboard ? group_summary(g, f) : nullptr;
      if (s == nullptr) continue;
      out.push_back({{"name", g["key"].get<std::string>() + " " + std::string(f.name)},
                     {"unit", f.unit == Unit::count ? f.counts : unit_name(f.unit)},
                     {"value", (*s)["median"]},
                     {"extra", "median of " + std::to_string((*s)["n"].get<int>()) + " repetitions"}});
    }
  }
  return out;
}

}  // namespace vmbench
