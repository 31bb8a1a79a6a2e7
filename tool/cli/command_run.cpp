// `vmbench run`: the command-line side of a run. Checks the input and the output path, handles the
// signals, shows progress and prints the results; the run itself is runner/run_loop.hpp.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "atomic_file.hpp"
#include "commands.hpp"
#include "cost_pass.hpp"
#include "exit_status.hpp"
#include "format_catalog.hpp"
#include "progress.hpp"
#include "run_context.hpp"
#include "run_loop.hpp"
#include "run_options.hpp"

namespace vmbench {

namespace {

std::atomic<bool> g_interrupted{false};

// First SIGINT/SIGTERM: stop after killing the running cell, and write what was measured (marked
// partial). A second one: leave at once.
void on_signal(int) {
  if (g_interrupted.exchange(true)) _exit(exit_code(ExitStatus::interrupted));
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
  if (const std::string why = check_writable(output.out_path); !why.empty()) return refuse(why);
  return std::nullopt;
}

// The format is one of the catalog's (run_options.cpp checks it); its notes go to stderr.
void print_results(const nlohmann::json& doc, const std::string& format, bool quiet) {
  const Rendered r = find_format(format)->render(doc, FormatOptions{});
  std::cout << r.text;
  if (!quiet)
    for (const std::string& note : r.notes) std::fprintf(stderr, "vmbench: %s\n", note.c_str());
}

// Exit codes: 0 done, 1 some cells failed, 2 bad input (nothing measured) or results that could not
// be written (what was measured is in a rescue file: rescue_file.hpp), 130 interrupted.
int command_run(const RunOptions& options, const RunOutput& output, bool cost_required, const std::string& command_line) {
  Plan plan;
  if (const std::optional<int> refused = plan_or_refusal(options, output, cost_required, plan)) return *refused;
  const std::string exe = self_exe();
  if (exe.empty()) return refuse("cannot find its own executable (/proc/self/exe)");
  if (!output.quiet)
    for (const auto& s : plan.skipped) std::fprintf(stderr, "vmbench: skipping allocator %s\n", s.c_str());
  if (!output.quiet)
    for (const auto& w : plan.warnings) std::fprintf(stderr, "vmbench: warning: %s\n", w.c_str());
  catch_interruptions();
  const nlohmann::json context = collect_context(command_line, options.seed);
  Progress progress(static_cast<int>(plan.cells.size()), output.quiet);
  const RunReport report = run_plan(plan, exe, output.out_path, context, g_interrupted,
                                    [&](const std::string& label, bool ok, const std::string& error) {
                                      progress.cell_done(label, ok, error);
                                    });
  if (!report.unwritable.empty()) {
    progress.clear();
    return refuse(report.unwritable);
  }
  progress.finish();
  print_results(report.document, output.format, output.quiet);
  if (!output.quiet)
    std::fprintf(stderr, "vmbench: results written to %s%s\n", output.out_path.c_str(),
                 report.complete ? "" : " (partial: interrupted)");
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
