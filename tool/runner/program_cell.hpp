// One cell of a program run (vmbench run --program -- CMD ARGS...): the command under one allocator,
// once, with the probe library preloaded beside it to prove which malloc the program is bound to.
// Its figures have the shape of a workload cell's (docs/results-schema.md), so that the document,
// the table and the plots take them as they are; what a program cannot tell (its allocations) is
// zero, with the reason in `unavailable`. With --syscalls, the first repetition is run once more,
// traced.
#pragma once

#include <atomic>
#include <string>

#include "cell_limits.hpp"
#include "plan.hpp"
#include "results_document.hpp"

namespace vmbench {

inline constexpr const char* kProbeLibraryName = "libvmbench_probe.so";

// The probe library, built beside the vmbench executable `exe`.
std::string probe_library_path(const std::string& exe);

// Runs the cell (and its traced pass after the first repetition, when asked for).
CellRecord run_program_cell(const Plan& plan, const Cell& cell, const std::string& exe, const CellLimits& limits,
                            const std::atomic<bool>& cancel);

}  // namespace vmbench
