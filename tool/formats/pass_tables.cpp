#include "pass_tables.hpp"

#include <map>

#include "block_rows.hpp"

namespace vmbench {

using nlohmann::json;

namespace {

// The workload, the swept workload parameters that set this block apart ("churn  (size=128)") and the
// dispatch where virtual: what tells blocks apart, the rest being in the main table's titles.
std::string short_block_name(const json& g) {
  std::string swept;
  for (auto it = g["swept"].begin(); it != g["swept"].end(); ++it)
    if (g["workload_params"].find(it.key()) != g["workload_params"].end())
      swept += (swept.empty() ? "" : " ") + it.key() + "=" + it.value().get<std::string>();
  return g["workload"].get<std::string>() + (swept.empty() ? "" : "  (" + swept + ")") +
         (g["dispatch"] == "virtual" ? ", virtual dispatch" : "");
}

}  // namespace

std::vector<PassBlock> pass_blocks_of(const json& doc) {
  std::vector<PassBlock> blocks;
  std::map<std::string, std::size_t> index;
  std::map<std::string, int> short_names;  // how many blocks each short name would name
  for (const auto& g : doc["groups"]) {
    const auto [at, added] = index.emplace(block_id(g), blocks.size());
    if (added) {
      blocks.push_back({short_block_name(g), {}});
      ++short_names[blocks.back().name];
    }
    blocks[at->second].groups.push_back(&g);
  }
  for (PassBlock& b : blocks)
    if (short_names[b.name] > 1) b.name = block_name(*b.groups.front());
  return blocks;
}

const json* pass_object(const json& g, const char* key) {
  const auto it = g.find(key);
  return it != g.end() && it->is_object() ? &*it : nullptr;
}

// By kind of data, then by block: a reader comparing latencies finds them together.
std::vector<SummaryBlock> pass_blocks(const json& doc) {
  std::vector<SummaryBlock> out = latency_blocks(doc);
  for (auto* more : {&syscall_blocks, &fragmentation_blocks})
    for (SummaryBlock& b : more(doc)) out.push_back(std::move(b));
  return out;
}

}  // namespace vmbench
