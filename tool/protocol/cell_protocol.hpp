// The contract between vmbench (the parent, runner/) and a cell process (`vmbench __cell SPEC`,
// cell/): which pass a child runs, where it writes its result, and what its exit status means; the
// spec itself is cell_spec.hpp. Both sides include these headers and nothing of each other, so
// neither can drift from the other.
#pragma once

#include <optional>
#include <string_view>

#include "exit_codes.hpp"  // the two statuses with which a workload ends the child itself

namespace vmbench {

// What one child process measures: the timed figures, or one of the deep-metric passes, each in a
// process of its own so that it cannot distort the timings.
enum class Pass {
  throughput,  // the timed figures
  syscalls,    // traced: memory system calls (trace/syscall_trace.hpp)
  latency,     // every operation timed (probes/latency_probe.hpp)
  timeline,    // memory over time (probes/timeline_probe.hpp)
  heap_map,    // page occupancy snapshots (probes/heap_map_probe.hpp)
  cost,        // under callgrind, counting the measured phase (runner/cost_pass.hpp): as throughput, minus
               // the hardware counters (Valgrind has no perf events, and their reads would be counted)
};

// The spelling in a cell spec ("pass": "...") and in messages.
constexpr std::string_view pass_name(Pass pass) noexcept {
  switch (pass) {
    case Pass::throughput: return "throughput";
    case Pass::syscalls: return "syscalls";
    case Pass::latency: return "latency";
    case Pass::timeline: return "timeline";
    case Pass::heap_map: return "heapmap";
    case Pass::cost: return "cost";
  }
  return "?";
}

constexpr std::optional<Pass> parse_pass(std::string_view name) noexcept {
  for (Pass p : {Pass::throughput, Pass::syscalls, Pass::latency, Pass::timeline, Pass::heap_map, Pass::cost})
    if (pass_name(p) == name) return p;
  return std::nullopt;
}

// How a cell process ends. The parent turns each into a failed cell's reason (runner/child_process.cpp).
enum class CellExit : int {
  ok = 0,
  bad_spec = kExitBadParameter,                  // the spec, or a parameter in it, could not be read: a vmbench bug
  allocation_failed = kExitAllocationFailed,     // out of memory or reservation (the workload exits itself)
  allocator_not_proven = 4,                      // malloc did not resolve into the allocator under test
  workload_error = 5,                            // the workload threw or its checksum failed
  result_unwritable = 6,                         // the result could not be written to kResultFd
  setup_failed = 126,                            // between fork and exec (limits, descriptors), as a shell says
  exec_failed = 127,                             // exec itself failed
};

constexpr int exit_status(CellExit e) noexcept { return static_cast<int>(e); }

// The file descriptor on which a child writes its result, as JSON.
inline constexpr int kResultFd = 3;

}  // namespace vmbench
