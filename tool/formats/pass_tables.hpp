// The compact tables of the extra passes (formats-internal), one builder per pass, each giving one block
// per block of the main table that has the pass's data, and none when the file has none.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats.hpp"

namespace vmbench {

std::vector<SummaryBlock> latency_blocks(const nlohmann::json& doc);        // latency_table.cpp (--latency)
std::vector<SummaryBlock> syscall_blocks(const nlohmann::json& doc);        // syscall_table.cpp (--syscalls)
std::vector<SummaryBlock> fragmentation_blocks(const nlohmann::json& doc);  // checkpoint_table.cpp

// The groups of each block of the main table (block_rows.hpp), blocks in the order of their first group,
// and the block's name in the passes' titles: the workload, with only what sets the block apart from
// the others (swept workload parameters, virtual dispatch); the main table's titles have the rest.
// Short, so that the titles fit 100 columns; block_name() where the short name would be ambiguous.
struct PassBlock {
  std::string name;
  std::vector<const nlohmann::json*> groups;
};
std::vector<PassBlock> pass_blocks_of(const nlohmann::json& doc);
// A group's object `key` (a deep pass's: latency, syscalls, fragmentation), or null when it has none.
const nlohmann::json* pass_object(const nlohmann::json& g, const char* key);

}  // namespace vmbench
