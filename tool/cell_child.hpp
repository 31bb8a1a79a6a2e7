// The child side of a cell: prove the allocator, take the probes around the measured pass, run the
// workload, and write the cell's figures as JSON on fd 3.
#pragma once

#include <string>

namespace vmbench {

// Entry point of `vmbench __cell SPEC_JSON`. Exit codes: 0 ok, 2 bad spec, 3 allocation failed,
// 4 allocator not proven, 5 workload error, 6 result could not be written.
int cell_child_main(const std::string& spec_json);

}  // namespace vmbench
