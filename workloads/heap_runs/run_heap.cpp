#include "run_heap.hpp"

#include "catalog.hpp"  // frees_across_threads, frees_from_any_thread

namespace vmbench::heap_runs {

// Fills `shared` for a cross-thread workload; for the others it stays empty, and nothing is allocated
// (a single-threaded cell's malloc heap looks as it did before threads existed).
void make_shared_parts(Shared& shared, const CellRequest& r, int threads) {
  const bool replayed_threads = r.workload == "replay" && threads > 1;
  if (!frees_across_threads(r.workload) && !replayed_threads) return;
  if (threads > 1 && !r.preloaded_malloc && !frees_from_any_thread(r.allocator))
    throw std::runtime_error(r.workload + " on " + std::to_string(threads) + " threads frees objects in another "
                             "thread than their own: allocator '" + r.allocator +
                             "' cannot take such a free (its free lists belong to one thread)");
  if (replayed_threads) shared.replay = std::make_unique<replay::SharedReplay>(Trace(r.params.text("trace")));
  if (r.workload == "xfer") shared.xfer = std::make_unique<xfer::Exchange>(r.params, threads);
  if (r.workload == "larson") shared.larson = std::make_unique<larson::Exchange>(r.params, threads, r.seed);
}

// The threads of the cell: the `threads` parameter's, or a replay's recorded threads.
int cell_threads(const CellRequest& r) {
  if (r.workload == "replay") return replay::recorded_threads(Trace(r.params.text("trace")));
  return team_size(r.params);
}

HeapCounters minus(HeapCounters a, const HeapCounters& b) {
  a.commit_calls -= b.commit_calls;
  a.decommit_calls -= b.decommit_calls;
  return a;
}

}  // namespace vmbench::heap_runs
