#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/malloc_heap.hpp"

namespace vmbench::heap_runs {

CellOutcome on_malloc(const CellRequest& r, const CellHooks& hooks) { return run_heap<MallocHeap>(r, hooks); }

}  // namespace vmbench::heap_runs
