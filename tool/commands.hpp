// The subcommands. main.cpp declares the command line (CLI11) and calls these.
#pragma once

#include <functional>
#include <string>

#include "plan.hpp"

namespace CLI {
class App;
}

namespace vmbench {

struct RunOutput {
  std::string out_path;          // the JSON file (always written)
  std::string format = "table";  // what goes to standard output: table | json | csv | markdown
  bool quiet = false;
};

// Exit codes: 0 done, 1 some cells failed, 2 bad input (nothing measured), 130 interrupted.
int command_run(const RunOptions& options, const RunOutput& output, const std::string& command_line);
int command_list();

// A subcommand that declares itself: register_X(app) adds its options to `app` and returns the
// subcommand with the action main() runs when it was chosen (exit code as above).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> action;
};

}  // namespace vmbench
