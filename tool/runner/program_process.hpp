// One run of an external program: fork, its own process group, stdin from /dev/null, stdout and
// stderr into files, an environment with LD_PRELOAD and a few variables set, the cell limits
// (timeout, memory), cancellation; optionally traced (its memory system calls). The parent waits
// with wait4, which gives the program's own resource usage: CPU time, peak RSS, page faults.
#pragma once

#include <sys/resource.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "cell_limits.hpp"
#include "syscall_trace.hpp"

namespace vmbench {

struct ProgramLaunch {
  std::string path;                 // the file to execute (resolved on PATH)
  std::vector<std::string> argv;    // argv[0] as the user typed it
  std::string preload;              // LD_PRELOAD, replacing any the user's environment has
  std::vector<std::string> env;     // more NAME=VALUE, replacing those of the same name
  std::string stdout_path = "/dev/null";
  std::string stderr_path = "/dev/null";
  // vmbench record: the program keeps vmbench's terminal (stdin, stdout, stderr, process group, so
  // that Ctrl-C reaches it) instead of files and a group of its own.
  bool interactive = false;
};

struct ProgramEnd {
  std::string error;     // the run could not be started (fork, a file that cannot be opened)
  pid_t pid = 0;         // the program's process id, once forked
  int wait_status = 0;   // as waitpid gives it
  rusage usage{};        // of the program and the children it waited for (wait4); zero when traced
  double wall_s = 0;     // from fork to reaping it
  bool timed_out = false;
  bool cancelled = false;
  std::optional<TraceResult> trace;  // when traced
};

ProgramEnd run_program(const ProgramLaunch& launch, const CellLimits& limits, const std::atomic<bool>& cancel,
                       bool trace_memory_syscalls = false);

// One line on how a program ended when it did not exit 0: "exited with status 3", "killed by
// signal 11 (SIGSEGV)", "timed out after 120 s"; "" for a clean exit.
std::string program_failure(const ProgramEnd& end, const CellLimits& limits);

}  // namespace vmbench
