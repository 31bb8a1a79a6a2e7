#include "format_catalog.hpp"

#include "formats.hpp"
#include "json_text.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

Rendered text_of(std::string text) { return {std::move(text), {}}; }

Rendered as_json(const json& doc, const FormatOptions&) { return text_of(json_text(doc, 2) + "\n"); }
Rendered as_table(const json& doc, const FormatOptions&) { return text_of(render_table(doc)); }
Rendered as_markdown(const json& doc, const FormatOptions&) { return text_of(render_markdown(doc)); }
Rendered as_csv(const json& doc, const FormatOptions&) { return text_of(render_csv(doc)); }
Rendered as_custom_smaller(const json& doc, const FormatOptions&) { return render_custom(doc, Direction::smaller); }
Rendered as_custom_bigger(const json& doc, const FormatOptions&) { return render_custom(doc, Direction::bigger); }

}  // namespace

const std::vector<OutputFormat>& format_catalog() {
  static const std::vector<OutputFormat> catalog = {
      {"table", "tables for the terminal, one per workload", true, false, as_table},
      {"json", "the results document itself", true, false, as_json},
      {"csv", "one row per cell, every registered figure", true, true, as_csv},
      {"markdown", "the tables in Markdown", true, true, as_markdown},
      {"gbench", "Google Benchmark JSON with repetitions and aggregates (compare.py, Bencher cpp_google)", true, true,
       render_gbench},
      {"custom-smaller", "github-action-benchmark customSmallerIsBetter: one entry per benchmark and figure", true,
       true, as_custom_smaller},
      {"gbench-smaller", "the former name of custom-smaller", true, true, as_custom_smaller},
      {"custom-bigger", "github-action-benchmark customBiggerIsBetter: the throughput of each benchmark", true, true,
       as_custom_bigger},
      {"bmf", "Bencher Metric Format: one benchmark per group, latency, throughput, memory and counts", true, true,
       render_bmf},
  };
  return catalog;
}

const OutputFormat* find_format(std::string_view name) {
  for (const OutputFormat& f : format_catalog())
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> format_names(bool for_export) {
  std::vector<std::string> names;
  for (const OutputFormat& f : format_catalog())
    if (for_export ? f.in_export : f.in_run) names.emplace_back(f.name);
  return names;
}

std::string format_help(bool for_export) {
  std::string help = "What to print:";
  for (const OutputFormat& f : format_catalog())
    if (for_export ? f.in_export : f.in_run) help.append("\n  ").append(f.name).append(": ").append(f.description);
  return help;
}

}  // namespace vmbench
