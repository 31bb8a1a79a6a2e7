// The descriptors a cell process starts with, put in place in the forked child before exec: shared by
// the cells (child_process.cpp) and the cost pass under valgrind (cost_pass.cpp).
#pragma once

namespace vmbench {

// /dev/null on 0 and 1, `err_fd` on 2, `result_fd` on kResultFd (3), each without close-on-exec.
// Every source is first copied above kResultFd: when vmbench was started with a standard stream
// closed, or fd 3 was free, a pipe may itself be 2 or 3, and dup2 onto its own number would leave
// close-on-exec set (the cell then lost its stderr or its result pipe), or one dup2 would close the
// source of the next. Only async-signal-safe calls; false when a descriptor could not be placed.
bool place_cell_descriptors(int err_fd, int result_fd) noexcept;

}  // namespace vmbench
