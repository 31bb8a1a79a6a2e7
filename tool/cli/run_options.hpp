// `vmbench run`'s command line: every option with its help and its checks, declared in one place.
#pragma once

#include <string>

#include "plan.hpp"

namespace CLI {
class App;
}

namespace vmbench {

struct RunOutput {
  std::string out_path = "vmbench-results.json";  // the JSON file; "-": the document goes to standard output
  std::string format;  // what goes to standard output: table (when empty) | json | csv | markdown | gbench
  bool quiet = false;
};

struct RunArguments {
  RunOptions options;
  RunOutput output;
  bool deep_all = false;  // --deep: every deep pass

  // --cost was given by itself: without valgrind the run is refused. (--deep alone measures the rest,
  // and records why the cost figures are null.)
  bool cost_required() const noexcept { return options.deep.cost; }

  // The options with --deep folded in.
  RunOptions resolved() const;
};

// Adds the `run` subcommand and its options to `app`; parsing fills `args`, which must outlive it.
CLI::App* add_run_command(CLI::App& app, RunArguments& args);

}  // namespace vmbench
