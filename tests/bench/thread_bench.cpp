// Micro-benchmarks of the library's thread-facing allocators at 1 and 2 threads, per-thread
// throughput beside malloc (run the same binary with LD_PRELOAD=libjemalloc.so.2, or any other
// malloc, to put that allocator in malloc's rows):
//   threads_scratch         a ScratchScope, kBatch pushes of `bytes` into the thread's scratch arena,
//                           the scope's end: per object pushed
//   threads_malloc_batch    kBatch mallocs of `bytes`, then kBatch frees (LIFO): per object
//   threads_pool_batch      the same on a vmb::UncheckedPool of the thread's own
//   threads_remote_pool_batch  the same on an UncheckedRemoteFreePool, by its owner: the owner's paths
//                           are the pool's, so this should match threads_pool_batch
//   xfer_remote_pool        producer/consumer pairs (2 threads a pair): the producer allocates from
//                           its RemoteFreePool and hands batches of kBatch pointers through a ring to
//                           the consumer, which frees them with free_remote(); per object
//   xfer_malloc             the same with malloc and a cross-thread free()
// Every benchmark reports per_thread_ops: operations (objects) per second and per thread, over real
// time; cpu_ns_per_op: the thread's own CPU time per operation, averaged over the threads, which on
// a machine with more runnable threads than cores leaves out the time a thread waited for a core
// (but, in xfer_*, counts a thread's spinning while it waits for the other); and xfer_* also
// pair_objects (objects through one pair per second, real time). Not a test: on a shared 2-core
// machine only ratios measured side by side mean anything.
#include <benchmark/benchmark.h>

#include <time.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "vmb/config.hpp"
#include "vmb/pool.hpp"
#include "vmb/remote_free_pool.hpp"
#include "vmb/scratch.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace vmb::bench {
namespace {

// Objects per batch: 64 KiB of 64-byte objects, inside L2, as in the pool's batch benchmarks.
constexpr std::size_t kBatch = 1024;
// Batches in flight between a producer and its consumer.
constexpr std::size_t kRingBatches = 8;
// Spins before a waiting thread yields: on a machine with fewer cores than threads the other side
// may not be running at all.
constexpr int kSpinsBeforeYield = 64;

VMB_INLINE void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// The calling thread's CPU time, in ns.
double thread_cpu_ns() noexcept {
  timespec t{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0.0;
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// Starts the thread's CPU clock where it is made; count() reports the counters after the loop.
class OpCounter {
 public:
  explicit OpCounter(benchmark::State& state) : state_(state), cpu_start_ns_(thread_cpu_ns()) {}

  void count(std::size_t ops_per_iteration) {
    const double cpu_ns = thread_cpu_ns() - cpu_start_ns_;
    const auto ops = static_cast<double>(state_.iterations()) * static_cast<double>(ops_per_iteration);
    state_.counters["per_thread_ops"] = benchmark::Counter(ops, benchmark::Counter::kAvgThreadsRate);
    state_.counters["cpu_ns_per_op"] = benchmark::Counter(ops > 0 ? cpu_ns / ops : 0.0, benchmark::Counter::kAvgThreads);
  }

 private:
  benchmark::State& state_;
  double cpu_start_ns_;
};

template <class Body>
void sized(benchmark::State& state, Body&& body) {
  switch (state.range(0)) {
    case 16: body.template operator()<16>(); break;
    case 64: body.template operator()<64>(); break;
    case 256: body.template operator()<256>(); break;
    default: state.SkipWithError("object size not compiled in"); break;
  }
}

void scratch_batch(benchmark::State& state) {
  sized(state, [&]<std::size_t kSize>() {
    (void)scratch();  // the arena made before the clock starts
    OpCounter counter(state);
    for (auto _ : state) {
      ScratchScope scope;
      Arena& arena = scope.arena();
      for (std::size_t i = 0; i < kBatch; ++i) {
        void* p = arena.push(kSize);
        touch(p, i);
        benchmark::DoNotOptimize(p);
      }
    }
    counter.count(kBatch);
  });
}

// kBatch allocations, then the frees in reverse order, on any allocator with allocate()/free(p).
template <class Allocator>
void lifo_batch(benchmark::State& state, Allocator& a) {
  std::vector<void*> live(kBatch);
  OpCounter counter(state);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      void* p = a.allocate();
      touch(p, i);
      live[i] = p;
    }
    benchmark::ClobberMemory();
    for (std::size_t i = kBatch; i > 0; --i) a.free(live[i - 1]);
    benchmark::ClobberMemory();
  }
  counter.count(kBatch);
}

template <std::size_t kSize>
struct Malloc {
  VMB_INLINE void* allocate() noexcept { return std::malloc(kSize); }
  VMB_INLINE void free(void* p) noexcept { std::free(p); }
};

template <std::size_t kSize>
PoolOptions pool_options() {
  PoolOptions o;
  o.slot_bytes = kSize;
  o.reserve_bytes = 1 * GiB;
  return o;
}

void malloc_batch(benchmark::State& state) {
  sized(state, [&]<std::size_t kSize>() {
    Malloc<kSize> m;
    lifo_batch(state, m);
  });
}

template <class AnyPool>
void pool_batch(benchmark::State& state) {
  sized(state, [&]<std::size_t kSize>() {
    auto pool = std::make_unique<AnyPool>(pool_options<kSize>());  // the thread's own, on the heap
    if (!pool->ok()) {
      state.SkipWithError("pool construction failed");
      return;
    }
    lifo_batch(state, *pool);
  });
}

// --- producer/consumer pairs ------------------------------------------------------------------------

// A single-producer single-consumer ring of batches of pointers: the producer publishes a batch with a
// release store of `written`, the consumer returns its slot with a release store of `read`.
struct Ring {
  alignas(128) std::atomic<std::uint64_t> written{0};
  alignas(128) std::atomic<std::uint64_t> read{0};
  alignas(128) void* batches[kRingBatches][kBatch];
};

struct Pair {
  Ring ring;
  std::unique_ptr<UncheckedRemoteFreePool> pool;  // the producer's
};

// One set of pairs per run: made by Setup before the threads start, dropped by Teardown after.
std::vector<std::unique_ptr<Pair>>* g_pairs = nullptr;

void make_pairs(const benchmark::State& state) {
  g_pairs = new std::vector<std::unique_ptr<Pair>>();
  for (int i = 0; i < state.threads() / 2; ++i) {
    auto pair = std::make_unique<Pair>();
    pair->pool = std::make_unique<UncheckedRemoteFreePool>(pool_options<64>());
    g_pairs->push_back(std::move(pair));
  }
}

void drop_pairs(const benchmark::State&) {
  delete g_pairs;
  g_pairs = nullptr;
}

template <class Ready>
VMB_INLINE void wait_until(Ready&& ready) noexcept {
  for (int spins = 0; !ready(); ++spins) {
    if (spins < kSpinsBeforeYield) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

// Even threads produce, odd threads consume; thread 2k and 2k+1 are pair k. Every thread runs the same
// number of iterations (Google Benchmark's rule), so each consumer takes exactly what its producer gave.
template <bool kVmbPool>
void xfer(benchmark::State& state) {
  if (g_pairs == nullptr || state.threads() % 2 != 0) {
    state.SkipWithError("xfer needs an even number of threads");
    return;
  }
  Pair& pair = *(*g_pairs)[static_cast<std::size_t>(state.thread_index() / 2)];
  Ring& ring = pair.ring;
  const bool producer = state.thread_index() % 2 == 0;
  OpCounter counter(state);
  for (auto _ : state) {
    if (producer) {
      const std::uint64_t n = ring.written.load(std::memory_order_relaxed);
      wait_until([&] { return n - ring.read.load(std::memory_order_acquire) < kRingBatches; });
      void** batch = ring.batches[n % kRingBatches];
      for (std::size_t i = 0; i < kBatch; ++i) {
        void* p = kVmbPool ? pair.pool->allocate() : std::malloc(64);
        touch(p, i);
        batch[i] = p;
      }
      ring.written.store(n + 1, std::memory_order_release);
    } else {
      const std::uint64_t n = ring.read.load(std::memory_order_relaxed);
      wait_until([&] { return ring.written.load(std::memory_order_acquire) > n; });
      void** batch = ring.batches[n % kRingBatches];
      for (std::size_t i = 0; i < kBatch; ++i) {
        if constexpr (kVmbPool) {
          pair.pool->free_remote(batch[i]);
        } else {
          std::free(batch[i]);
        }
      }
      ring.read.store(n + 1, std::memory_order_release);
    }
  }
  counter.count(kBatch);
  // Objects through the pair per second: counted by the producer only (counters add over threads).
  const double objects = producer ? static_cast<double>(state.iterations()) * kBatch : 0.0;
  state.counters["pair_objects"] = benchmark::Counter(objects / (state.threads() / 2), benchmark::Counter::kIsRate);
}

void sizes_and_threads(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes")->Arg(16)->Arg(64)->Arg(256)->Threads(1)->Threads(2)->UseRealTime();
}

BENCHMARK(scratch_batch)->Name("threads_scratch")->Apply(sizes_and_threads);
BENCHMARK(malloc_batch)->Name("threads_malloc_batch")->Apply(sizes_and_threads);
BENCHMARK(pool_batch<UncheckedPool>)->Name("threads_pool_batch")->Apply(sizes_and_threads);
BENCHMARK(pool_batch<UncheckedRemoteFreePool>)->Name("threads_remote_pool_batch")->Apply(sizes_and_threads);
BENCHMARK(xfer<true>)->Name("xfer_remote_pool")->Setup(make_pairs)->Teardown(drop_pairs)->Threads(2)->UseRealTime();
BENCHMARK(xfer<false>)->Name("xfer_malloc")->Setup(make_pairs)->Teardown(drop_pairs)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace vmb::bench
