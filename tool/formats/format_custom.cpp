// github-action-benchmark's custom formats: [{name, unit, value, range, extra}], one entry per
// benchmark and figure. customSmallerIsBetter takes the time per operation and the registry's dashboard
// figures that are better lower; customBiggerIsBetter the figures that are better higher (throughput).
// value is the median of the ok repetitions, range half their spread (max - min), extra says what ran.
// The format has no way to mark a failure, so a benchmark with no ok repetition has no entry and the
// export says so on stderr.
#include <algorithm>
#include <cstdio>

#include "export_benchmarks.hpp"
#include "figure_values.hpp"
#include "formats.hpp"
#include "json_text.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

std::string extra_of(const ExportBenchmark& b, const std::string& scale, std::size_t n) {
  std::string params;
  for (auto it = b.params.begin(); it != b.params.end(); ++it)
    params += (params.empty() ? "" : " ") + it.key() + "=" + it.value().get<std::string>();
  return "scale: " + scale + "\nparams: " + (params.empty() ? "defaults" : params) +
         "\nrepetitions: " + std::to_string(n) + " (value: median, range: half of max - min)";
}

void add_entry(json& out, const ExportBenchmark& b, const std::string& figure, const std::string& unit,
               const std::vector<double>& samples, const std::string& scale) {
  if (samples.empty()) return;
  const Summary s = summarize(samples);
  char range[48];
  std::snprintf(range, sizeof range, "± %.6g", (s.max - s.min) / 2);
  out.push_back({{"name", b.name + " " + figure}, {"unit", unit}, {"value", s.median}, {"range", range},
                 {"extra", extra_of(b, scale, samples.size())}});
}

std::string unit_of(const Figure& f) {
  if (f.unit == Unit::count) return std::string(f.counts);
  if (f.unit == Unit::per_second) return std::string(f.counts) + "/s";
  return std::string(unit_name(f.unit));
}

}  // namespace

Rendered render_custom(const json& doc, Direction direction) {
  const std::vector<ExportBenchmark> all = export_benchmarks(doc);
  const std::string scale = doc["plan"].value("scale", "default");
  json out = json::array();
  std::string failed;
  for (const ExportBenchmark& b : all) {
    if (b.ok.empty()) failed += (failed.empty() ? "" : ", ") + b.name;
    if (direction == Direction::smaller) add_entry(out, b, "ns_per_op", "ns", ns_per_op_samples(b), scale);
    for (std::size_t i = 0; i < kFigures.size(); ++i) {
      const Figure& f = kFigures[i];
      const bool wanted = direction == Direction::smaller ? f.dashboard && f.better == Better::lower
                                                          : f.better == Better::higher;
      if (wanted) add_entry(out, b, std::string(f.name), unit_of(f), figure_samples(b, i), scale);
    }
  }
  std::vector<std::string> notes = export_notes(doc, all);
  if (!failed.empty()) notes.push_back("no entry for the benchmarks with no ok repetition: " + failed);
  return {json_text(out, 2) + "\n", notes};
}

}  // namespace vmbench
