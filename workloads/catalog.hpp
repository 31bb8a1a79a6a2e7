// What can run: the workloads and allocators vmbench knows, their parameters and defaults, and how
// each allocator is loaded. The tool lists, validates and plans from this; the child runs from it.
#pragma once

#include <string>
#include <vector>

#include "params.hpp"

namespace vmbench {

struct WorkloadInfo {
  std::string name;
  std::string summary;     // one line
  std::string operations;  // what counts as an operation, and how lifetimes map onto an arena
  std::vector<ParamDef> params;
  bool on_request = false;  // not in the default suite: it needs its input (a command, a trace file)
};

enum class Loading : std::uint8_t {
  builtin,  // linked into vmbench (arena, pool, bump, pmr-*, glibc malloc)
  preload,  // a shared library put in LD_PRELOAD of the child (jemalloc, mimalloc, tcmalloc)
};

struct AllocatorInfo {
  std::string name;
  std::string summary;
  Loading loading = Loading::builtin;
  std::string library;          // for preload: the Debian library file name, e.g. libjemalloc.so.2
  std::string debian_package;   // what installs it
  bool general_purpose = false; // a malloc replacement (the comparisons in the targets use these)
  bool test_only = false;       // exists for fault-injection tests; hidden from the default suite
};

// The parameter that says how many threads run a workload (those that can: runs_on_threads), and its
// bounds: beyond 1024 a cell's threads would outnumber what any machine here can schedule usefully.
inline constexpr const char* kThreadsParam = "threads";
inline constexpr std::uint64_t kMaxThreads = 1024;

const std::vector<WorkloadInfo>& workload_catalog();
const std::vector<AllocatorInfo>& allocator_catalog();
// Parameters of the allocators (commit_step, reserve...), shared by every workload.
const std::vector<ParamDef>& allocator_params();

// Whether the workload frees, from 2 threads on, objects another thread allocated (xfer, larson).
bool frees_across_threads(const std::string& workload);
// Whether the workload has the `threads` parameter.
bool runs_on_threads(const WorkloadInfo& workload);
// Whether an object allocated in one thread may be freed in another (xfer, larson from 2 threads on): yes for
// malloc and its replacements (thread-safe) and for heaps whose free does nothing (arena, bump,
// pmr-monotonic); no for the per-thread pools (vmb::SizeClassPool, std::pmr::unsynchronized_pool_resource),
// whose free lists belong to the thread that owns them.
bool frees_from_any_thread(const std::string& allocator);

const WorkloadInfo* find_workload(const std::string& name);
const AllocatorInfo* find_allocator(const std::string& name);

}  // namespace vmbench
