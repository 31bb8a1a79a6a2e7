// Reading one registered figure out of a results document, wherever the registry says it lives: in a
// cell's figures (at the top, or in its `heap` object), in a group's values or in its summaries.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "figure_registry.hpp"

namespace vmbench {

// The figure in a cell's `figures` object, or null when it is absent (or its `heap` or `cost` is null).
const nlohmann::json* cell_value(const nlohmann::json& cell_figures, const Figure& f);

// The cell's value as a number, when it is one.
std::optional<double> cell_number(const nlohmann::json& cell_figures, const Figure& f);

// The group's value of a GroupPlace::value figure (`groups[].NAME`), as written, or null when absent.
const nlohmann::json* group_value(const nlohmann::json& group, const Figure& f);

// The group's summary of the figure (`groups[].figures.NAME`), or null when absent or null.
const nlohmann::json* group_summary(const nlohmann::json& group, const Figure& f);

// The group's number for the figure: its value (GroupPlace::value) or its median (summary).
std::optional<double> group_number(const nlohmann::json& group, const Figure& f);

}  // namespace vmbench
