// One entry per heap type: run a cell on that heap (heap_runs/run_heap.hpp's templates, instantiated
// in the heap's own file). run_cell.cpp picks one by the allocator's name.
#pragma once

#include "run_cell.hpp"

namespace vmbench::heap_runs {

CellOutcome on_arena(const CellRequest& r, const CellHooks& hooks);
CellOutcome on_pool(const CellRequest& r, const CellHooks& hooks);
CellOutcome on_remote_pool(const CellRequest& r, const CellHooks& hooks);
CellOutcome on_malloc(const CellRequest& r, const CellHooks& hooks);  // the C library's or a preloaded one
CellOutcome on_pmr_monotonic(const CellRequest& r, const CellHooks& hooks);
CellOutcome on_pmr_pool(const CellRequest& r, const CellHooks& hooks);
CellOutcome on_bump(const CellRequest& r, const CellHooks& hooks);
CellOutcome on_oracle(const CellRequest& r, const CellHooks& hooks);
// The test allocators (crash, hang, slow, bloat); false when `r.allocator` names none of them.
bool on_test_heap(const CellRequest& r, const CellHooks& hooks, CellOutcome& out);

}  // namespace vmbench::heap_runs
