#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/arena_heap.hpp"

namespace vmbench::heap_runs {

CellOutcome on_arena(const CellRequest& r, const CellHooks& hooks) { return run_heap<ArenaHeap>(r, hooks); }

}  // namespace vmbench::heap_runs
