#include "heap_runs.hpp"
#include "run_heap.hpp"

#include "heaps/test_heaps.hpp"

namespace vmbench::heap_runs {

bool on_test_heap(const CellRequest& r, const CellHooks& hooks, CellOutcome& out) {
  const std::string& a = r.allocator;
  if (a == "test-crash") out = run_heap<CrashHeap>(r, hooks);
  else if (a == "test-hang") out = run_heap<HangHeap>(r, hooks);
  else if (a == "test-slow") out = run_heap<SlowHeap>(r, hooks);
  else if (a == "test-bloat") out = run_heap<BloatHeap>(r, hooks);
  else return false;
  return true;
}

}  // namespace vmbench::heap_runs
