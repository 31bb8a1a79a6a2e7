// The deep-metric passes of a combination, each one more child process beside the timed cells:
// memory system calls under a tracer, per-operation latency, memory over time, heap maps. They run
// once per combination (their figures are deterministic, or, for latency, a distribution of many
// samples), after its first repetition, and their figures join that cell's figures.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "cell_limits.hpp"
#include "cell_spec.hpp"
#include "deep_pass_options.hpp"

namespace vmbench {

// `spec`: the timed cell's specification (each pass runs it with its own `pass`); `figures`: the first repetition's figures, which gain
// "syscalls", "latency", "timeline" and "heap_map" (or null, with the reason in figures.unavailable).
void run_deep_passes(const DeepPassOptions& options, const std::string& exe, const CellSpec& spec,
                     const std::string& preload, const CellLimits& limits, const std::atomic<bool>& cancel,
                     nlohmann::json& figures);

// The tracer's counts as they appear in the results (docs/results-schema.md).
class SyscallTally;
nlohmann::json syscalls_json(const SyscallTally& tally);

}  // namespace vmbench
