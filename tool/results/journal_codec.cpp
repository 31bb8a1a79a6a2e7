#include "journal_codec.hpp"

#include <stdexcept>
#include <string>

namespace vmbench {

namespace {

using nlohmann::json;

json options_to_json(const RunOptions& o) {
  return {{"workloads", o.workloads},   {"allocators", o.allocators}, {"scale", o.scale},
          {"param_args", o.param_args}, {"dispatch", o.dispatch},     {"reps", o.reps},
          {"warmup", o.warmup},         {"seed", o.seed},             {"timeout_s", o.timeout_s},
          {"memory_limit", o.memory_limit},     {"clean_env", o.clean_env},
          {"program", o.program},       {"command", o.command},       {"program_output", o.program_output},
          {"deep", {{"syscalls", o.deep.syscalls}, {"latency", o.deep.latency}, {"timeline", o.deep.timeline},
                    {"heap_map", o.deep.heap_map}, {"cost", o.deep.cost},
                    {"timeline_every_ops", o.deep.timeline_every_ops}}}};
}

RunOptions options_from_json(const json& j) {
  RunOptions o;
  j.at("workloads").get_to(o.workloads);
  j.at("allocators").get_to(o.allocators);
  j.at("scale").get_to(o.scale);
  j.at("param_args").get_to(o.param_args);
  j.at("dispatch").get_to(o.dispatch);
  j.at("reps").get_to(o.reps);
  j.at("warmup").get_to(o.warmup);
  j.at("seed").get_to(o.seed);
  j.at("timeout_s").get_to(o.timeout_s);
  j.at("memory_limit").get_to(o.memory_limit);
  j.at("clean_env").get_to(o.clean_env);
  j.at("program").get_to(o.program);
  j.at("command").get_to(o.command);
  j.at("program_output").get_to(o.program_output);
  const json& d = j.at("deep");
  d.at("syscalls").get_to(o.deep.syscalls);
  d.at("latency").get_to(o.deep.latency);
  d.at("timeline").get_to(o.deep.timeline);
  d.at("heap_map").get_to(o.deep.heap_map);
  d.at("cost").get_to(o.deep.cost);
  d.at("timeline_every_ops").get_to(o.deep.timeline_every_ops);
  return o;
}

json combination_to_json(const Combination& c) {
  return {{"workload", c.workload}, {"allocator", c.allocator}, {"dispatch", c.dispatch},
          {"params", c.params.values()}, {"swept", c.swept}, {"key", c.key}};
}

Combination combination_from_json(const json& j) {
  Combination c;
  j.at("workload").get_to(c.workload);
  j.at("allocator").get_to(c.allocator);
  j.at("dispatch").get_to(c.dispatch);
  c.params = Params(j.at("params").get<std::map<std::string, std::string>>());
  j.at("swept").get_to(c.swept);
  j.at("key").get_to(c.key);
  return c;
}

}  // namespace

json plan_to_json(const Plan& plan) {
  json combinations = json::array(), cells = json::array();
  for (const auto& c : plan.combinations) combinations.push_back(combination_to_json(c));
  for (const auto& c : plan.cells) cells.push_back({c.combination, c.rep});
  return {{"options", options_to_json(plan.options)}, {"scale", static_cast<int>(plan.scale)},
          {"memory_limit_bytes", plan.memory_limit_bytes}, {"combinations", combinations}, {"cells", cells},
          {"skipped", plan.skipped}, {"notes", plan.notes}, {"libraries", plan.libraries},
          {"program_path", plan.program_path}};
}

Plan plan_from_json(const json& j) {
  Plan plan;
  plan.options = options_from_json(j.at("options"));
  const int scale = j.at("scale").get<int>();
  if (scale < 0 || scale > static_cast<int>(Scale::large)) throw std::invalid_argument("unknown scale");
  plan.scale = static_cast<Scale>(scale);
  j.at("memory_limit_bytes").get_to(plan.memory_limit_bytes);
  for (const auto& c : j.at("combinations")) plan.combinations.push_back(combination_from_json(c));
  for (const auto& c : j.at("cells")) {
    const Cell cell{c.at(0).get<int>(), c.at(1).get<int>()};
    if (cell.combination < 0 || static_cast<std::size_t>(cell.combination) >= plan.combinations.size() || cell.rep < 0)
      throw std::invalid_argument("a planned cell outside the plan");
    plan.cells.push_back(cell);
  }
  j.at("skipped").get_to(plan.skipped);
  j.at("notes").get_to(plan.notes);
  j.at("libraries").get_to(plan.libraries);
  j.at("program_path").get_to(plan.program_path);
  return plan;
}

json cell_record_to_json(const CellRecord& cell) {
  return {{"combination", cell.combination}, {"rep", cell.rep},         {"ok", cell.ok},
          {"error", cell.error},             {"elapsed_s", cell.elapsed_s}, {"data", cell.data}};
}

CellRecord cell_record_from_json(const json& j, const Plan& plan) {
  CellRecord cell;
  j.at("combination").get_to(cell.combination);
  j.at("rep").get_to(cell.rep);
  j.at("ok").get_to(cell.ok);
  j.at("error").get_to(cell.error);
  j.at("elapsed_s").get_to(cell.elapsed_s);
  cell.data = j.at("data");
  if (cell.combination < 0 || static_cast<std::size_t>(cell.combination) >= plan.combinations.size() ||
      cell.rep < 0 || cell.rep >= plan.options.reps)
    throw std::invalid_argument("a cell outside the plan");
  if (cell.ok && !cell.data.is_object()) throw std::invalid_argument("a successful cell without figures");
  return cell;
}

}  // namespace vmbench
