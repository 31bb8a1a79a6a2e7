// Google Benchmark interchange. Each cell key is one benchmark (`tree/arena/inline`); each
// repetition one `iteration` run with iterations = 1 (a cell runs its workload once); then the
// aggregates mean, median, stddev and cv, named `<key>_<aggregate>` as Google Benchmark names them.
// compare.py groups runs by `name`, so the repetitions share one name and feed its U test.
#include <cmath>
#include <map>

#include "formats.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

// Microseconds: cells at --scale ci last a few ms, and compare.py prints times with no decimals.
constexpr const char* kTimeUnit = "us";
constexpr double kTimeUnitPerSecond = 1e6;

// Counters copied from a cell's figures (items_per_second is Google Benchmark's own throughput name).
constexpr const char* kCounterFigures[] = {"ops", "allocations", "frees", "frees_skipped", "peak_live_bytes",
                                           "minor_faults", "major_faults", "peak_rss_delta_bytes",
                                           "final_rss_delta_bytes", "page_table_delta_bytes"};
constexpr const char* kHeapCounters[] = {"commit_calls", "decommit_calls", "committed_bytes", "peak_committed_bytes"};

// Kept as written (whole numbers stay whole).
std::map<std::string, json> counters_of(const json& f) {
  std::map<std::string, json> c;
  for (const char* name : kCounterFigures)
    if (f.contains(name) && f[name].is_number()) c[name] = f[name];
  if (f.contains("ops_per_s") && f["ops_per_s"].is_number()) c["items_per_second"] = f["ops_per_s"];
  if (f.contains("heap") && f["heap"].is_object())
    for (const char* name : kHeapCounters)
      if (f["heap"].contains(name) && f["heap"][name].is_number()) c[std::string("heap_") + name] = f["heap"][name];
  return c;
}

double cpu_s(const json& f) { return f["cpu_user_s"].get<double>() + f["cpu_sys_s"].get<double>(); }

double pick(const Summary& s, const std::string& aggregate) {
  if (aggregate == "mean") return s.mean;
  if (aggregate == "median") return s.median;
  if (aggregate == "stddev") return s.stddev;
  return s.cv;
}

}  // namespace

json render_gbench(const json& doc) {
  const json& ctx = doc["context"];
  json out;
  out["context"] = {{"date", ctx.value("date_utc", "")},
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
  json benchmarks = json::array();
  int family = 0;
  for (const auto& g : doc["groups"]) {
    const std::string key = g["key"].get<std::string>();
    std::vector<const json*> reps;
    for (const auto& c : doc["cells"])
      if (c["key"] == key && c["status"] == "ok") reps.push_back(&c);
    if (reps.empty()) continue;
    const int n = static_cast<int>(reps.size());
    auto base_entry = [&](const std::string& name, const char* run_type) {
      return json{{"name", name},       {"family_index", family}, {"per_family_instance_index", 0},
                  {"run_name", key},    {"run_type", run_type},   {"repetitions", n},
                  {"threads", 1},       {"iterations", 1},        {"time_unit", kTimeUnit}};
    };
    std::vector<double> real, cpu;
    std::map<std::string, std::vector<double>> counter_values;
    int index = 0;
    for (const json* c : reps) {
      const json& f = (*c)["figures"];
      json e = base_entry(key, "iteration");
      e["repetition_index"] = index++;
      e["real_time"] = f["wall_s"].get<double>() * kTimeUnitPerSecond;
      e["cpu_time"] = cpu_s(f) * kTimeUnitPerSecond;
      real.push_back(f["wall_s"].get<double>() * kTimeUnitPerSecond);
      cpu.push_back(cpu_s(f) * kTimeUnitPerSecond);
      for (const auto& [name, value] : counters_of(f)) {
        e[name] = value;
        counter_values[name].push_back(value.get<double>());
      }
      benchmarks.push_back(e);
    }
    if (n >= 2) {  // as Google Benchmark: aggregates only over repetitions
      const Summary sr = summarize(real), sc = summarize(cpu);
      for (const std::string aggregate : {"mean", "median", "stddev", "cv"}) {
        json e = base_entry(key + "_" + aggregate, "aggregate");
        e["aggregate_name"] = aggregate;
        e["aggregate_unit"] = aggregate == "cv" ? "percentage" : "time";
        e["real_time"] = pick(sr, aggregate);
        e["cpu_time"] = pick(sc, aggregate);
        for (const auto& [name, values] : counter_values) {
          const double v = pick(summarize(values), aggregate);
          if (std::isfinite(v)) e[name] = v;
        }
        benchmarks.push_back(e);
      }
    }
    ++family;
  }
  out["benchmarks"] = benchmarks;
  return out;
}

json render_gbench_smaller(const json& doc) {
  struct Item {
    const char* figure;
    const char* unit;
  };
  constexpr Item kItems[] = {{"peak_rss_delta_bytes", "bytes"}, {"heap_commit_calls", "calls"},
                             {"heap_decommit_calls", "calls"},  {"heap_peak_committed_bytes", "bytes"},
                             {"minor_faults", "faults"}};
  json out = json::array();
  for (const auto& g : doc["groups"]) {
    if (g["reps_ok"].get<double>() == 0) continue;
    for (const auto& item : kItems) {
      const json& s = g["figures"].value(item.figure, json());
      if (!s.is_object()) continue;
      out.push_back({{"name", g["key"].get<std::string>() + " " + item.figure},
                     {"unit", item.unit},
                     {"value", s["median"]},
                     {"extra", "median of " + std::to_string(s["n"].get<int>()) + " repetitions"}});
    }
  }
  return out;
}

}  // namespace vmbench
