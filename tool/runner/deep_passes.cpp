#include "deep_passes.hpp"

#include "cell_protocol.hpp"
#include "child_process.hpp"
#include "catalog.hpp"
#include "cost_pass.hpp"
#include "modelled_time.hpp"
#include "syscall_tally.hpp"

extern char** environ;

namespace vmbench {

namespace {

using nlohmann::json;

constexpr const char* kSyscallMethod =
    "seccomp filter (SECCOMP_RET_TRACE on mmap, munmap, mremap, brk, mprotect, madvise) and a ptrace tracer in "
    "the parent; counted between the child's getpid markers";

// One pass: a child with the pass in its spec. Its figures, or null with the reason.
json run_pass(Pass pass, CellSpec spec, const std::string& exe, const std::string& preload, const CellLimits& limits,
              const std::atomic<bool>& cancel, bool traced, ChildOutcome* outcome, std::string* why,
              const std::vector<std::string>& overrides = {}) {
  spec.pass = pass;
  *outcome = run_child(exe, spec, preload, limits, cancel, traced, overrides);
  if (!outcome->ok) {
    *why = std::string(pass_name(pass)) + " pass failed: " + outcome->error;
    return nullptr;
  }
  try {
    return json::parse(outcome->result_json);
  } catch (const std::exception& e) {
    *why = std::string(pass_name(pass)) + " pass: unreadable result: " + e.what();
    return nullptr;
  }
}

void put(json& figures, const char* key, json value, const std::string& why) {
  if (value.is_null()) figures["unavailable"][key] = why;
  figures[key] = std::move(value);
}

json syscalls_of(const json& result, const TraceResult& trace, const std::vector<std::string>& pins) {
  json out = syscalls_json(trace.tally);
  out["method"] = kSyscallMethod;
  out["pins"] = pins;  // what made the counts independent of the clock (cost_environment)
  out["traced_wall_s"] = result["wall_s"];
  // The heap's own counters from the same traced process: equal for the arena and the pool.
  const json& heap = result["heap"];
  out["heap_commit_calls"] = heap.is_object() ? heap["commit_calls"] : json(nullptr);
  out["heap_decommit_calls"] = heap.is_object() ? heap["decommit_calls"] : json(nullptr);
  return out;
}

// The cost pass: the cell under callgrind. Its figures (cost_pass.hpp) and the modelled time, or null
// and the reason. The pass must have done the timed cell's work: its checksum is checked.
json cost_of(const DeepPassRun& run, const json& figures, std::string* why) {
  CellSpec spec = run.spec;
  spec.pass = Pass::cost;
  const CostChild child{run.exe, encode_cell_spec(spec), spec.allocator, run.preload,
                        cost_timeout_s(run.limits.timeout_s, run.timed_process_s), run.limits.clean_allocator_env};
  const CostOutcome outcome = run_cost_pass(child, run.cancel);
  *why = outcome.ok ? "" : "cost pass failed: " + outcome.error;
  if (!outcome.ok) return nullptr;
  json result;
  try {
    result = json::parse(outcome.result_json);
  } catch (const std::exception& e) {
    *why = std::string("cost pass: unreadable result: ") + e.what();
    return nullptr;
  }
  if (result.value("checksum", json()) != figures.value("checksum", json())) {
    *why = "cost pass: the cell under valgrind computed checksum " + result.value("checksum", json()).dump() +
           ", the timed cell " + figures.value("checksum", json()).dump();
    return nullptr;
  }
  json cost = cost_json(outcome);
  std::string unmodelled;
  const json modelled = modelled_time_json(cost, figures, run.kernel_costs, &unmodelled);
  if (modelled.is_null()) cost["modelled_unavailable"] = unmodelled;
  else cost.update(modelled);
  return cost;
}

}  // namespace

double cost_timeout_s(double cell_timeout_s, double timed_process_s) {
  return cell_timeout_s <= 0 ? 0 : cell_timeout_s + kCostSlowdown * timed_process_s;  // 0: none, as asked
}

json syscalls_json(const SyscallTally& t) {
  json calls = json::object();
  for (int i = 0; i < kMemoryCalls; ++i)
    calls[kMemoryCallNames[static_cast<std::size_t>(i)]] = {{"calls", t.per_call[static_cast<std::size_t>(i)].calls},
                                                           {"bytes", t.per_call[static_cast<std::size_t>(i)].bytes}};
  return {{"commits", t.commits},           {"commit_bytes", t.commit_bytes},
          {"decommits", t.decommits},       {"decommit_calls", t.decommit_calls},
          {"decommit_bytes", t.decommit_bytes}, {"reserves", t.reserves},
          {"reserve_bytes", t.reserve_bytes}, {"other_calls", t.other_calls},
          {"failed_calls", t.failed_calls}, {"calls", calls}};
}

namespace {

// The threads a cell ran on: its threads parameter, or the threads of the trace a replay replayed
// (its timed pass reported them).
std::string cell_threads(const DeepPassRun& run, const json& figures) {
  const auto it = run.spec.params.find(kThreadsParam);
  if (it != run.spec.params.end()) return it->second;
  const auto counts = figures.find("workload_counts");
  if (counts != figures.end() && counts->is_object()) {
    const auto t = counts->find("recorded_threads");
    if (t != counts->end() && t->is_number_unsigned()) return std::to_string(t->get<std::uint64_t>());
  }
  return "1";
}

// A cell of several threads: its operation probes, its tracer and callgrind's counts are made for one
// thread, so none of its deep passes run; each says why (instead of a failed cell).
bool on_several_threads(const DeepPassRun& run, json& figures) {
  const std::string threads = cell_threads(run, figures);
  if (parse_count(threads).value_or(1) <= 1) return false;
  const DeepPassOptions& o = run.options;
  const std::pair<bool, const char*> passes[] = {
      {o.syscalls, "syscalls"}, {o.latency, "latency"}, {o.timeline, "timeline"}, {o.heap_map, "heap_map"}, {o.cost, "cost"}};
  for (const auto& [asked, key] : passes)
    if (asked) figures["unavailable"][key] = "the deep passes run on one thread, not " + threads;
  return true;
}

}  // namespace

void run_deep_passes(const DeepPassRun& run, json& figures) {
  if (on_several_threads(run, figures)) return;
  const DeepPassOptions& o = run.options;
  const CellSpec& spec = run.spec;
  const std::string& exe = run.exe;
  const std::string& preload = run.preload;
  const CellLimits& limits = run.limits;
  const std::atomic<bool>& cancel = run.cancel;
  ChildOutcome child;
  std::string why;
  if (o.syscalls && !cancel.load()) {
    // jemalloc's and mimalloc's purging runs on a clock: pinned as in the cost pass, so that the counts
    // are the same in every run (docs/metrics.md, "System-call counts").
    const CostEnvironment pins = cost_environment(spec.allocator, preload, environ);
    const json result = run_pass(Pass::syscalls, spec, exe, preload, limits, cancel, true, &child, &why, pins.variables);
    json value = nullptr;
    if (!result.is_null()) {
      if (!child.trace || !child.trace->traced) why = "not traced: " + (child.trace ? child.trace->error : "no tracer");
      else if (!child.trace->saw_begin || !child.trace->saw_end) why = "the traced child never marked its measured phase";
      else value = syscalls_of(result, *child.trace, pins.notes);
    }
    put(figures, "syscalls", value, why);
  }
  if (o.latency && !cancel.load()) {
    const json result = run_pass(Pass::latency, spec, exe, preload, limits, cancel, false, &child, &why);
    put(figures, "latency", result.is_null() ? json(nullptr) : result["latency"], why);
  }
  if (o.timeline && !cancel.load()) {
    CellSpec s = spec;
    // The probe counts calls made (allocations and frees), not `ops` (which counts skipped frees too).
    const auto ops = figures.value("allocations", std::uint64_t{0}) + figures.value("frees", std::uint64_t{0});
    s.every_ops = o.timeline_every_ops > 0 ? o.timeline_every_ops : (ops + kTimelinePoints - 1) / kTimelinePoints;
    const json result = run_pass(Pass::timeline, s, exe, preload, limits, cancel, false, &child, &why);
    put(figures, "timeline", result.is_null() ? json(nullptr) : result["timeline"], why);
  }
  if (o.heap_map && !cancel.load()) {
    CellSpec s = spec;
    s.max_objects = figures.value("allocations", std::uint64_t{0});
    s.peak_live_bytes = figures.value("peak_live_bytes", std::uint64_t{0});
    const json result = run_pass(Pass::heap_map, s, exe, preload, limits, cancel, false, &child, &why);
    put(figures, "heap_map", result.is_null() ? json(nullptr) : result["heap_map"], why);
  }
  if (o.cost && !cancel.load()) {
    // Not measurable here (--deep without valgrind): no figures at all, and the reason. A pass that ran
    // and failed: null and the reason, which compare judges as a failed measurement.
    if (const std::string unavailable = cost_pass_unavailable(); !unavailable.empty())
      figures["unavailable"]["cost"] = unavailable;
    else
      put(figures, "cost", cost_of(run, figures, &why), why);
  }
}

}  // namespace vmbench
