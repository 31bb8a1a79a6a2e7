#include "run_cell.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "cost_marker.hpp"
#include "heaps/arena_heap.hpp"
#include "heaps/bump_heap.hpp"
#include "heaps/dispatch_heap.hpp"
#include "heaps/malloc_heap.hpp"
#include "heaps/oracle_heap.hpp"
#include "heaps/pmr_heaps.hpp"
#include "heaps/pool_heap.hpp"
#include "heaps/test_heaps.hpp"
#include "tree.hpp"
#include "churn.hpp"
#include "frag.hpp"
#include "replay.hpp"
#include "strings.hpp"

namespace vmbench {

void allocation_failed(std::size_t bytes, std::uint64_t succeeded) {
  std::fprintf(stderr,
               "vmbench: allocation of %zu bytes failed after %" PRIu64
               " successful ones: out of memory or reservation exhausted\n",
               bytes, succeeded);
  std::fflush(stderr);
  std::_Exit(kExitAllocationFailed);
}

namespace {

template <class H>
WorkloadStats run_workload(const std::string& name, Driver<H>& d, const std::function<void()>& begin) {
  if (name == "tree") return tree::run(d, begin);
  if (name == "churn") return churn::run(d, begin);
  if (name == "strings") return strings::run(d, begin);
  if (name == "frag") return frag::run(d, begin);
  if (name == "replay") return replay::run(d, begin);
  throw std::runtime_error("unknown workload '" + name + "'");
}

HeapCounters minus(HeapCounters a, const HeapCounters& b) {
  a.commit_calls -= b.commit_calls;
  a.decommit_calls -= b.decommit_calls;
  return a;
}

template <class H, class... Extra>
CellOutcome run_with(const CellRequest& r, const CellHooks& hooks, const Extra&... extra) {
  H heap(r.params, extra...);
  if (!heap.ok()) {
    std::string why = "allocator '" + r.allocator + "' could not be created";
    if constexpr (requires { heap.failure(); }) why += ": " + heap.failure();
    throw AllocatorNotCreated(why);
  }
  RunContext quiet{&r.params, r.seed, {}, nullptr, {}};
  const std::function<void()> nothing = [] {};
  for (int i = 0; i < r.warmup; ++i) {
    Driver<H> d(heap, quiet);
    run_workload(r.workload, d, nothing);
    heap.release_all();
  }
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
  out.stats = run_workload(r.workload, d, begin);  // its finish() called hooks.end_measured
  out.counters = heap.counters();
  out.counters_delta = minus(out.counters, before);
  if (r.probe != nullptr) r.probe->heap_counters = nullptr;  // the heap dies with this frame
  return out;
}

template <class H, class... Extra>
CellOutcome run_heap(const CellRequest& r, const CellHooks& hooks, const Extra&... extra) {
  if (r.probe != nullptr)
    return r.virtual_dispatch ? run_with<Probed<DispatchHeap<H>>>(r, hooks, extra...)
                              : run_with<Probed<H>>(r, hooks, extra...);
  return r.virtual_dispatch ? run_with<DispatchHeap<H>>(r, hooks, extra...) : run_with<H>(r, hooks, extra...);
}

// The oracle's tape: one unmeasured run of the workload on the pool, at the cell's seed.
CellOutcome run_oracle(const CellRequest& r, const CellHooks& hooks) {
  RecordingPoolHeap tape(r.params);
  if (!tape.ok()) throw AllocatorNotCreated("allocator 'oracle' could not record the pool: " + tape.failure());
  RunContext quiet{&r.params, r.seed, {}, nullptr, {}};
  Driver<RecordingPoolHeap> d(tape, quiet);
  run_workload(r.workload, d, [] {});
  return run_heap<OracleHeap>(r, hooks, tape);
}

}  // namespace

CellOutcome run_cell(const CellRequest& r, const CellHooks& hooks) {
  const std::string& a = r.allocator;
  if (a == "arena") return run_heap<ArenaHeap>(r, hooks);
  if (a == "pool") return run_heap<PoolHeap>(r, hooks);
  if (r.preloaded_malloc || a == "malloc" || a == "jemalloc" || a == "mimalloc" || a == "tcmalloc")
    return run_heap<MallocHeap>(r, hooks);
  if (a == "pmr-monotonic") return run_heap<PmrMonotonicHeap>(r, hooks);
  if (a == "pmr-pool") return run_heap<PmrPoolHeap>(r, hooks);
  if (a == "bump") return run_heap<BumpHeap>(r, hooks);
  if (a == "oracle") return run_oracle(r, hooks);
  if (std::getenv("VMBENCH_TEST_ALLOCATORS") != nullptr) {
    if (a == "test-crash") return run_heap<CrashHeap>(r, hooks);
    if (a == "test-hang") return run_heap<HangHeap>(r, hooks);
    if (a == "test-slow") return run_heap<SlowHeap>(r, hooks);
    if (a == "test-bloat") return run_heap<BloatHeap>(r, hooks);
  }
  throw std::runtime_error("unknown allocator '" + a + "'");
}

}  // namespace vmbench
