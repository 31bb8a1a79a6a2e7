// `vmbench list`: its declaration; the listing itself is command_list.cpp.
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace vmbench {

Command register_list(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("list", "List workloads (with parameters) and allocators (and availability)");
  cmd->footer("Example:\n  vmbench list");
  return {cmd, [] { return command_list(); }};
}

}  // namespace vmbench
