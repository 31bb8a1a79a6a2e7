// Why a cell process failed, in one line for the results: how it ended (timeout, cancellation,
// signal, exit status) and the line of its stderr that explains it.
#pragma once

#include <string>

#include "cell_limits.hpp"

namespace vmbench {

// How a child ended, as the parent saw it.
struct ChildEnd {
  int wait_status = 0;     // as waitpid gives it
  bool timed_out = false;  // killed at the --timeout
  bool cancelled = false;  // killed because the run was interrupted
  bool wrote_result = false;
  std::string err_text;    // the tail of its stderr
};

// "timed out after 0.4 s": the --timeout as given (cells and programs alike).
std::string timed_out_text(double timeout_s);

// "" when the cell succeeded, else the reason, e.g. "crashed with signal 11 (SIGSEGV): ...".
std::string child_failure(const ChildEnd& end, const CellLimits& limits);

}  // namespace vmbench
