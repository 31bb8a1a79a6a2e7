// From command-line choices to a plan: the combinations (workload x allocator x dispatch x
// parameter values) and the cells (combination x repetition) in the order they run. Every check on
// the user's input happens here, before anything is measured.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "deep_pass_options.hpp"
#include "params.hpp"

namespace vmbench {

struct RunOptions {
  std::vector<std::string> workloads;   // empty: all
  std::vector<std::string> allocators;  // empty: every one available here; NAME=PATH: your own (own_allocator.hpp)
  std::string scale = "default";
  std::vector<std::string> param_args;  // raw --param values, e.g. "depth=12", "commit_step=4K,64K"
  std::vector<std::string> threads;     // --threads, e.g. {"1", "2", "4"} (thread_plan.hpp); empty: the defaults
  std::string dispatch = "inline";      // inline | virtual | both
  int reps = 3;
  int warmup = 0;
  std::uint64_t seed = 42;
  double timeout_s = 120;
  std::string memory_limit;             // raw --memory-limit, e.g. "64M"; empty: none
  DeepPassOptions deep;                 // extra child processes per combination (--syscalls, ...)
  bool clean_env = false;               // --clean-env: the allocators' variables are not passed to cells
  bool program = false;                 // --program: measure a command instead of workloads
  std::vector<std::string> command;     // --program -- CMD ARGS...
  std::string program_output;           // --program-output DIR: keep each run's stdout and stderr there
};

struct Combination {
  std::string workload;
  std::string allocator;
  std::string dispatch;
  Params params;                             // every parameter the cell needs
  std::map<std::string, std::string> swept;  // the parameters given more than one value
  std::string key;                           // stable id: workload/allocator/dispatch[/name=value...]
};

struct Cell {
  int combination;
  int rep;
};

struct AllocatorAvailability {
  std::string name;
  bool available = false;
  std::string preload_path;  // for preloaded allocators
  std::string found_by;      // how preload_path was found: "dynamic loader", "Debian path", "-a NAME=PATH"
  std::string reason;        // why not, and what installs it
};

struct Plan {
  RunOptions options;
  Scale scale = Scale::standard;
  std::uint64_t memory_limit_bytes = 0;  // --memory-limit, parsed; 0: none
  std::vector<Combination> combinations;
  std::vector<Cell> cells;            // interleaved: rep 0 of every combination, then rep 1...
  std::vector<std::string> skipped;   // allocators left out, with the reason
  std::vector<std::string> notes;     // what the plan changed in what was asked (a repeated name or value)
  std::vector<std::string> warnings;  // what to know before the run (thread_plan.hpp), printed and kept in the results
  std::map<std::string, std::string> libraries;  // preloaded allocator -> its library (LD_PRELOAD)
  std::string program_path;           // --program: the command's file, found on PATH
};

// Where each allocator can be loaded from on this machine: a preloaded one where the dynamic loader
// finds it by its own rules (LD_LIBRARY_PATH, the ld.so cache), else at the Debian paths.
std::vector<AllocatorAvailability> allocator_availability();

// A plan larger than this is refused: a hundred thousand cells take hours at the least (a cell is a
// process), and a sweep of many parameters at once multiplies to more combinations than memory holds
// (at a million, building the plan alone took 17 s in the fuzz build: libFuzzer's timeout).
inline constexpr std::uint64_t kMaxPlannedCells = 100'000;

// Throws std::invalid_argument with a one-line message naming the problem (and the valid choices).
Plan make_plan(const RunOptions& options);

}  // namespace vmbench
