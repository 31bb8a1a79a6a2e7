// The modelled time of a cell: its simulated work (the cost pass's estimated cycles at a nominal
// frequency) plus the kernel work the simulator cannot see, counted exactly by the timed pass (faults,
// commit and decommit calls) and priced by the kernel cost calibration of the run's context
// (probes/kernel_costs.hpp). Deterministic up to the calibration; shown beside wall time, so that a
// reader sees how much of a cell is kernel work (docs/ci.md, "Modelled time").
#pragma once

#include <nlohmann/json.hpp>

namespace vmbench {

// The frequency that turns estimated cycles into seconds: a nominal 3 GHz core, not the host's (the
// cycles come from a simulated cache that is not the host's either). Stored in context.cost_model.
inline constexpr double kNominalHz = 3e9;

// context.cost_model: the nominal frequency and the formula, so that a reader can redo the sums.
nlohmann::json cost_model_json();

// The modelled time of one cell, or null when it cannot be made (no cost figures, or a calibration
// that failed):
//   {"modelled_s": x, "modelled_kernel_s": x,
//    "modelled": {"cpu_s": x, "fault_s": x, "commit_s": x, "decommit_s": x, "calls_from": "heap"|"syscalls"|null}}
// `cost`: the cost pass's figures (cost_json); `figures`: the same cell's timed figures (minor_faults,
// heap.commit_calls, and the syscalls pass's counts for an allocator without heap counters);
// `kernel_costs`: context.kernel_costs. *why says why when null.
nlohmann::json modelled_time_json(const nlohmann::json& cost, const nlohmann::json& figures,
                                  const nlohmann::json& kernel_costs, std::string* why);

}  // namespace vmbench
