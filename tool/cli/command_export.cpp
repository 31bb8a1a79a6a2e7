// `vmbench export --format gbench|gbench-smaller RESULTS.json`: an existing results file in Google
// Benchmark's JSON (or github-action-benchmark's customSmallerIsBetter) on standard output.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "exit_status.hpp"
#include "formats.hpp"
#include "json_text.hpp"
#include "results_loader.hpp"
#include "standard_output.hpp"

namespace vmbench {

Command register_export(CLI::App& app) {
  struct Args {
    std::string path;
    std::string format = "gbench";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("export", "Convert a results file for other tools (Google Benchmark JSON)");
  cmd->add_option("results", args->path, "A results file written by vmbench run")->required();
  cmd->add_option("--format,-f", args->format,
                  "gbench (Google Benchmark JSON: compare.py, github-action-benchmark googlecpp) or gbench-smaller "
                  "(github-action-benchmark customSmallerIsBetter: RSS, commits, faults)")
      ->check(CLI::IsMember({"gbench", "gbench-smaller"}))
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  vmbench export results.json > gbench.json && compare.py benchmarks base-gbench.json gbench.json\n"
      "  vmbench export --format gbench-smaller results.json > memory.json");
  return {cmd, [args] {
            const LoadedResults r = load_results(args->path);
            if (!r.ok()) {
              std::fprintf(stderr, "vmbench export: %s\n", r.error.c_str());
              return exit_code(ExitStatus::unusable_input);
            }
            const auto out = args->format == "gbench" ? render_gbench(r.doc) : render_gbench_smaller(r.doc);
            print_out(json_text(out, 2) + "\n");
            return exit_code(ExitStatus::ok);
          }};
}

}  // namespace vmbench
