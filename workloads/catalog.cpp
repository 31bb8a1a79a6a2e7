#include "catalog.hpp"

namespace vmbench {

const std::vector<WorkloadInfo>& workload_catalog() {
  static const std::vector<WorkloadInfo> list = {
      {"tree",
       "binary trees (Benchmarks Game): build, check and release many trees; phases timed apart",
       "one allocation per node; one free per node where the allocator can free; an arena drops each "
       "batch of trees with one pop (the frees are skipped and counted as such)",
       {
           {"depth", ParamKind::count, {"10", "14", "17"}, "depth of the long-lived tree (binary-trees' N)"},
           {"age_objects", ParamKind::count, {"10000", "100000", "500000"},
            "objects of 16..128 B allocated before measuring, half of them freed (heap ageing)"},
       }},
      // WORKLOAD-CATALOG-ENTRIES (churn, strings, frag are added here)
  };
  return list;
}

const std::vector<AllocatorInfo>& allocator_catalog() {
  static const std::vector<AllocatorInfo> list = {
      {"arena", "vmb::VirtualArena: reserve 64 GiB, commit in steps, free by popping", Loading::builtin, "", "", false},
      {"pool", "vmb::Pool per size class: O(1) allocate/free through a free list", Loading::builtin, "", "", false},
      {"malloc", "the system's malloc (glibc ptmalloc2)", Loading::builtin, "", "", true},
      {"jemalloc", "jemalloc, loaded with LD_PRELOAD", Loading::preload, "libjemalloc.so.2", "libjemalloc2", true},
      {"mimalloc", "mimalloc, loaded with LD_PRELOAD", Loading::preload, "libmimalloc.so.2", "libmimalloc2.0", true},
      {"tcmalloc", "gperftools tcmalloc (minimal), loaded with LD_PRELOAD", Loading::preload,
       "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4", true},
      {"pmr-monotonic", "std::pmr::monotonic_buffer_resource over operator new", Loading::builtin, "", "", false},
      {"pmr-pool", "std::pmr::unsynchronized_pool_resource over operator new", Loading::builtin, "", "", false},
      {"bump", "bare pointer increment into memory mapped up front: the physical limit", Loading::builtin, "", "", false},
  };
  return list;
}

const std::vector<ParamDef>& allocator_params() {
  static const std::vector<ParamDef> list = {
      {"commit_step", ParamKind::bytes, {"64K", "64K", "64K"},
       "arena and pool: commit in steps of this size (4K = page by page, as in the seed)"},
      {"reserve", ParamKind::bytes, {"64G", "64G", "64G"}, "arena: address space reserved per region"},
      {"retain", ParamKind::bytes, {"1M", "1M", "1M"},
       "arena and pool: bytes kept committed when everything is released"},
      {"huge_pages", ParamKind::choice, {"off", "off", "off"}, "arena: madvise(MADV_HUGEPAGE) on the reservation",
       {"on", "off"}},
      {"pool_reserve", ParamKind::bytes, {"16G", "16G", "16G"}, "pool: address space reserved per size class"},
      {"bump_region", ParamKind::bytes, {"16G", "16G", "16G"}, "bump: bytes mapped per region (no bounds check)"},
  };
  return list;
}

const WorkloadInfo* find_workload(const std::string& name) {
  for (const auto& w : workload_catalog())
    if (w.name == name) return &w;
  return nullptr;
}
const AllocatorInfo* find_allocator(const std::string& name) {
  for (const auto& a : allocator_catalog())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace vmbench
