#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "atomic_file.hpp"
#include "child_process.hpp"
#include "commands.hpp"
#include "deep_passes.hpp"
#include "formats.hpp"
#include "progress.hpp"
#include "rescue_file.hpp"
#include "results_document.hpp"
#include "run_context.hpp"

namespace vmbench {

namespace {

std::atomic<bool> g_interrupted{false};

// First SIGINT/SIGTERM: stop after killing the running cell, and write what was measured (marked
// partial). A second one: leave at once.
void on_signal(int) {
  if (g_interrupted.exchange(true)) _exit(130);
}

// The results file cannot be written: the run stops (measuring on would only add to what is lost),
// and what was measured goes to a rescue file, said in one line. A good file already at the output
// path stays as it was: writes there are atomic (atomic_file.hpp).
int stop_and_rescue(const std::string& why, const RunOutput& output, const Plan& plan,
                    const std::vector<CellRecord>& records, const nlohmann::json& context, Progress& progress) {
  progress.clear();
  const bool all_measured = records.size() == plan.cells.size() && !g_interrupted.load();
  const std::string line = save_rescue(output.out_path, why, build_document(plan, records, context, all_measured).dump(2),
                                       records.size());
  std::fprintf(stderr, "vmbench: %s\n", line.c_str());
  return 2;
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  buf[n] = '\0';
  return buf;
}

}  // namespace

int command_run(const RunOptions& options, const RunOutput& output, const std::string& command_line) {
  Plan plan;
  try {
    plan = make_plan(options);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "vmbench: %s\n", e.what());
    return 2;
  }
  if (const std::string why = check_writable(output.out_path); !why.empty()) {
    std::fprintf(stderr, "vmbench: %s\n", why.c_str());
    return 2;
  }
  const std::string exe = self_exe();
  if (exe.empty()) {
    std::fprintf(stderr, "vmbench: cannot find its own executable (/proc/self/exe)\n");
    return 2;
  }
  if (!output.quiet)
    for (const auto& s : plan.skipped) std::fprintf(stderr, "vmbench: skipping allocator %s\n", s.c_str());

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const auto availability = allocator_availability();
  auto preload_of = [&](const std::string& allocator) {
    for (const auto& a : availability)
      if (a.name == allocator) return a.preload_path;
    return std::string();
  };

  const nlohmann::json context = collect_context(command_line, options.seed);
  const CellLimits limits{options.timeout_s, plan.memory_limit_bytes};
  std::vector<CellRecord> records;
  Progress progress(static_cast<int>(plan.cells.size()), output.quiet);
  bool any_failed = false;
  for (const Cell& cell : plan.cells) {
    if (g_interrupted.load()) break;
    const Combination& c = plan.combinations[static_cast<std::size_t>(cell.combination)];
    const nlohmann::json spec = {{"workload", c.workload}, {"allocator", c.allocator}, {"dispatch", c.dispatch},
                                 {"params", c.params.values()}, {"seed", options.seed}, {"warmup", options.warmup}};
    ChildOutcome child = run_child(exe, spec.dump(), preload_of(c.allocator), limits, g_interrupted);
    if (g_interrupted.load() && !child.ok) break;  // the cell was cut short: not a result
    CellRecord rec{cell.combination, cell.rep, child.ok, child.error, nullptr, child.elapsed_s};
    if (child.ok) {
      try {
        rec.data = nlohmann::json::parse(child.result_json);
      } catch (const std::exception& e) {
        rec.ok = false;
        rec.error = std::string("unreadable result from the cell process: ") + e.what();
      }
    }
    if (rec.ok && cell.rep == 0 && options.deep.any())  // deep passes: once per combination (deep_passes.hpp)
      run_deep_passes(options.deep, exe, spec, preload_of(c.allocator), limits, g_interrupted, rec.data);
    any_failed |= !rec.ok;
    progress.cell_done(c.key + " rep " + std::to_string(cell.rep), rec.ok, rec.error);
    records.push_back(std::move(rec));
    // Keep the file current: a crash of vmbench itself loses at most the running cell.
    const std::string why = write_file_atomically(output.out_path, build_document(plan, records, context, false).dump(2));
    if (!why.empty()) return stop_and_rescue(why, output, plan, records, context, progress);
  }
  const bool complete = !g_interrupted.load();
  const nlohmann::json doc = build_document(plan, records, context, complete);
  if (const std::string why = write_file_atomically(output.out_path, doc.dump(2)); !why.empty())
    return stop_and_rescue(why, output, plan, records, context, progress);
  progress.finish();
  if (output.format == "json") std::cout << doc.dump(2) << "\n";
  else if (output.format == "csv") std::cout << render_csv(doc);
  else if (output.format == "markdown") std::cout << render_markdown(doc);
  else if (output.format == "gbench") std::cout << render_gbench(doc).dump(2) << "\n";
  else std::cout << render_table(doc);
  if (!output.quiet)
    std::fprintf(stderr, "vmbench: results written to %s%s\n", output.out_path.c_str(),
                 complete ? "" : " (partial: interrupted)");
  if (!complete) return 130;
  return any_failed ? 1 : 0;
}

}  // namespace vmbench
