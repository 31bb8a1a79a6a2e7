// The result a cell process hands its parent on kResultFd: the allocator's proof, the workload's
// counts, what the probes read around the measured phase, and the figures of the pass's own probe.
#pragma once

#include <nlohmann/json.hpp>

#include "allocator_proof.hpp"
#include "pass_probes.hpp"
#include "run_cell.hpp"

namespace vmbench {

nlohmann::json cell_result_json(const AllocatorProof& proof, const CellOutcome& outcome, const PassProbes& probes);

}  // namespace vmbench
