// Run one cell in a fresh child process of vmbench (`vmbench __cell SPEC`), with an optional
// LD_PRELOAD, its limits (timeout, memory) and cancellation. The child writes its result as JSON on fd 3; its stderr is
// kept to explain a failure. A crash, a timeout or a bad exit is a failed cell, never a failed run.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "cell_limits.hpp"
#include "cell_spec.hpp"
#include "syscall_trace.hpp"

namespace vmbench {

struct ChildOutcome {
  bool ok = false;
  std::string result_json;  // what the child wrote on fd 3 (when ok)
  std::string error;        // one line: signal, timeout, exit status, with the child's last message
  double elapsed_s = 0;
  std::optional<TraceResult> trace;  // when the memory system calls were traced (syscall_trace.hpp)
};

// `preload` empty: LD_PRELOAD is removed from the child's environment (so a preload in the user's
// environment cannot silently change the allocator under test). `overrides`: NAME=value settings that
// replace the parent's (the traced pass's pins of time-based purging, deep_passes.cpp).
ChildOutcome run_child(const std::string& exe, const CellSpec& spec, const std::string& preload,
                       const CellLimits& limits, const std::atomic<bool>& cancel, bool trace_memory_syscalls = false,
                       const std::vector<std::string>& overrides = {});

// The same with the spec's text as the child receives it (encode_cell_spec): a test passes a
// malformed one here.
ChildOutcome run_child(const std::string& exe, const std::string& spec_text, const std::string& preload,
                       const CellLimits& limits, const std::atomic<bool>& cancel, bool trace_memory_syscalls = false,
                       const std::vector<std::string>& overrides = {});

}  // namespace vmbench
