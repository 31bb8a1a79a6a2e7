// How a cell process ends when the workload must stop it where no exception can carry the failure:
// an allocation failed inside a heap's hot path, or a parameter the workload reads is missing or
// malformed. The tool's cell protocol (tool/protocol/cell_protocol.hpp, CellExit) takes these values,
// so each is named once, here.
#pragma once

namespace vmbench {

// A parameter the cell reads is not set or cannot be parsed (params.cpp): the cell's specification
// was wrong, a vmbench bug, since the plan checks every value the user gives.
inline constexpr int kExitBadParameter = 2;

// Memory ran out: an allocation failed in the middle of the workload, or the heap could not even be
// created. The parent names --memory-limit when it set one.
inline constexpr int kExitAllocationFailed = 3;

}  // namespace vmbench
