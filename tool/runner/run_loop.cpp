#include "run_loop.hpp"

#include <unistd.h>

#include <optional>
#include <vector>

#include "atomic_file.hpp"
#include "cell_spec.hpp"
#include "child_process.hpp"
#include "deep_passes.hpp"
#include "noise.hpp"
#include "json_text.hpp"
#include "program_cell.hpp"
#include "run_journal.hpp"
#include "rescue_file.hpp"
#include "results_document.hpp"

namespace vmbench {

namespace {

// The library a preloaded allocator runs with; "" for the built-in ones.
std::string library_of(const Plan& plan, const std::string& allocator) {
  const auto it = plan.libraries.find(allocator);
  return it != plan.libraries.end() ? it->second : std::string();
}

CellSpec spec_for(const Combination& c, const Plan& plan) {
  const RunOptions& o = plan.options;
  CellSpec spec;
  spec.workload = c.workload;
  spec.allocator = c.allocator;
  spec.library = library_of(plan, c.allocator);
  spec.dispatch = c.dispatch;
  spec.params = c.params.values();
  spec.seed = o.seed;
  spec.warmup = o.warmup;
  return spec;
}

// What one run needs at every cell, fixed before the first.
struct RunSetup {
  const Plan& plan;
  const std::string& exe;
  const std::atomic<bool>& cancel;
  const nlohmann::json& kernel_costs;  // the context's calibration: the cost pass's modelled time
  CellLimits limits;
};

// One cell: its child, its result parsed, and the deep passes after a combination's first
// repetition. Empty when the cell was cut short by cancellation: not a result.
std::optional<CellRecord> run_cell_process(const RunSetup& run, const Cell& cell) {
  const Combination& c = run.plan.combinations[static_cast<std::size_t>(cell.combination)];
  if (!run.plan.program_path.empty()) {  // a program, not a workload (program_cell.hpp)
    CellRecord rec = run_program_cell(run.plan, cell, run.exe, run.limits, run.cancel);
    if (run.cancel.load() && !rec.ok) return std::nullopt;
    return rec;
  }
  const CellSpec spec = spec_for(c, run.plan);
  const std::string& preload = spec.library;
  const ChildOutcome child = run_child(run.exe, spec, preload, run.limits, run.cancel);
  if (run.cancel.load() && !child.ok) return std::nullopt;
  CellRecord rec{cell.combination, cell.rep, child.ok, child.error, nullptr, child.elapsed_s};
  if (child.ok) {
    try {
      rec.data = nlohmann::json::parse(child.result_json);
    } catch (const std::exception& e) {
      rec.ok = false;
      rec.error = std::string("unreadable result from the cell process: ") + e.what();
    }
  }
  const DeepPassOptions& deep = run.plan.options.deep;
  if (rec.ok && cell.rep == 0 && deep.any())  // deep passes: once per combination (deep_passes.hpp)
    run_deep_passes({deep, run.exe, spec, preload, run.limits, run.cancel, run.kernel_costs, child.elapsed_s}, rec.data);
  return rec;
}

// The results cannot be written where they belong: the run stops (measuring on would only add to what
// is lost), and what was measured goes to a rescue file. A good file already at the output path stays
// as it was (writes there are atomic: atomic_file.hpp). The journal is deleted once the rescue file
// holds its cells, else kept, and named, for `vmbench recover`.
RunReport stop_and_rescue(const std::string& why, const std::string& out_path, const RunSetup& run,
                          const std::vector<CellRecord>& records, const nlohmann::json& context, bool any_failed,
                          RunJournal& journal) {
  RunReport report;
  report.complete = records.size() == run.plan.cells.size() && !run.cancel.load();
  report.any_failed = any_failed;
  report.document = build_document(run.plan, records, context, report.complete);
  const Rescue rescue = save_rescue(out_path, why, json_text(report.document, 2), records.size());
  report.unwritable = rescue.line;
  if (rescue.saved || journal.cells() == 0) {
    journal.remove();
  } else {
    report.unwritable += "; the journal " + journal.path() + " keeps " + std::to_string(journal.cells()) +
                         " of them (vmbench recover " + journal.path() + ")";
    journal.release();
  }
  return report;
}

// The run is over: its document goes to OUT when complete, over the journal when not (a partial run
// never replaces a complete OUT), or to standard output (the caller prints it).
RunReport finish(const std::string& out_path, const RunSetup& run, const std::vector<CellRecord>& records,
                 const nlohmann::json& context, bool any_failed, RunJournal& journal) {
  RunReport report;
  report.complete = !run.cancel.load();
  report.any_failed = any_failed;
  report.document = build_document(run.plan, records, context, report.complete);
  if (out_path == kStandardOutput) {
    journal.remove();
    return report;
  }
  report.written_to = report.complete ? out_path : journal.path();
  if (const std::string why = write_file_atomically(report.written_to, json_text(report.document, 2)); !why.empty())
    return stop_and_rescue(why, out_path, run, records, context, any_failed, journal);
  if (report.complete) journal.remove();
  else journal.release();
  return report;
}

}  // namespace

RunReport run_plan(const Plan& plan, const std::string& exe, const std::string& out_path,
                   const nlohmann::json& context, RunJournal& journal, const std::atomic<bool>& cancel,
                   const CellDone& on_cell_done) {
  static const nlohmann::json kNoCalibration;  // null: a context without one (the modelled time says so)
  const auto calibration = context.find("kernel_costs");
  const RunSetup run{plan, exe, cancel, calibration != context.end() ? *calibration : kNoCalibration,
                     {plan.options.timeout_s, plan.memory_limit_bytes, plan.options.clean_env}};
  std::vector<CellRecord> records;
  bool any_failed = false;
  for (const Cell& cell : plan.cells) {
    if (cancel.load()) break;
    std::optional<CellRecord> rec = run_cell_process(run, cell);
    if (!rec) break;
    any_failed |= !rec->ok;
    const Combination& c = plan.combinations[static_cast<std::size_t>(cell.combination)];
    on_cell_done(c.key + " rep " + std::to_string(cell.rep), rec->ok, rec->error);
    records.push_back(std::move(*rec));
    // On disk before the next cell: a crash of vmbench itself loses at most the running cell.
    if (const std::string why = journal.append(records.back()); !why.empty())
      return stop_and_rescue(why, out_path, run, records, context, any_failed, journal);
  }
  nlohmann::json context_after = context;  // the machine's load when the run ends (noise.hpp)
  context_after["load_average_after"] = load_average_json();
  return finish(out_path, run, records, context_after, any_failed, journal);
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  buf[n] = '\0';
  return buf;
}

}  // namespace vmbench
