#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/pool_heap.hpp"

namespace vmbench::heap_runs {

CellOutcome on_pool(const CellRequest& r, const CellHooks& hooks) { return run_heap<PoolHeap>(r, hooks); }

}  // namespace vmbench::heap_runs
