// Run one cell's workload on one allocator inside the current (child) process: construct the heap,
// run the warm-up passes, then the measured pass between the probe hooks.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "driver.hpp"
#include "exit_codes.hpp"  // kExitAllocationFailed: how allocation_failed() ends the cell
#include "heaps/heap.hpp"
#include "params.hpp"
#include "thread_team.hpp"  // ThreadSpread, PhaseSpread; ThreadsNotStarted, which run_cell throws

namespace vmbench {

struct CellRequest {
  std::string workload;
  std::string allocator;
  bool virtual_dispatch = false;  // through the vmb::Allocator interface instead of inlined
  bool preloaded_malloc = false;  // a malloc replacement in LD_PRELOAD (your own: -a NAME=PATH)
  Params params;
  std::uint64_t seed = 0;
  int warmup = 0;  // unmeasured passes of the workload in the same process first
  OpProbe* probe = nullptr;  // a deep-metric pass: the workload runs on Probed<H> and calls it per operation
};

struct CellHooks {
  std::function<void()> begin_measured;  // probes take their baseline here
  std::function<void()> end_measured;    // and their final reading here (from Driver::finish, before
                                         // the workload's own bookkeeping is destroyed)
  std::function<void(const std::string& label, std::uint64_t live_bytes)> checkpoint;
};

struct CellOutcome {
  WorkloadStats stats;
  HeapCounters counters;       // committed bytes at the end of the measured pass (a team: its heaps' sum)
  HeapCounters counters_delta; // commit/decommit calls made during the measured pass
  int threads = 1;             // the `threads` parameter; above 1, the two below are filled
  ThreadSpread thread_s;       // each thread's time from the start barrier to its own end
  std::vector<PhaseSpread> phase_spreads;  // each timed phase over the threads that ran it
};

// The heap could not be created (its reservation or mapping was refused): a memory failure, unlike
// the other errors run_cell throws.
struct AllocatorNotCreated : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs the cell on `threads` threads when its parameters say so (thread_team.hpp). Throws
// std::runtime_error with a one-line reason (unknown name; AllocatorNotCreated; ThreadsNotStarted).
CellOutcome run_cell(const CellRequest& request, const CellHooks& hooks);

}  // namespace vmbench
