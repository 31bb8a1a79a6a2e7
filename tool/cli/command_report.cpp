// `vmbench report`: one self-contained HTML file (context, tables, figures embedded as PNG, short
// explanations). The page is written by scripts/vmbench-plot --html, launched like `vmbench plot`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "atomic_file.hpp"
#include "commands.hpp"
#include "exit_status.hpp"

namespace vmbench {

Command register_report(CLI::App& app) {
  struct Options {
    std::string results;
    std::string out_file = "vmbench-report.html";
    std::string compare;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("report", "Write one self-contained HTML report of a results file");
  cmd->add_option("results", options->results, "Results JSON written by vmbench run")->required();
  cmd->add_option("--out,-o", options->out_file, "The HTML file to write (a regular file; - for standard output)")
      ->capture_default_str();
  cmd->add_option("--compare", options->compare, "A second (earlier) results file to compare against");
  cmd->footer(
      "The page loads nothing from the network: figures are embedded, styles inline.\n"
      "Exit codes: 0 written, 2 a file that cannot be used, 3 no matplotlib (apt-get install python3-matplotlib).\n"
      "Example:\n"
      "  vmbench report vmbench-results.json --out report.html");
  return {cmd, [options] {
            if (const int rc = refuse_unusable_results("report", {options->results, options->compare}); rc != 0) return rc;
            if (options->out_file != kStandardOutput)
              if (const std::string why = check_output_file(options->out_file); !why.empty()) {
                std::fprintf(stderr, "vmbench report: %s\n", why.c_str());
                return exit_code(ExitStatus::unusable_input);
              }
            std::vector<std::string> args{options->results, "--html", options->out_file, "--quiet"};
            if (!options->compare.empty()) args.insert(args.end(), {"--compare", options->compare});
            return run_plot_script("report", args);
          }};
}

}  // namespace vmbench
