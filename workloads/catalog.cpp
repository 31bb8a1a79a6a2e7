#include "catalog.hpp"

namespace vmbench {

namespace {

// The ranges of the parameters (ParamRange): beyond them a workload cannot honour the value.
// tree: its shallowest batch is depth 4 (binary-trees' minimum); each depth level builds 2^(depth+5)
// nodes, so depth 22 is some 10^9 allocations per level, far past any --timeout, and the node counts
// (shifts by depth + 2) stay within 64 bits.
constexpr ParamRange kTreeDepths{4, 22};
// Objects held at once (ageing, live sets, vocabularies, small objects): 10^8 objects of up to 128 B
// are already 12 GiB; frag indexes its objects with 32 bits.
constexpr std::uint64_t kMaxObjects = 100'000'000;
constexpr std::uint64_t kMaxSteps = 10'000'000'000;        // churn steps: hours at 10^6 steps a second
constexpr std::uint64_t kMaxObjectBytes = 1ULL << 30;      // churn's fixed object size: 1 GiB
constexpr std::uint64_t kMaxWords = 1'000'000'000;         // strings: the text is generated in memory first
constexpr std::uint64_t kMaxWordsPerLine = 1'000'000;
constexpr std::uint64_t kMaxAddressBytes = 64ULL << 40;    // 64 TiB: half of x86-64's user address space
constexpr std::uint64_t kMaxPmrBufferBytes = 1ULL << 30;   // pmr-monotonic's buffer comes from operator new
constexpr std::uint64_t kMaxBatchObjects = 1'000'000;      // xfer: its ring's batches are allocated up front

// The thread count of a workload that can run on several threads, each on its own slice (its own
// live set, its own trees, its own text) and its own heap where the allocator is not the process's malloc.
ParamDef threads_param(const char* default_threads) {
  return {kThreadsParam, ParamKind::count, {default_threads, default_threads, default_threads},
          "threads, started together behind a barrier, each running the workload on its own slice with its own "
          "seed (sweep with --threads 1,2,4)", {}, {}, {1, kMaxThreads}};
}

// The workloads that need an input of their own (a trace, a command): not in the default suite.
std::vector<WorkloadInfo> workloads_with_input() {
  return {
      {"replay",
       "a program's recorded allocation calls (vmbench record) replayed in their recorded order",
       "one allocation per recorded call that created an object (realloc: a new object, a copy and a free), "
       "one free per recorded free; every object is persistent, so an arena keeps what the program freed "
       "(its frees are skipped and counted); each object is touched once per page",
       {
           {"trace", ParamKind::text, {"", "", ""}, "the trace file, from vmbench record (docs/trace-format.md)"},
       },
       true},
      {"program",
       "any program, run under each malloc replacement (vmbench run --program -- CMD ARGS...)",
       "the program's own: not counted (record them with `vmbench record`); its wall and CPU time, peak RSS "
       "and page faults are the figures, its standard output's hash the checksum",
       {
           {"command", ParamKind::text, {"", "", ""}, "the command line, as given after --program --"},
       },
       true},
  };
}

// Fragmentation: the one workload whose figure is its checkpoints (RSS against live bytes).
WorkloadInfo frag_workload() {
  return {"frag",
         "fragmentation, for teaching: free most small objects, allocate larger ones, free all; RSS "
         "against live bytes at each step",
         "one allocation and one free per object, all persistent (an arena skips the frees and gives its "
         "pages back at release_all); checkpoints after ramp, free, large and release are the figure",
         {
             {"small_objects", ParamKind::count, {"100k", "600k", "4M"}, "objects of 16..64 B allocated in the ramp", {},
              {}, {1, kMaxObjects}},
             {"pattern", ParamKind::choice, {"random", "random", "random"},
              "which small objects die: random (a random 90%) or alternate (every other one: 50%)",
              {"random", "alternate"}},
         }};
}

// The cross-thread workload: it needs two threads to be itself, so it runs on two by default.
WorkloadInfo xfer_workload() {
  return {"xfer",
         "cross-thread free: producer/consumer pairs; the producer allocates objects and hands them over in "
         "batches through a queue, the consumer reads and frees them",
         "one allocation per object (the producer's) and one free per object (the consumer's, in another thread "
         "from 2 threads on; one thread is its own pair); an arena or bump heap skips the frees (counted), and "
         "the per-thread pools cannot run it on several threads (their free lists belong to one thread)",
         {
             {"objects", ParamKind::count, {"200k", "2M", "20M"}, "objects each producer hands over", {}, {},
              {0, kMaxSteps}},
             {"batch", ParamKind::count, {"256", "256", "256"}, "objects per batch through the queue", {}, {},
              {1, kMaxBatchObjects}},
             {"sizes", ParamKind::choice, {"skewed", "skewed", "skewed"},
              "object sizes, as churn's: fixed (`size`), uniform (16..256 B), skewed (half 16 B, mean 64 B)",
              {"fixed", "uniform", "skewed"}},
             {"size", ParamKind::bytes, {"64", "64", "64"}, "object size when sizes=fixed", {}, {}, {1, kMaxObjectBytes}},
             threads_param("2"),
         }};
}

// A server's pattern after Larson and Krishnan: churn on every thread, the live sets changing hands.
WorkloadInfo larson_workload() {
  return {"larson",
          "server-like (after larson): each thread churns a live set, and every round the sets change hands "
          "between the threads, so objects die in another thread than the one that made them",
          "one allocation per object and one free per death (live_objects + steps of each per thread), most of "
          "the frees from 2 threads on in another thread than the allocation; an arena or bump heap skips the "
          "frees (counted), and the per-thread pools cannot run it on several threads",
          {
              {"live_objects", ParamKind::count, {"10k", "100k", "1M"}, "objects alive at once in each thread's set",
               {}, {}, {1, kMaxObjects}},
              {"steps", ParamKind::count, {"500k", "2500k", "8M"},
               "replacements per thread: free a random object of the set held, allocate its replacement", {}, {},
               {0, kMaxSteps}},
              {"round_steps", ParamKind::count, {"50k", "50k", "50k"},
               "replacements between two hand-overs of the sets (a barrier of every thread)", {}, {}, {1, kMaxSteps}},
              {"sizes", ParamKind::choice, {"skewed", "skewed", "skewed"},
               "object sizes, as churn's: fixed (`size`), uniform (16..256 B), skewed (half 16 B, mean 64 B)",
               {"fixed", "uniform", "skewed"}},
              {"size", ParamKind::bytes, {"64", "64", "64"}, "object size when sizes=fixed", {}, {},
               {1, kMaxObjectBytes}},
              threads_param("2"),
          }};
}

// vmbench's own synthetic workloads, then those with an input.
std::vector<WorkloadInfo> all_workloads() {
  std::vector<WorkloadInfo> list = {
      {"tree",
       "binary trees (Benchmarks Game): build, check and release many trees; phases timed apart",
       "one allocation per node; one free per node where the allocator can free; an arena drops each "
       "batch of trees with one pop (the frees are skipped and counted as such)",
       {
           {"depth", ParamKind::count, {"10", "14", "17"}, "depth of the long-lived tree (binary-trees' N)", {}, {},
            kTreeDepths},
           {"age_objects", ParamKind::count, {"10000", "100000", "500000"},
            "objects of 16..128 B allocated before measuring, half of them freed (heap ageing)", {}, {},
            {0, kMaxObjects}},
           threads_param("1"),
       }},
      {"churn",
       "object churn: a live set whose objects die in random order and are replaced, at a steady state",
       "one allocation per object and one free per death (live_objects + steps of each); every object is "
       "persistent, so an arena keeps every dead object until the end (its frees are skipped and counted)",
       {
           {"live_objects", ParamKind::count, {"10k", "100k", "1M"}, "objects alive at once (the live set)", {}, {},
            {1, kMaxObjects}},
           {"steps", ParamKind::count, {"500k", "2500k", "8M"},
            "steady-state steps: free a random live object, allocate its replacement", {}, {}, {0, kMaxSteps}},
           {"sizes", ParamKind::choice, {"skewed", "skewed", "skewed"},
            "object sizes: fixed (`size`), uniform (16..256 B), skewed (16 << k B with probability 2^-(k+1), "
            "k = 0..6, the tail in 1024 B: half are 16 B, mean 64 B)",
            {"fixed", "uniform", "skewed"}},
           {"size", ParamKind::bytes, {"64", "64", "64"}, "object size when sizes=fixed", {}, {}, {1, kMaxObjectBytes}},
           threads_param("1"),
       }},
      {"strings",
       "text processing: tokenize a Zipf-distributed text line by line, count words, rebuild each line",
       "one allocation per token (phase), per new word's node and key copy (persistent) and per rehash; "
       "an arena drops each line's tokens and output buffer with one pop and grows the buffer in place "
       "(a growth elsewhere is one allocation and one free, so the counts differ by the growths)",
       {
           {"words", ParamKind::count, {"160k", "1600k", "16M"}, "words in the generated text", {}, {}, {1, kMaxWords}},
           {"vocabulary", ParamKind::count, {"10k", "50k", "200k"},
            "distinct words; the word of rank r is drawn with probability proportional to 1/r (Zipf)", {}, {},
            {1, kMaxObjects}},
           {"words_per_line", ParamKind::count, {"16", "16", "16"}, "words per line (one phase per line)", {}, {},
            {1, kMaxWordsPerLine}},
           threads_param("1"),
       }},
  };
  list.push_back(frag_workload());
  list.push_back(xfer_workload());
  list.push_back(larson_workload());
  for (auto& w : workloads_with_input()) list.push_back(std::move(w));
  return list;
}

}  // namespace

const std::vector<WorkloadInfo>& workload_catalog() {
  static const std::vector<WorkloadInfo> list = all_workloads();
  return list;
}

const std::vector<AllocatorInfo>& allocator_catalog() {
  static const std::vector<AllocatorInfo> list = {
      {"arena", "vmb::VirtualArena: reserve 64 GiB, commit in steps, free by popping", Loading::builtin, "", "", false},
      {"pool", "vmb::Pool per size class: O(1) allocate/free through a free list", Loading::builtin, "", "", false},
      {"pool-remote",
       "vmb::RemoteFreeSizeClassPool per thread: the pool's fast paths for its owner, a lock-free remote-free list "
       "for frees from other threads",
       Loading::builtin, "", "", false},
      {"malloc", "the system's malloc (glibc ptmalloc2)", Loading::builtin, "", "", true},
      {"jemalloc", "jemalloc, loaded with LD_PRELOAD", Loading::preload, "libjemalloc.so.2", "libjemalloc2", true},
      {"mimalloc", "mimalloc, loaded with LD_PRELOAD", Loading::preload, "libmimalloc.so.2", "libmimalloc2.0", true},
      {"tcmalloc", "gperftools tcmalloc (minimal), loaded with LD_PRELOAD", Loading::preload,
       "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4", true},
      {"pmr-monotonic", "std::pmr::monotonic_buffer_resource over operator new, phases on a reused pmr_buffer",
       Loading::builtin, "", "", false},
      {"pmr-pool", "std::pmr::unsynchronized_pool_resource over operator new, chunks of up to 64Ki blocks",
       Loading::builtin, "", "", false},
      {"bump", "bare pointer increment into memory mapped up front: the physical limit", Loading::builtin, "", "", false},
      {"oracle", "the pool's addresses for this workload replayed with no allocator work: the workload's own cost",
       Loading::builtin, "", "", false},
      // Fault injection for vmbench's own tests (VMBENCH_TEST_ALLOCATORS=1): never in a default suite.
      {"test-crash", "test only: malloc that raises SIGSEGV after test_crash_after allocations", Loading::builtin, "", "", false, true},
      {"test-hang", "test only: never returns from its first allocation", Loading::builtin, "", "", false, true},
      {"test-slow", "test only: malloc plus test_delay_spins spins per allocation", Loading::builtin, "", "", true, true},
      {"test-bloat", "test only: malloc asking test_bloat_bytes more per allocation", Loading::builtin, "", "", true, true},
  };
  return list;
}

const std::vector<ParamDef>& allocator_params() {
  static const std::vector<ParamDef> list = {
      {"commit_step", ParamKind::bytes, {"64K", "64K", "64K"},
       "arena and pool: commit in steps of this size (4K = page by page, as in the seed)", {},
       {"arena", "pool", "pool-remote", "oracle"}, {1, kMaxAddressBytes}},
      {"reserve", ParamKind::bytes, {"64G", "64G", "64G"}, "arena: address space reserved per region", {}, {"arena"},
       {1, kMaxAddressBytes}},
      {"retain", ParamKind::bytes, {"1M", "1M", "1M"},
       "arena and pool: bytes kept committed when everything is released", {},
       {"arena", "pool", "pool-remote", "oracle"}, {0, kMaxAddressBytes}},
      {"huge_pages", ParamKind::choice, {"off", "off", "off"}, "arena: madvise(MADV_HUGEPAGE) on the reservation",
       {"on", "off"}, {"arena"}},
      {"pool_reserve", ParamKind::bytes, {"16G", "16G", "16G"}, "pool: address space reserved per size class", {},
       {"pool", "pool-remote", "oracle"}, {1, kMaxAddressBytes}},
      {"test_crash_after", ParamKind::count, {"1000", "1000", "1000"}, "test-crash: allocations before the crash", {}, {"test-crash"}},
      {"test_delay_spins", ParamKind::count, {"0", "0", "0"}, "test-slow: busy-loop iterations per delayed allocation", {}, {"test-slow"}},
      {"test_delay_every", ParamKind::count, {"1", "1", "1"},
       "test-slow: delay one allocation in this many (finer slowdowns: docs/ci.md)", {}, {"test-slow"}},
      {"test_bloat_bytes", ParamKind::bytes, {"0", "0", "0"}, "test-bloat: extra bytes per allocation", {}, {"test-bloat"}},
      {"pmr_buffer", ParamKind::bytes, {"2M", "2M", "2M"},
       "pmr-monotonic: initial buffer of the phase resource, reused by every release (0: none, the naive set-up)",
       {}, {"pmr-monotonic"}, {0, kMaxPmrBufferBytes}},
      {"bump_region", ParamKind::bytes, {"16G", "16G", "16G"}, "bump: bytes mapped per region (no bounds check)", {},
       {"bump"}, {1, kMaxAddressBytes}},
  };
  return list;
}

bool frees_from_any_thread(const std::string& allocator) {
  return allocator != "pool" && allocator != "pmr-pool";
}

bool frees_across_threads(const std::string& workload) { return workload == "xfer" || workload == "larson"; }

bool runs_on_threads(const WorkloadInfo& workload) {
  for (const auto& p : workload.params)
    if (p.name == kThreadsParam) return true;
  return false;
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
