// Renderings of a results document. Each format lives in its own file (format_*.cpp); the table and
// Markdown share the row layout of summary_rows.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vmbench {

std::string render_table(const nlohmann::json& doc);     // terminal: grouped by workload
std::string render_markdown(const nlohmann::json& doc);  // the same tables in Markdown
std::string render_csv(const nlohmann::json& doc);       // one row per cell, every figure

// Google Benchmark's JSON (format_gbench.cpp): repetitions and aggregates per cell, the other
// figures as counters, for compare.py and github-action-benchmark's `googlecpp` tool.
nlohmann::json render_gbench(const nlohmann::json& doc);
// github-action-benchmark's `customSmallerIsBetter`: [{name, unit, value}] for RSS and commits.
nlohmann::json render_gbench_smaller(const nlohmann::json& doc);

// One block per workload (and workload parameters, dispatch): a title, a header and rows.
struct SummaryBlock {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;
};
std::vector<SummaryBlock> summary_blocks(const nlohmann::json& doc);
// The lines under the blocks: what the columns that need it mean.
std::string summary_legend(const nlohmann::json& doc);

std::string human_bytes(double bytes);
std::string human_seconds(double seconds);

}  // namespace vmbench
