// The subcommands. Each declares its own options (CLI11) in its own file; main.cpp is the table of
// them. Exit statuses: exit_status.hpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plan.hpp"  // allocator_availability(), which command_list.cpp reads

namespace CLI {
class App;
}

namespace vmbench {

// A subcommand that declares itself: register_X(app) adds its options to `app` and returns the
// subcommand with the action main() runs when it was chosen (its exit status).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> action;
};

// `command_line`: the whole command line as typed, recorded in the results' context.
Command register_run(CLI::App& app, const std::string& command_line);  // command_run.cpp
Command register_list(CLI::App& app);  // command_list.cpp: vmbench list [--format text|json]

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
Command register_record(CLI::App& app);   // vmbench record -o FILE -- CMD ARGS... (command_record.cpp)
Command register_recover(CLI::App& app);  // vmbench recover OUT.partial: a killed run's cells

}  // namespace vmbench
