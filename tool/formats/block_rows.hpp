// What the main table and the extra passes' tables share (formats-internal): which block a group is
// in, the block's name, a group's row label, and the number formatting of single values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace vmbench {

// "pattern=random small_objects=100k": a group's workload parameters, in the file's order.
std::string workload_params_text(const nlohmann::json& params);
// Groups of one block did the same work: same workload, workload parameters and dispatch.
std::string block_id(const nlohmann::json& g);
// "frag  (pattern=random small_objects=100k)", with ", virtual dispatch" where it applies.
std::string block_name(const nlohmann::json& g);
// The allocator, and the swept parameters that are not workload parameters (commit_step=64K).
std::string row_label(const nlohmann::json& g);
bool is_oracle(const nlohmann::json& g);

// printf of one number, as a string.
std::string number_text(const char* format, double value);
// A number of an object the loader does not check field by field (a deep pass's): nullopt when the key
// is missing or not a number, so that a table says n/a rather than throwing.
std::optional<double> number_in(const nlohmann::json& object, const char* key);
// One latency figure of `kind` (latency.alloc): "< N ns" below the resolved floor (three timer steps),
// else in ns, us or ms; n/a when missing.
std::string latency_value_text(const nlohmann::json& kind, const char* key, const nlohmann::json& latency);

}  // namespace vmbench
