// The run: every cell of a plan in its own child process, in the plan's order, with the deep passes
// after a combination's first repetition. The results file is rewritten after each cell, so that a
// crash of vmbench itself loses at most the running cell; cancellation stops at the running cell.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "plan.hpp"

namespace vmbench {

struct RunReport {
  nlohmann::json document;  // the results document, as last written (or rescued)
  bool complete = false;    // not cancelled: every cell of the plan ran
  bool any_failed = false;  // some cell is a failed cell
  // Non-empty: the results file could not be written, the run stopped there, and what was measured
  // went to a rescue file; this is the one line that says so (without "vmbench: ").
  std::string unwritable;
};

// After each cell: its label ("tree/arena/inline rep 0"), whether it succeeded, and why not.
using CellDone = std::function<void(const std::string& label, bool ok, const std::string& error)>;

// `exe`: this program (self_exe()), which each child runs as `exe __cell SPEC`; `context`: the
// machine context recorded in the document (run_context.hpp).
RunReport run_plan(const Plan& plan, const std::string& exe, const std::string& out_path,
                   const nlohmann::json& context, const std::atomic<bool>& cancel, const CellDone& on_cell_done);

// The path of the running executable (/proc/self/exe); "" when it cannot be read.
std::string self_exe();

}  // namespace vmbench
