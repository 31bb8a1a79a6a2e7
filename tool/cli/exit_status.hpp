// vmbench's own exit statuses, shared by every command (each command's help says which it uses).
// A cell process's exit statuses are another set: CellExit (protocol/cell_protocol.hpp).
#pragma once

namespace vmbench {

enum class ExitStatus : int {
  ok = 0,
  failed = 1,          // run: some cells failed; compare: a regression
  unusable_input = 2,  // bad options or files, nothing done; run: also results that could not be written (rescued)
  no_matplotlib = 3,   // plot, report: no Python with matplotlib found
  interrupted = 130,   // run: SIGINT or SIGTERM (128 + SIGINT, as a shell says)
};

constexpr int exit_code(ExitStatus s) noexcept { return static_cast<int>(s); }

}  // namespace vmbench
