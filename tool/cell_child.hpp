// The child side of a cell: prove the allocator, take the probes around the measured pass, run the
// workload, and write the cell's figures as JSON on fd 3.
#pragma once

#include <string>

namespace vmbench {

// What one child process measures (the spec's "pass"): throughput (the timed figures), or one of the
// deep-metric passes, each in a process of its own so that it cannot distort the timings.
inline constexpr const char* kPassThroughput = "throughput";
inline constexpr const char* kPassSyscalls = "syscalls";    // traced: memory system calls (syscall_trace.hpp)
inline constexpr const char* kPassLatency = "latency";      // every operation timed (latency_probe.hpp)
inline constexpr const char* kPassTimeline = "timeline";    // memory over time (timeline_probe.hpp)
inline constexpr const char* kPassHeapMap = "heapmap";      // page occupancy snapshots (heap_map_probe.hpp)

// Entry point of `vmbench __cell SPEC_JSON`. Exit codes: 0 ok, 2 bad spec, 3 allocation failed,
// 4 allocator not proven, 5 workload error, 6 result could not be written.
int cell_child_main(const std::string& spec_json);

}  // namespace vmbench
