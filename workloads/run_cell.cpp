#include "run_cell.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "heap_runs/heap_runs.hpp"

namespace vmbench {

void allocation_failed(std::size_t bytes, std::uint64_t succeeded) {
  std::fprintf(stderr,
               "vmbench: allocation of %zu bytes failed after %" PRIu64
               " successful ones: out of memory or reservation exhausted\n",
               bytes, succeeded);
  std::fflush(stderr);
  std::_Exit(kExitAllocationFailed);
}

CellOutcome run_cell(const CellRequest& r, const CellHooks& hooks) {
  using namespace heap_runs;
  const std::string& a = r.allocator;
  if (a == "arena") return on_arena(r, hooks);
  if (a == "pool") return on_pool(r, hooks);
  if (a == "pool-remote") return on_remote_pool(r, hooks);
  if (r.preloaded_malloc || a == "malloc" || a == "jemalloc" || a == "mimalloc" || a == "tcmalloc")
    return on_malloc(r, hooks);
  if (a == "pmr-monotonic") return on_pmr_monotonic(r, hooks);
  if (a == "pmr-pool") return on_pmr_pool(r, hooks);
  if (a == "bump") return on_bump(r, hooks);
  if (a == "oracle") return on_oracle(r, hooks);
  CellOutcome out;
  if (std::getenv("VMBENCH_TEST_ALLOCATORS") != nullptr && on_test_heap(r, hooks, out)) return out;
  throw std::runtime_error("unknown allocator '" + a + "'");
}

}  // namespace vmbench
