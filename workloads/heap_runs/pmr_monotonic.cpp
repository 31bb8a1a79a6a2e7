#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/pmr_heaps.hpp"

namespace vmbench::heap_runs {

CellOutcome on_pmr_monotonic(const CellRequest& r, const CellHooks& hooks) {
  return run_heap<PmrMonotonicHeap>(r, hooks);
}

}  // namespace vmbench::heap_runs
