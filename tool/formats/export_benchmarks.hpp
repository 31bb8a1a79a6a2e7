// What every dashboard export shares: the results document seen as benchmarks, one per group (a
// combination of workload, allocator, dispatch and parameters), with a name that is unique within the
// file and says what ran: the key, the scale and every parameter that differs from the scale's default
// (`tree/arena/inline/scale:ci/depth:12`), so that no consumer pairs different work under one name.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "summary_stats.hpp"

namespace vmbench {

struct ExportBenchmark {
  const nlohmann::json* group;
  std::string name;
  nlohmann::json params;                      // {name: value}: what the name shows, for `extra`
  std::vector<const nlohmann::json*> ok;      // its ok cells (repetitions), in rep order
  std::vector<const nlohmann::json*> failed;  // its failed cells (with `error`)
};

std::vector<ExportBenchmark> export_benchmarks(const nlohmann::json& doc);

// Over the ok repetitions: the figure's values (the registry's FigureId as an index into kFigures),
// or, for the time per operation, wall_s / ops in nanoseconds.
std::vector<double> figure_samples(const ExportBenchmark& b, std::size_t figure_index);
std::vector<double> ns_per_op_samples(const ExportBenchmark& b);

// The one line an export says about failures ("" when none): how many, and which benchmarks.
std::string failed_note(const std::vector<ExportBenchmark>& benchmarks);

// The notes every export makes on stderr: failures, and a partial (interrupted) file.
std::vector<std::string> export_notes(const nlohmann::json& doc, const std::vector<ExportBenchmark>& benchmarks);

}  // namespace vmbench
