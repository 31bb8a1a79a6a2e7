#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/oracle_heap.hpp"

namespace vmbench::heap_runs {

// The oracle's tape: one unmeasured run of the workload on the pool, at the cell's seed. One thread:
// the tape is the addresses of one pool in one order.
CellOutcome on_oracle(const CellRequest& r, const CellHooks& hooks) {
  if (const int threads = cell_threads(r); threads > 1)
    throw std::runtime_error("allocator 'oracle' replays one pool's addresses: it runs on one thread, not " +
                             std::to_string(threads));
  RecordingPoolHeap tape(r.params);
  if (!tape.ok()) throw AllocatorNotCreated("allocator 'oracle' could not record the pool: " + tape.failure());
  RunContext quiet{&r.params, r.seed, {}, nullptr, {}};
  Driver<RecordingPoolHeap> d(tape, quiet);
  Shared shared;
  make_shared_parts(shared, r, 1);
  run_workload(r.workload, d, [] {}, TeamSlot{&shared, 0});
  return run_heap<OracleHeap>(r, hooks, tape);
}

}  // namespace vmbench::heap_runs
