// The run journal's lines as JSON (run_journal.hpp): a Plan and a CellRecord, written and read back
// whole, so that a journal can be turned into the same document the run would have written.
#pragma once

#include <nlohmann/json.hpp>

#include "plan.hpp"
#include "results_document.hpp"

namespace vmbench {

nlohmann::json plan_to_json(const Plan& plan);
// Throws nlohmann::json::exception or std::invalid_argument on a malformed plan.
Plan plan_from_json(const nlohmann::json& j);

nlohmann::json cell_record_to_json(const CellRecord& cell);
// Throws as plan_from_json; `plan` bounds the combination and repetition.
CellRecord cell_record_from_json(const nlohmann::json& j, const Plan& plan);

}  // namespace vmbench
