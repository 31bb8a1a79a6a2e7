// The tracer of a whole program (vmbench run --program --syscalls): like trace_until_exit, but it
// follows every process and thread the program starts (fork, vfork, clone), which inherit the
// seccomp filter and would otherwise find their memory system calls failing for want of a tracer.
// Each task counts from its first begin marker (the probe library's start-up; a new task inherits its
// parent's state) to its exit; the tallies of all tasks are added up.
#pragma once

#include <sys/types.h>

#include "syscall_trace.hpp"

namespace vmbench {

// In the parent: trace `pid` (a child that called become_traced_child) and everything it starts,
// until the last of them exits. `wait_status` is the program's own.
TraceResult trace_tree_until_exit(pid_t pid);

// Adds `from`'s counts to `into` (the tallies of several tasks).
void add_tally(SyscallTally& into, const SyscallTally& from);

}  // namespace vmbench
