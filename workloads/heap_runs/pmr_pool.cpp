#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/pmr_heaps.hpp"

namespace vmbench::heap_runs {

CellOutcome on_pmr_pool(const CellRequest& r, const CellHooks& hooks) { return run_heap<PmrPoolHeap>(r, hooks); }

}  // namespace vmbench::heap_runs
