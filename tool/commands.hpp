// The subcommands. main.cpp declares the command line (CLI11) and calls these.
#pragma once

#include <string>

#include "plan.hpp"

namespace vmbench {

struct RunOutput {
  std::string out_path;          // the JSON file (always written)
  std::string format = "table";  // what goes to standard output: table | json | csv | markdown
  bool quiet = false;
};

// Exit codes: 0 done, 1 some cells failed, 2 bad input (nothing measured), 130 interrupted.
int command_run(const RunOptions& options, const RunOutput& output, const std::string& command_line);
int command_list();

}  // namespace vmbench
