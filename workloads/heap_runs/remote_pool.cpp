#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/remote_pool_heap.hpp"

namespace vmbench::heap_runs {

CellOutcome on_remote_pool(const CellRequest& r, const CellHooks& hooks) { return run_heap<RemotePoolHeap>(r, hooks); }

}  // namespace vmbench::heap_runs
