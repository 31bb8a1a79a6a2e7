// The subcommands. main.cpp declares the command line (CLI11) and calls these.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plan.hpp"

namespace CLI {
class App;
}

namespace vmbench {

struct RunOutput {
  std::string out_path;          // the JSON file (always written)
  std::string format = "table";  // what goes to standard output: table | json | csv | markdown | gbench
  bool quiet = false;
};

// Exit codes: 0 done, 1 some cells failed, 2 bad input (nothing measured) or results that could not
// be written (what was measured is in a rescue file: rescue_file.hpp), 130 interrupted.
int command_run(const RunOptions& options, const RunOutput& output, const std::string& command_line);

// A subcommand that declares itself: register_X(app) adds its options to `app` and returns the
// subcommand with the action main() runs when it was chosen (exit code as above).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> action;
};

Command register_list(CLI::App& app);    // command_list.cpp: vmbench list [--format text|json]
Command register_plot(CLI::App& app);    // command_plot.cpp
Command register_report(CLI::App& app);  // command_report.cpp
// Runs scripts/vmbench-plot with a Python that has matplotlib; its exit code (3: none found).
int run_plot_script(const char* command, const std::vector<std::string>& script_args);

// The results files given to plot or report pass the same loader as compare's (results_loader.hpp)
// before any Python runs: 0, or 2 after one line naming the file and what is wrong. Empty paths
// (an option not given) are skipped.
int refuse_unusable_results(const char* command, const std::vector<std::string>& paths);

Command register_compare(CLI::App& app);  // vmbench compare BASE.json NEW.json
Command register_export(CLI::App& app);   // vmbench export --format gbench RESULTS.json

}  // namespace vmbench
