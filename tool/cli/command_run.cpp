// `vmbench run`: the command-line side of a run. Checks the input and the output path, handles the
// signals, shows progress and prints the results; the run itself is runner/run_loop.hpp.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>

#include "atomic_file.hpp"
#include "commands.hpp"
#include "cost_pass.hpp"
#include "exit_status.hpp"
#include "format_catalog.hpp"
#include "progress.hpp"
#include "rescue_file.hpp"
#include "results_document.hpp"
#include "run_context.hpp"
#include "run_loop.hpp"
#include "run_journal.hpp"
#include "run_options.hpp"
#include "standard_output.hpp"

namespace vmbench {

namespace {

std::atomic<bool> g_interrupted{false};

// First SIGINT/SIGTERM: stop after killing the running cell, and write what was measured (marked
// partial). A second one: leave at once, without the temporary file a write may have begun.
void on_signal(int) {
  if (!g_interrupted.exchange(true)) return;
  remove_pending_temporary();
  _exit(exit_code(ExitStatus::interrupted));
}

void catch_interruptions() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int refuse(const std::string& why) {
  std::fprintf(stderr, "vmbench: %s\n", why.c_str());
  return exit_code(ExitStatus::unusable_input);
}

// The plan, or the exit status of a refusal (one line said why). --cost on a machine that cannot run
// the cost pass is refused here, before anything is measured; --deep measures the rest and notes it.
std::optional<int> plan_or_refusal(const RunOptions& options, const RunOutput& output, bool cost_required,
                                   Plan& plan) {
  try {
    plan = make_plan(options);
  } catch (const std::invalid_argument& e) {
    return refuse(e.what());
  }
  if (options.deep.cost) {
    const std::string why = cost_pass_unavailable();
    if (!why.empty() && cost_required) return refuse("--cost: " + why);
    if (!why.empty() && !output.quiet) std::fprintf(stderr, "vmbench: no cost figures: %s\n", why.c_str());
  }
  if (output.out_path != kStandardOutput) {
    if (const std::string why = check_output_file(output.out_path); !why.empty()) return refuse(why);
  } else if (!output.format.empty() && output.format != "json") {
    return refuse("--out - sends the JSON results to standard output: --format " + output.format +
                  " cannot go there too");
  }
  return std::nullopt;
}

// The format is one of the catalog's (run_options.cpp checks it; empty: the table); its notes go to
// stderr. Everything printed is checked (standard_output.hpp).
void print_results(const nlohmann::json& doc, const std::string& format, bool quiet) {
  const Rendered r = find_format(format.empty() ? "table" : format)->render(doc, FormatOptions{});
  print_out(r.text);
  if (!quiet)
    for (const std::string& note : r.notes) std::fprintf(stderr, "vmbench: %s\n", note.c_str());
}

// Where the run keeps its journal (run_journal.hpp): OUT.partial, or for --out - a new file in $TMPDIR.
std::string journal_path_for(const std::string& out_path) {
  if (out_path != kStandardOutput) return partial_path(out_path);
  std::random_device random;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
  return temporary_directory() + "/vmbench-run-" + std::to_string(getpid()) + "-" + suffix + ".partial";
}

void say_where(const RunOutput& output, const RunReport& report) {
  if (output.quiet || report.written_to.empty()) return;
  if (report.complete) {
    std::fprintf(stderr, "vmbench: results written to %s\n", report.written_to.c_str());
    if (output.out_path != kStandardOutput)  // the views of this file (docs/glossary.md explains the terms)
      std::fprintf(stderr, "vmbench: see them: vmbench plot %s (figures in vmbench-plots/); vmbench report %s (vmbench-report.html)\n",
                   report.written_to.c_str(), report.written_to.c_str());
    return;
  }
  std::fprintf(stderr, "vmbench: interrupted: the %zu cells measured are in %s (partial; %s is left as it was)\n",
               report.document["cells"].size(), report.written_to.c_str(), output.out_path.c_str());
}

// Exit codes: 0 done, 1 some cells failed, 2 bad input (nothing measured) or results that could not
// be written (what was measured is in a rescue file: rescue_file.hpp), 130 interrupted.
int command_run(const RunOptions& options, const RunOutput& output, bool cost_required, const std::string& command_line) {
  Plan plan;
  if (const std::optional<int> refused = plan_or_refusal(options, output, cost_required, plan)) return *refused;
  const std::string exe = self_exe();
  if (exe.empty()) return refuse("cannot find its own executable (/proc/self/exe)");
  const nlohmann::json context = collect_context(command_line, options.seed);
  std::string refused;
  RunJournal journal = RunJournal::create(journal_path_for(output.out_path), plan, context, refused);
  if (!refused.empty()) return refuse(refused);
  if (!output.quiet)
    for (const auto& s : plan.skipped) std::fprintf(stderr, "vmbench: skipping allocator %s\n", s.c_str());
  if (!output.quiet)
    for (const auto& n : plan.notes) std::fprintf(stderr, "vmbench: note: %s\n", n.c_str());
  if (!output.quiet)
    for (const auto& w : plan.warnings) std::fprintf(stderr, "vmbench: warning: %s\n", w.c_str());
  if (const std::string set = allocator_variables_passed(plan, context); !set.empty() && !output.quiet)
    std::fprintf(stderr, "vmbench: warning: %s\n", set.c_str());
  catch_interruptions();
  Progress progress(static_cast<int>(plan.cells.size()), output.quiet);
  const RunReport report = run_plan(plan, exe, output.out_path, context, journal, g_interrupted,
                                    [&](const std::string& label, bool ok, const std::string& error) {
                                      progress.cell_done(label, ok, error);
                                    });
  if (!report.unwritable.empty()) {
    progress.clear();
    return refuse(report.unwritable);
  }
  progress.finish();
  print_results(report.document, output.out_path == kStandardOutput ? "json" : output.format, output.quiet);
  say_where(output, report);
  if (!report.complete) return exit_code(ExitStatus::interrupted);
  return exit_code(report.any_failed ? ExitStatus::failed : ExitStatus::ok);
}

}  // namespace

Command register_run(CLI::App& app, const std::string& command_line) {
  auto args = std::make_shared<RunArguments>();
  CLI::App* cmd = add_run_command(app, *args);
  return {cmd, [args, command_line] {
            return command_run(args->resolved(), args->output, args->cost_required(), command_line);
          }};
}

}  // namespace vmbench
