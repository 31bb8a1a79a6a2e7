// How a cell tells Valgrind's callgrind where its measured phase begins and ends, so that the cost
// pass (tool/runner/cost_pass.hpp, run with --instr-atstart=no) counts the phase and nothing else:
// not the start-up, the set-up, the probes' readings, nor the exit. Callgrind client requests are a
// fixed sequence of a few register rotates that do nothing on a real CPU (no system call, no branch),
// so the markers are always compiled in at the two phase boundaries, never per operation.
//
// The header ships with the Debian package `valgrind` (/usr/include/valgrind/callgrind.h). Built
// without it, the markers are empty and kCostMarkersBuilt is false: the cost pass then reports
// itself unavailable instead of counting a whole process.
#pragma once

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define VMB_HAVE_CALLGRIND_H 1
#else
#define VMB_HAVE_CALLGRIND_H 0
#endif

namespace vmbench {

inline constexpr bool kCostMarkersBuilt = VMB_HAVE_CALLGRIND_H != 0;

// The measured phase begins: drop whatever was counted so far (nothing, with --instr-atstart=no;
// a whole start-up if someone runs without it), then instrument from here. Call it last, after
// every probe has taken its baseline.
inline void cost_phase_begin() noexcept {
#if VMB_HAVE_CALLGRIND_H
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
#endif
}

// The measured phase ends: nothing after this is counted. Call it first, before any probe reads.
inline void cost_phase_end() noexcept {
#if VMB_HAVE_CALLGRIND_H
  CALLGRIND_STOP_INSTRUMENTATION;
#endif
}

// Around work inside the phase that is the harness's, not the allocator's, and whose instruction count
// depends on the machine (a checkpoint parses /proc/self/status, whose numbers change length):
// collection pauses and resumes, so the count stays the workload's. Calls must come in pairs.
inline void cost_collect_toggle() noexcept {
#if VMB_HAVE_CALLGRIND_H
  CALLGRIND_TOGGLE_COLLECT;
#endif
}

}  // namespace vmbench
