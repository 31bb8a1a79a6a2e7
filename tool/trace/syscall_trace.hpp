// Counting the memory system calls of a child process (mmap, munmap, mremap, brk, mprotect,
// madvise) at the system-call layer, where glibc's internal __mmap/__madvise are seen too. The child
// installs a seccomp filter that stops only on those calls (and on the phase markers of
// syscall_marker.hpp); the parent, its ptrace tracer, classifies each finished call and counts those
// made between the markers. Every other system call runs untraced, at full speed.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "syscall_tally.hpp"

namespace vmbench {

// Built before fork: the child may only make async-signal-safe calls after it.
class SeccompFilter {
 public:
  SeccompFilter();
  bool supported() const noexcept { return !code_.empty(); }  // false on an architecture not handled here
  const sock_fprog* program() const noexcept { return &prog_; }

 private:
  std::vector<sock_filter> code_;
  sock_fprog prog_{};
};

// In the forked child, before execve: become traced, wait for the parent to set its options, then
// install the filter (it survives execve). Returns false (errno set) if a step was refused.
bool become_traced_child(const SeccompFilter& filter) noexcept;

struct TraceResult {
  bool traced = false;     // the tracer followed the child to its exit
  std::string error;       // why not, when not
  bool saw_begin = false;  // the child marked the measured phase
  bool saw_end = false;
  SyscallTally tally;
  int wait_status = 0;     // the child's final status, as waitpid gives it
};

// In the parent: trace `pid` (a child that called become_traced_child) until it exits, and reap it.
TraceResult trace_until_exit(pid_t pid);

}  // namespace vmbench
