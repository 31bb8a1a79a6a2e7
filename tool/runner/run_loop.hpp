// The run: every cell of a plan in its own child process, in the plan's order, with the deep passes
// after a combination's first repetition. Each finished cell is appended to the run's journal
// (OUT.partial, run_journal.hpp), so that a crash of vmbench itself loses at most the running cell;
// the document is written once, at the end: to OUT when every cell ran, else (cancelled) over the
// journal, so that a partial run never replaces a complete OUT.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "plan.hpp"
#include "run_journal.hpp"

namespace vmbench {

struct RunReport {
  nlohmann::json document;  // the results document, as last written (or rescued)
  bool complete = false;    // not cancelled: every cell of the plan ran
  bool any_failed = false;  // some cell is a failed cell
  std::string written_to;   // where the document went: OUT, OUT.partial (cancelled), or "" (standard output)
  // Non-empty: the results file could not be written, the run stopped there, and what was measured
  // went to a rescue file; this is the one line that says so (without "vmbench: ").
  std::string unwritable;
};

// After each cell: its label ("tree/arena/inline rep 0"), whether it succeeded, and why not.
using CellDone = std::function<void(const std::string& label, bool ok, const std::string& error)>;

// `exe`: this program (self_exe()), which each child runs as `exe __cell SPEC`; `context`: the
// machine context recorded in the document (run_context.hpp); `journal`: created for this run (for
// `out_path` "-", standard output, anywhere), deleted or kept when the run ends.
RunReport run_plan(const Plan& plan, const std::string& exe, const std::string& out_path,
                   const nlohmann::json& context, RunJournal& journal, const std::atomic<bool>& cancel,
                   const CellDone& on_cell_done);

// The path of the running executable (/proc/self/exe); "" when it cannot be read.
std::string self_exe();

}  // namespace vmbench
