// Google Benchmark interchange, as Google Benchmark itself writes repetitions: per benchmark (a group),
// one `iteration` entry per repetition (iterations = 1: a cell runs its workload once), then the
// aggregates mean, median, stddev and cv (`<name>_<aggregate>`, iterations = the repetitions). The
// repetitions share one name, which compare.py's U test needs; github-action-benchmark's googlecpp
// parser makes every entry a series, so dashboards take --aggregates-only (one median per benchmark).
// A failed repetition is an entry with Google Benchmark's error_occurred and error_message.
#include <cmath>
#include <map>

#include "export_benchmarks.hpp"
#include "figure_values.hpp"
#include "formats.hpp"
#include "host_caches.hpp"
#include "json_text.hpp"

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

// Google Benchmark's context (what Bencher's cpp_google adapter requires), then vmbench's own keys.
json context_json(const json& doc) {
  const json& ctx = doc["context"];
  json out = {{"date", ctx.value("date_utc", "")},
              {"host_name", ""},
              {"executable", "vmbench"},
              {"num_cpus", ctx.value("cpu_count", 1)},
              {"mhz_per_cpu", host_mhz_per_cpu()},
              {"cpu_scaling_enabled", false},
              {"caches", host_caches()},
              {"load_avg", json::array()},
              {"library_build_type", ctx.value("build_type", "") == "Debug" ? "debug" : "release"},
              {"json_schema_version", 1},
              {"vmbench_version", ctx.value("vmbench_version", "")},
              {"vmbench_git_commit", ctx.value("git_commit", "")},
              {"cpu_model", ctx.value("cpu_model", "")},
              {"kernel", ctx.value("kernel", "")},
              {"vmbench_scale", doc["plan"].value("scale", "")},
              {"vmbench_seed", ctx.value("seed", 0)},
              {"vmbench_partial", !doc.value("complete", true)}};
  return out;
}

// One benchmark family: a group's repetitions, then (as Google Benchmark, only over repetitions)
// its aggregates.
class Family {
 public:
  Family(const ExportBenchmark& b, int index) : b_(b), index_(index) {}

  void add_repetitions(json& benchmarks) {
    for (const json* c : b_.ok) {
      const json& f = (*c)["figures"];
      json e = entry(b_.name, "iteration", rep_of(*c));
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
  }

  void add_failures(json& benchmarks, const std::string& name) const {
    for (const json* c : b_.failed) {
      json e = entry(name, name == b_.name ? "iteration" : "aggregate", rep_of(*c));
      if (name != b_.name) e["aggregate_name"] = "median", e["aggregate_unit"] = "time";
      e["error_occurred"] = true;
      e["error_message"] = c->value("error", std::string("failed"));
      e["iterations"] = 0, e["real_time"] = 0.0, e["cpu_time"] = 0.0;
      benchmarks.push_back(e);
      if (name != b_.name) return;  // aggregates only: one entry says the benchmark failed
    }
  }

  void add_aggregates(json& benchmarks, bool median_only) const {
    if (real_.empty() || (!median_only && real_.size() < 2)) return;
    const Summary sr = summarize(real_), sc = summarize(cpu_);
    for (const std::string aggregate : {"mean", "median", "stddev", "cv"}) {
      if (median_only && aggregate != "median") continue;
      json e = entry(b_.name + "_" + aggregate, "aggregate", 0);
      e.erase("repetition_index");
      e["aggregate_name"] = aggregate;
      e["aggregate_unit"] = aggregate == "cv" ? "percentage" : "time";
      e["iterations"] = static_cast<int>(real_.size());
      e["real_time"] = pick(sr, aggregate);
      e["cpu_time"] = pick(sc, aggregate);
      for (const auto& [name, values] : counter_values_) {
        const double v = pick(summarize(values), aggregate);
        if (std::isfinite(v)) e[name] = v;
      }
      if (!b_.failed.empty()) e["vmbench_failed_repetitions"] = b_.failed.size();
      benchmarks.push_back(e);
    }
  }

 private:
  static int rep_of(const json& cell) { return cell.value("rep", 0); }

  json entry(const std::string& name, const char* run_type, int rep) const {
    return {{"name", name},         {"family_index", index_},
            {"per_family_instance_index", 0}, {"run_name", b_.name},
            {"run_type", run_type}, {"repetitions", static_cast<int>(b_.ok.size() + b_.failed.size())},
            {"repetition_index", rep}, {"threads", 1},
            {"iterations", 1},      {"time_unit", kTimeUnit}};
  }

  const ExportBenchmark& b_;
  int index_;
  std::vector<double> real_, cpu_;  // in kTimeUnit
  std::map<std::string, std::vector<double>> counter_values_;
};

}  // namespace

Rendered render_gbench(const json& doc, const FormatOptions& options) {
  const std::vector<ExportBenchmark> all = export_benchmarks(doc);
  json benchmarks = json::array();
  int family = 0;
  for (const ExportBenchmark& b : all) {
    Family f(b, family++);
    json repetitions = json::array();
    f.add_repetitions(options.aggregates_only ? repetitions : benchmarks);
    if (!options.aggregates_only) f.add_failures(benchmarks, b.name);
    else if (b.ok.empty()) f.add_failures(benchmarks, b.name + "_median");
    f.add_aggregates(benchmarks, options.aggregates_only);
  }
  json out = {{"context", context_json(doc)}, {"benchmarks", benchmarks}};
  return {json_text(out, 2) + "\n", export_notes(doc, all)};
}

}  // namespace vmbench
