// The scaling efficiency of a sweep over threads: what each thread keeps of the throughput one thread
// has alone. Computed by the document, from groups of the same run: a group of T threads against the
// 1-thread group of the same workload, allocator, dispatch and parameters.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "plan.hpp"
#include "results_document.hpp"

namespace vmbench {

// Adds `figures.scaling_efficiency` (a summary over the group's ok repetitions of thread_ops_per_s
// over the 1-thread group's median) to every group that has such a 1-thread group with a median; the
// 1-thread group itself gets its own (its median is 1). `ok[i]`: the ok repetitions of combination i,
// whose group is groups[i].
void add_scaling_efficiency(const Plan& plan, const std::vector<std::vector<const CellRecord*>>& ok,
                            nlohmann::json& groups);

}  // namespace vmbench
