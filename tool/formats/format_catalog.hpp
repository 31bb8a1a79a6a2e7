// Every output format, declared once: its name, one line saying what it is for, which commands offer
// it, and how it renders a results document. `run --format` and `export --format` read this table, so
// a new format is its format_*.cpp plus one row in format_catalog.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vmbench {

struct FormatOptions {
  bool aggregates_only = false;  // gbench: one median entry per benchmark (for dashboards)
};

// What a format produced: the text for standard output, and the lines it has to say on stderr
// (a failed cell exported as a failure, a partial file).
struct Rendered {
  std::string text;
  std::vector<std::string> notes;
};

struct OutputFormat {
  std::string_view name;
  std::string_view description;  // one line, for --help
  bool in_run;                    // offered by `vmbench run --format`
  bool in_export;                 // offered by `vmbench export --format`
  Rendered (*render)(const nlohmann::json& doc, const FormatOptions& options);
};

const std::vector<OutputFormat>& format_catalog();
const OutputFormat* find_format(std::string_view name);  // null when unknown

// The names a command offers (for CLI11's IsMember), and its --format help text.
std::vector<std::string> format_names(bool for_export);
std::string format_help(bool for_export);

}  // namespace vmbench
