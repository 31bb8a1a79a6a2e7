// vmbench: measure, explain and guard memory-allocator performance. This file declares the command
// line; each subcommand lives in its own command_*.cpp.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cell_child.hpp"
#include "commands.hpp"
#include "run_context.hpp"

namespace {

std::string join_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  // The cell process: internal, never typed by a user, so it bypasses the CLI parser entirely.
  if (argc == 3 && std::string(argv[1]) == "__cell") return vmbench::cell_child_main(argv[2]);

  CLI::App app{"vmbench: measure, explain and guard memory-allocator performance.\n"
               "Runs synthetic workloads against arenas, pools and malloc implementations, each cell in its\n"
               "own process, and reports time, throughput, RSS and commit counts."};
  app.set_version_flag("--version", vmbench::version_string());
  app.require_subcommand(1);
  app.footer("Examples:\n  vmbench run\n  vmbench run --workload tree --allocator arena,malloc,jemalloc\n  vmbench list");

  vmbench::RunOptions run;
  vmbench::RunOutput output;
  output.out_path = "vmbench-results.json";
  auto* run_cmd = app.add_subcommand("run", "Run workloads against allocators and report the figures");
  run_cmd->add_option("--workload,-w", run.workloads, "Workloads to run (default: all)")->delimiter(',');
  run_cmd->add_option("--allocator,-a", run.allocators, "Allocators to compare (default: every one available here)")
      ->delimiter(',');
  run_cmd->add_option("--scale", run.scale, "Problem size: ci (seconds), default (under a minute), large")
      ->check(CLI::IsMember({"ci", "default", "large"}));
  run_cmd->add_option("--param,-p", run.param_args,
                      "NAME=VALUE[,VALUE...]: set or sweep a parameter (see `vmbench list`); repeatable");
  run_cmd->add_option("--dispatch", run.dispatch,
                      "inline (each allocator inlined), virtual (through the Allocator interface), or both")
      ->check(CLI::IsMember({"inline", "virtual", "both"}));
  run_cmd->add_option("--reps,-r", run.reps, "Measured repetitions per combination, interleaved")
      ->check(CLI::Range(1, 1000));
  run_cmd->add_option("--warmup", run.warmup, "Unmeasured passes of the workload in each cell process first")
      ->check(CLI::Range(0, 100));
  run_cmd->add_option("--seed", run.seed, "Seed of every workload's random choices");
  run_cmd->add_option("--timeout", run.timeout_s, "Seconds before a cell process is killed and marked failed")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--memory-limit", run.memory_limit,
                      "Cap each cell process's memory (RLIMIT_DATA), e.g. 64M: a cell that needs more fails")
      ->type_name("SIZE");
  run_cmd->add_option("--out,-o", output.out_path, "Where to write the JSON results")->capture_default_str();
  run_cmd->add_option("--format,-f", output.format, "What to print: table, json, csv, markdown or gbench")
      ->check(CLI::IsMember({"table", "json", "csv", "markdown", "gbench"}));
  run_cmd->add_flag("--quiet,-q", output.quiet, "No progress or notes on stderr");
  // Deep metrics: each is one more child process per combination, beside the timed ones.
  run_cmd->add_flag("--syscalls", run.deep.syscalls,
                    "Also count the memory system calls (commits, decommits) of each combination, traced");
  run_cmd->add_flag("--latency", run.deep.latency, "Also time every allocate and free: percentiles per kind");
  run_cmd->add_flag("--timeline", run.deep.timeline, "Also record memory over time (live, RSS, committed)");
  run_cmd->add_flag("--heapmap", run.deep.heap_map,
                    "Also snapshot page occupancy and residency at the peak and at each checkpoint");
  run_cmd->add_option("--timeline-every", run.deep.timeline_every_ops,
                      "Operations between two timeline points (default: about 150 points)");
  bool deep_all = false;
  run_cmd->add_flag("--deep", deep_all, "All of --syscalls --latency --timeline --heapmap");
  run_cmd->footer(
      "Examples:\n"
      "  vmbench run                                   all workloads x every allocator, default scale\n"
      "  vmbench run --workload tree                   one workload\n"
      "  vmbench run -w churn -a pool,malloc,jemalloc --reps 5\n"
      "  vmbench run -w tree -a arena -p commit_step=4K,64K,2M    sweep the commit step\n"
      "  vmbench run --scale ci --format markdown      quick run, Markdown tables");

  // Further commands register themselves (command_*.cpp): their options, help and action.
  std::vector<vmbench::Command> commands;
  // COMMAND-REGISTRATIONS: one line each, e.g. commands.push_back(vmbench::register_compare(app));
  commands.push_back(vmbench::register_list(app));
  commands.push_back(vmbench::register_plot(app));
  commands.push_back(vmbench::register_report(app));
  commands.push_back(vmbench::register_compare(app));
  commands.push_back(vmbench::register_export(app));

  std::string valid;
  bool known = false;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    valid += (valid.empty() ? "" : ", ") + sub->get_name();
    known |= argc >= 2 && sub->get_name() == argv[1];
  }
  if (argc >= 2 && argv[1][0] != '-' && !known) {
    std::fprintf(stderr, "vmbench: unknown command '%s' (valid: %s; see vmbench --help)\n", argv[1], valid.c_str());
    return 2;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "vmbench: %s\n", e.what());
    return 2;
  }
  if (deep_all) run.deep.syscalls = run.deep.latency = run.deep.timeline = run.deep.heap_map = true;
  // A file-size limit (ulimit -f) must make a write fail with EFBIG, which vmbench reports and
  // survives, not kill it with SIGXFSZ and lose what it measured.
  if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR) {
    std::fprintf(stderr, "vmbench: cannot ignore SIGXFSZ: %s\n", std::strerror(errno));
    return 2;
  }
  if (*run_cmd) return vmbench::command_run(run, output, join_args(argc, argv));
  for (const auto& c : commands)
    if (*c.app) return c.action();
  return 2;
}
