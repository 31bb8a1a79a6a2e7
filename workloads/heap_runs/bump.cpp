#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/bump_heap.hpp"

namespace vmbench::heap_runs {

CellOutcome on_bump(const CellRequest& r, const CellHooks& hooks) { return run_heap<BumpHeap>(r, hooks); }

}  // namespace vmbench::heap_runs
