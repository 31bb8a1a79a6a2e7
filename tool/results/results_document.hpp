// The results document (schema: docs/results-schema.md, checked by tests/schema/results-v1.schema.json):
// context, plan, one record per cell, and per-combination summaries with ratios against malloc from
// the same run. Every output format is rendered from this document.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plan.hpp"
#include "schema_version.hpp"

namespace vmbench {

struct CellRecord {
  int combination = 0;
  int rep = 0;
  bool ok = false;
  std::string error;
  nlohmann::json data;  // the child's figures
  double elapsed_s = 0; // wall time of the whole child process, start-up included
};

// "" or the warning that the allocators' environment variables in `context` reached the cells.
std::string allocator_variables_passed(const Plan& plan, const nlohmann::json& context);

// `complete` false marks a run that was interrupted: the cells present are valid, others missing.
nlohmann::json build_document(const Plan& plan, const std::vector<CellRecord>& cells, const nlohmann::json& context,
                              bool complete);

}  // namespace vmbench
