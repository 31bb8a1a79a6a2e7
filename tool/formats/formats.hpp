// Renderings of a results document. Each format lives in its own file (format_*.cpp); the table and
// Markdown share the row layout of summary_rows.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "format_catalog.hpp"

namespace vmbench {

std::string render_table(const nlohmann::json& doc);     // terminal: grouped by workload
std::string render_markdown(const nlohmann::json& doc);  // the same tables in Markdown
std::string render_csv(const nlohmann::json& doc);       // one row per cell, every figure

// Google Benchmark's JSON (format_gbench.cpp): what Google Benchmark writes for repetitions, the
// other figures as counters, for compare.py, github-action-benchmark's `googlecpp` (aggregates only)
// and Bencher's `cpp_google` adapter.
Rendered render_gbench(const nlohmann::json& doc, const FormatOptions& options);
// github-action-benchmark's custom formats (format_custom.cpp): one entry per benchmark and figure.
enum class Direction : std::uint8_t { smaller, bigger };
Rendered render_custom(const nlohmann::json& doc, Direction direction);
// Bencher Metric Format (format_bmf.cpp): one benchmark per group, a measure per figure.
Rendered render_bmf(const nlohmann::json& doc, const FormatOptions& options);

// One block per workload (and workload parameters, dispatch): a title, a header and rows.
struct SummaryBlock {
  std::string title;
  // Optional labels over runs of header columns, left to right (latency: "alloc" over its four
  // percentiles): {label, columns covered}. The table draws them on a line above the header.
  std::vector<std::pair<std::string, std::size_t>> spans;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;
};
std::vector<SummaryBlock> summary_blocks(const nlohmann::json& doc);
// The lines under the blocks: what the columns that need it mean.
std::string summary_legend(const nlohmann::json& doc);
// The compact tables of the extra passes, after the main blocks (pass_tables.cpp): latency
// percentiles, traced system calls, RSS over live bytes at the checkpoints with F3 and F4; each only
// where the file holds its data.
std::vector<SummaryBlock> pass_blocks(const nlohmann::json& doc);

std::string human_bytes(double bytes);
std::string human_seconds(double seconds);

}  // namespace vmbench
