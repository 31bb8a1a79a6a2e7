// The plan of a program run (vmbench run --program -- CMD ARGS...): the command found on PATH, the
// allocators that can run it (malloc and its replacements), and the options that do not apply to a
// program refused, before anything runs.
#pragma once

#include <string>
#include <vector>

namespace vmbench {

struct RunOptions;

// The file execve would run for `name`: itself when it holds a '/', else the first match on PATH (as
// execvp searches). Throws std::invalid_argument: "command not found: NAME", or why it cannot run.
std::string resolve_command(const std::string& name);

// The command line as a shell would read it back: words with spaces or quotes in single quotes.
std::string quote_command(const std::vector<std::string>& argv);

// True for a program run. Throws std::invalid_argument (one line) when the command is missing, found
// without --program, or combined with options that only workloads have (--workload, --dispatch
// virtual, --warmup, --latency, --timeline, --heapmap).
bool check_program_options(const RunOptions& options);

// Whether `allocator` can run a program: malloc, a preloaded one, or your own (NAME=PATH).
bool runs_programs(const std::string& allocator);

}  // namespace vmbench
