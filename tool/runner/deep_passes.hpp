// The deep-metric passes of a combination, each one more child process beside the timed cells:
// memory system calls under a tracer, per-operation latency, memory over time, heap maps, and the
// cost pass under callgrind. They run once per combination (their figures are deterministic, or, for
// latency, a distribution of many samples), after its first repetition, and their figures join that
// cell's figures.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "cell_limits.hpp"
#include "cell_spec.hpp"
#include "deep_pass_options.hpp"

namespace vmbench {

// What the passes of one combination need.
struct DeepPassRun {
  const DeepPassOptions& options;
  const std::string& exe;
  const CellSpec& spec;  // the timed cell's specification (each pass runs it with its own `pass`)
  const std::string& preload;
  const CellLimits& limits;
  const std::atomic<bool>& cancel;
  const nlohmann::json& kernel_costs;  // context.kernel_costs: prices the cost pass's modelled time
  double timed_process_s = 0;          // the timed cell's whole process: scales the cost pass's timeout
};

// The cost pass's timeout: the cell's own plus kCostSlowdown times its timed process (a cell runs some
// 130 times slower under callgrind with the cache simulation; docs/ci.md). No timeout stays none.
inline constexpr double kCostSlowdown = 300;
double cost_timeout_s(double cell_timeout_s, double timed_process_s);

// `figures`: the first repetition's figures, which gain "syscalls", "latency", "timeline", "heap_map"
// and "cost" (or null, with the reason in figures.unavailable). The cost pass runs last, so that its
// modelled time can use the syscalls pass's counts. Where it cannot run at all (no valgrind, under
// --deep) "cost" is left out and only the reason recorded: null means the pass ran and failed.
void run_deep_passes(const DeepPassRun& run, nlohmann::json& figures);

// The tracer's counts as they appear in the results (docs/results-schema.md).
class SyscallTally;
nlohmann::json syscalls_json(const SyscallTally& tally);

}  // namespace vmbench
