// The templates that run one cell on one heap type: warm-up, the measured pass between the probe
// hooks, a team of threads. Each heap's instantiation lives in its own file of heap_runs/ (one
// translation unit per heap: a single one for all of them was the longest compile of every build,
// 100 s in Release and over 300 s under a sanitizer, on the build's critical path).
// Internal to the workloads library; run_cell.hpp is its interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "run_cell.hpp"

#include "cost_marker.hpp"
#include "heaps/dispatch_heap.hpp"
#include "tree.hpp"
#include "churn.hpp"
#include "frag.hpp"
#include "replay.hpp"
#include "strings.hpp"
#include "thread_team.hpp"
#include "larson.hpp"
#include "xfer.hpp"

namespace vmbench::heap_runs {

// What the threads of a cross-thread workload share, made before any thread starts: xfer's queues,
// larson's live sets (null for the other workloads).
struct Shared {
  std::unique_ptr<xfer::Exchange> xfer;
  std::unique_ptr<larson::Exchange> larson;
  std::unique_ptr<replay::SharedReplay> replay;  // a trace of several threads only
};

// What a workload needs of its team besides the heap: the shared part, and which thread it is.
struct TeamSlot {
  Shared* shared;
  int thread;
};

template <class H>
WorkloadStats run_workload(const std::string& name, Driver<H>& d, const std::function<void()>& begin,
                           const TeamSlot& slot) {
  if (name == "tree") return tree::run(d, begin);
  if (name == "churn") return churn::run(d, begin);
  if (name == "strings") return strings::run(d, begin);
  if (name == "frag") return frag::run(d, begin);
  if (name == "replay")
    return slot.shared->replay ? replay::run_thread(d, begin, *slot.shared->replay, slot.thread) : replay::run(d, begin);
  if (name == "xfer") return xfer::run(d, begin, *slot.shared->xfer, slot.thread);
  if (name == "larson") return larson::run(d, begin, *slot.shared->larson, slot.thread);
  throw std::runtime_error("unknown workload '" + name + "'");
}

// Fills `shared` for a cross-thread workload; for the others it stays empty, and nothing is allocated
// (a single-threaded cell's malloc heap looks as it did before threads existed).
void make_shared_parts(Shared& shared, const CellRequest& r, int threads);

// The threads of the cell: the `threads` parameter's, or a replay's recorded threads.
int cell_threads(const CellRequest& r);

// The counters of `a` less the calls counted in `b` (the calls made between two readings).
HeapCounters minus(HeapCounters a, const HeapCounters& b);

template <class H>
AllocatorNotCreated not_created(const H& heap, const std::string& allocator) {
  std::string why = "allocator '" + allocator + "' could not be created";
  if constexpr (requires { heap.failure(); }) why += ": " + heap.failure();
  return AllocatorNotCreated(why);
}

// The unmeasured passes, each on the same heap, emptied after each; in a team, only once every thread
// has finished the pass (`between`), since another thread may still use an object of this heap.
template <class H>
void warm_up(H& heap, const CellRequest& r, std::uint64_t seed, const TeamSlot& slot,
             const std::function<void()>& between = {}) {
  RunContext quiet{&r.params, seed, {}, nullptr, {}};
  const std::function<void()> nothing = [] {};
  for (int i = 0; i < r.warmup; ++i) {
    Driver<H> d(heap, quiet);
    run_workload(r.workload, d, nothing, slot);
    if (between) between();
    heap.release_all();
  }
}

template <class H, class... Extra>
CellOutcome run_with(const CellRequest& r, const CellHooks& hooks, const Extra&... extra) {
  H heap(r.params, extra...);
  if (!heap.ok()) throw not_created(heap, r.allocator);
  Shared shared;
  make_shared_parts(shared, r, 1);
  const TeamSlot slot{&shared, 0};
  warm_up(heap, r, r.seed, slot);
  // The cost markers (cost_marker.hpp) sit inside the probes: callgrind counts what they time.
  const std::function<void()> end = [&hooks] {
    cost_phase_end();
    if (hooks.end_measured) hooks.end_measured();
  };
  RunContext ctx{&r.params, r.seed, hooks.checkpoint, r.probe, end};
  if (r.probe != nullptr) r.probe->heap_counters = [&heap] { return heap.counters(); };
  HeapCounters before;
  Driver<H> d(heap, ctx);
  const std::function<void()> begin = [&] {
    d.start_measuring();
    before = heap.counters();
    if (hooks.begin_measured) hooks.begin_measured();
    cost_phase_begin();
  };
  CellOutcome out;
  out.stats = run_workload(r.workload, d, begin, slot);  // its finish() called hooks.end_measured
  out.counters = heap.counters();
  out.counters_delta = minus(out.counters, before);
  if (r.probe != nullptr) r.probe->heap_counters = nullptr;  // the heap dies with this frame
  return out;
}

// What the threads of one cell share.
struct Team {
  Team(int threads, const CellHooks& hooks, Shared* s)
      : clock(threads, hooks.begin_measured, hooks.end_measured), errors(threads), shared(s) {}
  TeamClock clock;
  TeamErrors errors;
  Shared* shared;
};

// The measured pass of one thread of a team, on the heap it has made. No checkpoints: their readings
// are the process's, taken in the middle of the other threads' work.
template <class H>
void run_measured_member(H& heap, const CellRequest& r, Team& team, int i, ThreadRun& out, bool& started,
                         bool& finished) {
  const std::uint64_t seed = thread_seed(r.seed, i);
  const TeamSlot slot{team.shared, i};
  warm_up(heap, r, seed, slot, [&] { team.clock.between_passes(); });
  RunContext ctx{&r.params, seed, {}, nullptr, [&] {
                   out.measured_s = monotonic_seconds() - team.clock.started_s();
                   finished = true;
                   team.clock.finish();
                 }};
  HeapCounters before;
  Driver<H> d(heap, ctx);
  const std::function<void()> begin = [&] {
    d.start_measuring();
    before = heap.counters();
    started = true;
    team.clock.start();
  };
  out.stats = run_workload(r.workload, d, begin, slot);
  out.counters = heap.counters();
  out.counters_delta = minus(out.counters, before);
}

// One thread of a team: its own heap, made in the thread (thread-local, its pages first touched by
// it); it runs only when every thread's heap was made. Every failure is recorded, never thrown: the
// caller rethrows the first after joining.
template <class H>
void run_member(const CellRequest& r, Team& team, int i, ThreadRun& out) {
  bool started = false;
  bool finished = false;
  std::optional<H> heap;
  try {
    heap.emplace(r.params);
    if (!heap->ok()) throw not_created(*heap, r.allocator);
  } catch (...) {
    team.errors.record(i, std::current_exception());
  }
  if (!team.errors.all_ready(heap && heap->ok())) return;
  try {
    run_measured_member(*heap, r, team, i, out, started, finished);
  } catch (...) {
    team.errors.record(i, std::current_exception());
    team.clock.leave(started, finished);
  }
}

template <class H>
CellOutcome run_team(const CellRequest& r, const CellHooks& hooks, int threads) {
  if (r.probe != nullptr)
    throw std::runtime_error("the deep passes run on one thread, not " + std::to_string(threads));
  Shared shared;
  make_shared_parts(shared, r, threads);
  Team team(threads, hooks, &shared);
  std::vector<ThreadRun> runs(static_cast<std::size_t>(threads));
  run_threads(threads, [&](int i) { run_member<H>(r, team, i, runs[static_cast<std::size_t>(i)]); });
  team.errors.rethrow_first();
  CellOutcome out;
  out.stats = combine_stats(runs);
  out.counters = sum_counters(runs, &ThreadRun::counters);
  out.counters_delta = sum_counters(runs, &ThreadRun::counters_delta);
  out.threads = threads;
  std::vector<double> measured;
  for (const ThreadRun& run : runs) measured.push_back(run.measured_s);
  out.thread_s = spread_of(measured);
  out.phase_spreads = phase_spreads(runs);
  return out;
}

// A heap made from more than the parameters (the oracle's tape) runs on one thread: run_oracle refuses more.
template <class H, class... Extra>
CellOutcome run_heap(const CellRequest& r, const CellHooks& hooks, const Extra&... extra) {
  if constexpr (sizeof...(Extra) == 0)
    if (const int threads = cell_threads(r); threads > 1)
      return r.virtual_dispatch ? run_team<DispatchHeap<H>>(r, hooks, threads) : run_team<H>(r, hooks, threads);
  if (r.probe != nullptr)
    return r.virtual_dispatch ? run_with<Probed<DispatchHeap<H>>>(r, hooks, extra...)
                              : run_with<Probed<H>>(r, hooks, extra...);
  return r.virtual_dispatch ? run_with<DispatchHeap<H>>(r, hooks, extra...) : run_with<H>(r, hooks, extra...);
}

}  // namespace vmbench::heap_runs
