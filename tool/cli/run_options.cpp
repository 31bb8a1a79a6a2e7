#include "run_options.hpp"

#include <CLI/CLI.hpp>

#include "format_catalog.hpp"
#include "number_checks.hpp"

namespace vmbench {

namespace {

constexpr std::uint64_t kMaxReps = 1000;
constexpr std::uint64_t kMaxWarmup = 100;
constexpr double kMinTimeoutS = 0.001;          // a cell process takes longer than this to start
constexpr double kMaxTimeoutS = 7 * 86400.0;    // a week: what the results loader takes as plausible

// What is measured: workloads, allocators, sizes, repetitions, limits.
void add_measurement_options(CLI::App& cmd, RunOptions& run) {
  cmd.add_option("--workload,-w", run.workloads, "Workloads to run (default: all)")->delimiter(',');
  cmd.add_option("--allocator,-a", run.allocators, "Allocators to compare (default: every one available here)")
      ->delimiter(',');
  cmd.add_option("--scale", run.scale, "Problem size: ci (seconds), default (under a minute), large")
      ->check(CLI::IsMember({"ci", "default", "large"}))
      ->capture_default_str();
  cmd.add_option("--param,-p", run.param_args,
                 "NAME=VALUE[,VALUE...]: set or sweep a parameter (see `vmbench list`); repeatable");
  cmd.add_option("--threads", run.threads,
                 "N[,N...]: threads per cell, each running the workload on its own slice (1 to 1024; a list sweeps)")
      ->type_name("N[,N...]")
      ->delimiter(',');
  cmd.add_option("--dispatch", run.dispatch,
                 "inline (each allocator inlined), virtual (through the Allocator interface), or both")
      ->check(CLI::IsMember({"inline", "virtual", "both"}))
      ->capture_default_str();
  cmd.add_option("--reps,-r", run.reps, "Measured repetitions per combination, interleaved")
      ->check(whole_number(1, kMaxReps))
      ->capture_default_str();
  cmd.add_option("--warmup", run.warmup, "Unmeasured passes of the workload in each cell process first")
      ->check(whole_number(0, kMaxWarmup))
      ->capture_default_str();
  cmd.add_option("--seed", run.seed, "Seed of every workload's random choices (0 to 2^64-1)")
      ->check(whole_number(0, UINT64_MAX))
      ->capture_default_str();
  cmd.add_option("--timeout", run.timeout_s, "Seconds before a cell process is killed and marked failed")
      ->check(finite_number(kMinTimeoutS, kMaxTimeoutS))
      ->capture_default_str();
  cmd.add_option("--memory-limit", run.memory_limit,
                 "Cap each cell process's memory (RLIMIT_DATA), e.g. 64M: a cell that needs more fails")
      ->type_name("SIZE");
  cmd.add_flag("--clean-env", run.clean_env,
               "Do not pass the allocators' environment variables (GLIBC_TUNABLES, MALLOC_*, MIMALLOC_*, "
               "TCMALLOC_*, ...) to the cells; without it they are passed, recorded and warned about");
}

void add_output_options(CLI::App& cmd, RunOutput& output) {
  cmd.add_option("--out,-o", output.out_path,
                 "Where to write the JSON results (a regular file, replaced atomically; - for standard output)")
      ->capture_default_str();
  cmd.add_option("--format,-f", output.format, format_help(false) + "\n  (default: table)")
      ->check(CLI::IsMember(format_names(false)));
  cmd.add_flag("--quiet,-q", output.quiet, "No progress or notes on stderr");
}

// Deep metrics: each is one more child process per combination, beside the timed ones.
void add_deep_options(CLI::App& cmd, DeepPassOptions& deep, bool& deep_all) {
  cmd.add_flag("--syscalls", deep.syscalls,
               "Also count the memory system calls (commits, decommits) of each combination, traced");
  cmd.add_flag("--latency", deep.latency, "Also time every allocate and free: percentiles per kind");
  cmd.add_flag("--timeline", deep.timeline, "Also record memory over time (live, RSS, committed)");
  cmd.add_flag("--heapmap", deep.heap_map, "Also snapshot page occupancy and residency at the peak and at each checkpoint");
  cmd.add_option("--timeline-every", deep.timeline_every_ops,
                 "Operations between two timeline points (default, or 0: about 150 points)")
      ->check(whole_number(0, UINT64_MAX));
  cmd.add_flag("--cost", deep.cost,
               "Also count the measured phase's instructions and simulated cache misses under valgrind (callgrind): "
               "deterministic, what scripts/ci-gate.sh judges; needs the Debian package valgrind");
  cmd.add_flag("--deep", deep_all,
               "All of --syscalls --latency --timeline --heapmap --cost (without valgrind the cost figures are null)");
}

// A program instead of the workloads: vmbench run --program -- CMD ARGS... (tool/plan/program_plan.hpp).
void add_program_options(CLI::App& cmd, RunOptions& run) {
  cmd.add_flag("--program", run.program,
               "Measure the command after -- under each malloc replacement instead of the workloads");
  cmd.add_option("--program-output", run.program_output,
                 "Keep each run's stdout and stderr in this folder (default: discarded)")->type_name("DIR");
  cmd.add_option("command", run.command, "With --program: the command and its arguments, after --");
}

}  // namespace

RunOptions RunArguments::resolved() const {
  RunOptions o = options;
  if (deep_all) o.deep.syscalls = o.deep.latency = o.deep.timeline = o.deep.heap_map = o.deep.cost = true;
  return o;
}

CLI::App* add_run_command(CLI::App& app, RunArguments& args) {
  CLI::App* cmd = app.add_subcommand("run", "Run workloads against allocators and report the figures");
  add_measurement_options(*cmd, args.options);
  add_output_options(*cmd, args.output);
  add_deep_options(*cmd, args.options.deep, args.deep_all);
  add_program_options(*cmd, args.options);
  cmd->footer(
      "Examples:\n"
      "  vmbench run                                   all workloads x every allocator, default scale\n"
      "  vmbench run --workload tree                   one workload\n"
      "  vmbench run -w churn -a pool,malloc,jemalloc --reps 5\n"
      "  vmbench run -w tree -a arena -p commit_step=4K,64K,2M    sweep the commit step\n"
      "  vmbench run -w churn,tree,xfer --threads 1,2,4            scaling over threads\n"
      "  vmbench run --program -a malloc,jemalloc -- python3 -c 'x = [str(i) for i in range(10**6)]'\n"
      "  vmbench run --scale ci --format markdown      quick run, Markdown tables\n"
      "  vmbench run --scale ci -w tree -a arena,malloc --cost    instruction counts of the measured phase\n"
      "Terms (cell, repetition, phase, lifetime group, F3/F4, commit, traced): docs/glossary.md");
  return cmd;
}

}  // namespace vmbench
