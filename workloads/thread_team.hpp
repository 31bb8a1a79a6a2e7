// A cell of several threads (the `threads` parameter): the threads start together, each builds its own
// heap, runs the workload on its own slice with its own seed, and the cell is timed from the release of
// a start barrier to the arrival of the last thread at an end barrier. What this header owns: starting
// the threads (a failed start fails the cell with the reason), the two barriers and the probes' hooks
// at them, and combining the threads' results in thread order. heap_runs/run_heap.hpp runs the
// workloads on it.
#pragma once

#include <atomic>
#include <barrier>
#include <cstdint>
#include <exception>
#include <functional>
#include <latch>
#include <stdexcept>
#include <string>
#include <vector>

#include "driver.hpp"
#include "heaps/heap.hpp"
#include "params.hpp"

namespace vmbench {

// Three readings of a figure over the threads of a cell.
struct ThreadSpread {
  double min_s = 0;
  double median_s = 0;
  double max_s = 0;
};

// A timed phase (PhaseTime) over the threads that ran it.
struct PhaseSpread {
  std::string name;
  int threads = 0;
  ThreadSpread seconds;
};

// What one thread of a team hands back.
struct ThreadRun {
  WorkloadStats stats;
  HeapCounters counters;        // its heap's, at the end of the measured pass
  HeapCounters counters_delta;  // made during the measured pass
  double measured_s = 0;        // from the start barrier's release to this thread's own end
};

// A thread could not be started (std::thread threw std::system_error): the cell fails with this.
struct ThreadsNotStarted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The `threads` parameter of a cell: 1 when the workload has none. Throws std::runtime_error outside
// 1..kMaxThreads (the plan refuses those first).
int team_size(const Params& params);

// Thread t's seed: thread 0 keeps the cell's, so a 1-thread cell does the single-threaded work; the
// others are spread by splitmix64, deterministic for a seed.
std::uint64_t thread_seed(std::uint64_t seed, int thread) noexcept;

// Runs body(0) .. body(threads - 1), each on a thread of its own, and joins them. The threads are all
// created before any body runs: if one cannot be, none runs, and ThreadsNotStarted says which and why.
void run_threads(int threads, const std::function<void(int)>& body);

// The order in which per-thread checksums combine (churn's fold): thread 0 first.
std::uint64_t combine_checksums(const std::vector<ThreadRun>& runs) noexcept;
// min, median and max of values (not empty).
ThreadSpread spread_of(std::vector<double> values);
// The threads' statistics as one: counts and bytes summed (peak live bytes: the sum of each thread's
// peak, an upper bound of the process's), checksums combined in thread order, each phase's seconds the
// median over the threads that ran it.
WorkloadStats combine_stats(const std::vector<ThreadRun>& runs);
std::vector<PhaseSpread> phase_spreads(const std::vector<ThreadRun>& runs);
HeapCounters sum_counters(const std::vector<ThreadRun>& runs, HeapCounters ThreadRun::*which);

// The edges of the measured phase for a team. Every thread calls start() when its set-up is done and
// finish() when its work is; the last to arrive runs the hook (the probes' readings) while the others
// wait, so the phase runs from the release of the start barrier to the last thread's end. Between two
// unmeasured passes every thread calls between_passes() before emptying its heap: another thread may
// still hold, read or free an object of it (xfer, larson). A thread that fails leaves the barriers it
// has not passed (leave()), so that the others are not left waiting.
class TeamClock {
 public:
  TeamClock(int threads, std::function<void()> on_start, std::function<void()> on_end);

  void start();
  void finish();
  void between_passes();
  void leave(bool started, bool finished);
  // When the start barrier released the threads (valid after start() returned).
  double started_s() const noexcept { return started_s_; }

 private:
  struct Edge {
    TeamClock* clock;
    bool is_start;
    void operator()() noexcept;
  };
  std::function<void()> on_start_;
  std::function<void()> on_end_;
  double started_s_ = 0;
  std::barrier<Edge> start_;
  std::barrier<Edge> end_;
  std::barrier<> passes_;
};

// What the threads of a team share besides the clock: whether every heap was made, and the first
// failure (in thread order) to hand back to the caller.
class TeamErrors {
 public:
  explicit TeamErrors(int threads) : ready_(threads), errors_(static_cast<std::size_t>(threads)) {}
  // Every thread calls this once its heap is made (or could not be): true when all were, after all
  // have arrived; false for every thread when one failed, so none runs the workload.
  bool all_ready(bool mine_ok);
  void record(int thread, std::exception_ptr e) { errors_[static_cast<std::size_t>(thread)] = std::move(e); }
  // Rethrows the failure of the lowest-numbered thread that failed, if any.
  void rethrow_first() const;

 private:
  std::latch ready_;
  std::atomic<bool> any_failed_{false};
  std::vector<std::exception_ptr> errors_;  // each thread writes its own entry only
};

}  // namespace vmbench
