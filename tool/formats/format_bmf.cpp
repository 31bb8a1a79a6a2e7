// Bencher Metric Format: {benchmark name: {measure: {value, lower_value, upper_value}}}, one benchmark
// per group. Measures: latency (wall time per operation, ns), throughput (operations per second), then
// every registered figure that is a count or a memory reading a group summarises or holds (so a figure
// added to the registry, the cost figures included, appears here with no change). value is the median
// of the ok repetitions, lower_value and upper_value their minimum and maximum. BMF has no failure
// marker: a benchmark with no ok repetition is left out and the export says so on stderr.
#include <algorithm>

#include "export_benchmarks.hpp"
#include "figure_values.hpp"
#include "formats.hpp"
#include "json_text.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

// Bencher's measure slugs are lowercase words joined by hyphens.
std::string slug(std::string_view name) {
  std::string s(name);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

void add_measure(json& measures, const std::string& name, const std::vector<double>& samples) {
  if (samples.empty()) return;
  const Summary s = summarize(samples);
  measures[name] = {{"value", s.median}, {"lower_value", s.min}, {"upper_value", s.max}};
}

bool is_measure(const Figure& f) {
  return f.kind != FigureKind::timing && f.unit != Unit::hash && f.group != GroupPlace::none;
}

}  // namespace

Rendered render_bmf(const json& doc, const FormatOptions&) {
  const std::vector<ExportBenchmark> all = export_benchmarks(doc);
  json out = json::object();
  std::string failed;
  for (const ExportBenchmark& b : all) {
    if (b.ok.empty()) {
      failed += (failed.empty() ? "" : ", ") + b.name;
      continue;
    }
    json measures = json::object();
    add_measure(measures, "latency", ns_per_op_samples(b));
    add_measure(measures, "throughput", figure_samples(b, static_cast<std::size_t>(FigureId::ops_per_s)));
    for (std::size_t i = 0; i < kFigures.size(); ++i)
      if (is_measure(kFigures[i])) add_measure(measures, slug(kFigures[i].name), figure_samples(b, i));
    out[b.name] = measures;
  }
  std::vector<std::string> notes = export_notes(doc, all);
  if (!failed.empty()) notes.push_back("no benchmark for those with no ok repetition: " + failed);
  return {json_text(out, 2) + "\n", notes};
}

}  // namespace vmbench
