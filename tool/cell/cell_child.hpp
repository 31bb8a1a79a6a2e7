// The child side of a cell: prove the allocator, take the probes around the measured pass, run the
// workload, and write the cell's figures as JSON on fd 3.
#pragma once

#include <string>

namespace vmbench {

// Entry point of `vmbench __cell SPEC` (protocol/cell_spec.hpp). Its exit status is a CellExit
// (protocol/cell_protocol.hpp).
int cell_child_main(const std::string& spec_text);

}  // namespace vmbench
