// Micro-benchmarks of the pool's fast paths, side by side with the best-known public fixed-size
// pools, boost::pool (unordered free list) and boost::object_pool (ordered free list), and malloc.
// Four access patterns, each in ns per allocate+free pair:
//   pair      one object allocated and freed again and again (the free list's head stays hot)
//   lifo      kLiveObjects allocated, then freed in reverse order
//   shuffled  kLiveObjects allocated, then freed in a fixed shuffled order
//   victim    kVictimLiveObjects live; each step frees a random one and allocates its replacement
// boost::object_pool frees in address order (ordered_free walks its free list), which is O(1) only
// when each freed object is below the list's head: it runs in `pair` and `lifo` only, where that
// holds; shuffled frees would make it quadratic.
// scripts/bench-lib.sh runs them with repetitions and prints the medians and vmb/boost ratios.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "bench_support.hpp"
#include "vmb/config.hpp"
#include "vmb/pool.hpp"

#if VMB_BENCH_HAVE_BOOST
#include <boost/pool/object_pool.hpp>
#include <boost/pool/pool.hpp>
#endif

namespace vmb::bench {
namespace {

// Object sizes of the pool cases, in bytes: the small, middle and large end of kObjectSizes.
constexpr std::array<std::size_t, 3> kPoolObjectSizes = {16, 64, 256};
// Live objects of the `victim` case: 64 Ki objects of 16..256 bytes, 1-16 MiB, so that beyond the
// smallest size the victims miss the caches as the live objects of a real heap do.
constexpr std::size_t kVictimLiveObjects = std::size_t{1} << 16;
// Fixed seed of the victims' order: the same on every run and every allocator.
constexpr std::uint32_t kVictimSeed = 0x51c7;
// Free, then clobber: where a free is followed at once by an allocate (`pair`, `victim`), a memory
// clobber between them makes the allocator's state pass through memory, as it does in a program that
// does anything between the two. Without it the compiler may prove that the allocate returns the
// slot just freed and that the free-list head ends where it began, and delete the allocator's work:
// it did so for boost::pool's `victim` (measured at 1.9 ns, a loop with no allocator instruction at
// all), and for the `pair` of every pool.

// The allocators under test, behind one small shape so that every case runs the same loop. Each
// allocator's state is a heap object of its own, not a local of the benchmark's frame: where the
// frame put it changed the figure by itself (the vmb pool's `victim` at 16 bytes measured 4.7 ns on
// the stack, 3.5 ns on the heap, with the same instructions), so every allocator gets the same kind
// of place.
template <std::size_t kSize>
struct VmbPool {
  // The release fast path, whatever the build type.
  std::unique_ptr<vmb::UncheckedPool> owned = std::make_unique<vmb::UncheckedPool>(options());
  vmb::UncheckedPool& pool = *owned;
  static vmb::PoolOptions options() noexcept {
    vmb::PoolOptions o;
    o.slot_bytes = kSize;
    o.slot_align = kAlign;
    return o;
  }
  bool ok() const noexcept { return pool.ok(); }
  VMB_INLINE void* allocate() noexcept { return pool.allocate(); }
  VMB_INLINE void free(void* p) noexcept { pool.free(p); }
};

// The same pool counting allocations and frees (what a debug build's vmb::Pool does, without the
// checks): what the two counters cost on the fast paths.
template <std::size_t kSize>
struct VmbCountingPool {
  using Counting = vmb::BasicPool<vmb::PoolPolicy{.checks = false, .counts = true}>;
  std::unique_ptr<Counting> owned = std::make_unique<Counting>(VmbPool<kSize>::options());
  Counting& pool = *owned;
  bool ok() const noexcept { return pool.ok(); }
  VMB_INLINE void* allocate() noexcept { return pool.allocate(); }
  VMB_INLINE void free(void* p) noexcept { pool.free(p); }
};

template <std::size_t kSize>
struct Malloc {
  static bool ok() noexcept { return true; }
  VMB_INLINE void* allocate() noexcept { return std::malloc(kSize); }
  VMB_INLINE void free(void* p) noexcept { std::free(p); }
};

#if VMB_BENCH_HAVE_BOOST
template <std::size_t kSize>
struct BoostPool {
  std::unique_ptr<boost::pool<>> owned = std::make_unique<boost::pool<>>(kSize);
  boost::pool<>& pool = *owned;
  static bool ok() noexcept { return true; }
  VMB_INLINE void* allocate() noexcept { return pool.malloc(); }
  VMB_INLINE void free(void* p) noexcept { pool.free(p); }
};

template <std::size_t kSize>
struct BoostObjectPool {
  struct Object {
    alignas(kAlign) unsigned char bytes[kSize];
  };
  std::unique_ptr<boost::object_pool<Object>> owned = std::make_unique<boost::object_pool<Object>>();
  boost::object_pool<Object>& pool = *owned;
  static bool ok() noexcept { return true; }
  VMB_INLINE void* allocate() noexcept { return pool.malloc(); }
  VMB_INLINE void free(void* p) noexcept { pool.free(static_cast<Object*>(p)); }
};
#endif

template <template <std::size_t> class Under>
void pair(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    Under<kSize> a;
    void* warm = a.ok() ? a.allocate() : nullptr;
    if (warm == nullptr) {
      state.SkipWithError("allocation failed");
      return;
    }
    a.free(warm);
    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(kPairsPerChunk, [&] {
        for (std::size_t i = 0; i < kPairsPerChunk; ++i) {
          void* const p = a.allocate();
          touch(p, i);
          benchmark::DoNotOptimize(p);
          a.free(p);
          benchmark::ClobberMemory();  // free, then clobber: see the constants above
        }
      });
    }
  });
}

// The order in which a batch of kLiveObjects is freed.
enum class FreeOrder { reverse, shuffled };

std::vector<std::uint32_t> free_order(FreeOrder order) {
  std::vector<std::uint32_t> v(kLiveObjects);
  for (std::uint32_t i = 0; i < kLiveObjects; ++i) v[i] = i;
  if (order == FreeOrder::reverse) std::reverse(v.begin(), v.end());
  else std::shuffle(v.begin(), v.end(), std::mt19937(kShuffleSeed));
  return v;
}

template <template <std::size_t> class Under, FreeOrder kOrder>
void batch(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    Under<kSize> a;
    if (!a.ok()) {
      state.SkipWithError("allocator construction failed");
      return;
    }
    const std::vector<std::uint32_t> order = free_order(kOrder);
    std::vector<void*> live(kLiveObjects);
    // One untimed round reaches the steady state: slots committed, the free list in its steady order.
    for (std::size_t i = 0; i < kLiveObjects; ++i) {
      live[i] = a.allocate();
      if (live[i] == nullptr) {
        state.SkipWithError("allocation failed");
        for (std::size_t j = 0; j < i; ++j) a.free(live[j]);
        return;
      }
    }
    for (const std::uint32_t i : order) a.free(live[i]);

    const auto round = [&] {
      for (std::size_t i = 0; i < kLiveObjects; ++i) {
        void* const p = a.allocate();
        touch(p, i);
        benchmark::DoNotOptimize(p);
        live[i] = p;
      }
      for (const std::uint32_t i : order) a.free(live[i]);
    };
    constexpr std::size_t kRoundsPerChunk = kPairsPerChunk / kLiveObjects;
    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(kRoundsPerChunk * kLiveObjects, [&] {
        for (std::size_t r = 0; r < kRoundsPerChunk; ++r) round();
      });
    }
  });
}

template <template <std::size_t> class Under>
void victim(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    Under<kSize> a;
    if (!a.ok()) {
      state.SkipWithError("allocator construction failed");
      return;
    }
    std::vector<void*> live(kVictimLiveObjects);
    for (std::size_t i = 0; i < kVictimLiveObjects; ++i) {
      live[i] = a.allocate();
      if (live[i] == nullptr) {
        state.SkipWithError("allocation failed");
        for (std::size_t j = 0; j < i; ++j) a.free(live[j]);
        return;
      }
      touch(live[i], i);
    }
    // Drawn before timing: every allocator frees the same victims in the same order.
    std::vector<std::uint32_t> victims(kPairsPerChunk);
    std::mt19937 rng(kVictimSeed);
    for (std::uint32_t& v : victims) v = static_cast<std::uint32_t>(rng() % kVictimLiveObjects);

    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(kPairsPerChunk, [&] {
        for (std::size_t k = 0; k < kPairsPerChunk; ++k) {
          const std::uint32_t i = victims[k];
          a.free(live[i]);
          benchmark::ClobberMemory();  // free, then clobber: see the constants above
          void* const p = a.allocate();
          touch(p, k);
          benchmark::DoNotOptimize(p);
          live[i] = p;
        }
      });
    }
    for (void* p : live) a.free(p);
  });
}

void pool_object_sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes");
  for (const std::size_t size : kPoolObjectSizes) b->Arg(static_cast<std::int64_t>(size));
  b->UseManualTime();
}

// Names are what scripts/bench-lib.sh looks up (CASE_ALLOCATOR): change both together.
BENCHMARK(pair<VmbPool>)->Name("pair_vmb")->Apply(pool_object_sizes);
BENCHMARK(pair<Malloc>)->Name("pair_malloc")->Apply(pool_object_sizes);
BENCHMARK(pair<VmbCountingPool>)->Name("pair_vmb_counting")->Apply(pool_object_sizes);
BENCHMARK(batch<VmbCountingPool, FreeOrder::reverse>)->Name("lifo_vmb_counting")->Apply(pool_object_sizes);
BENCHMARK(batch<VmbPool, FreeOrder::reverse>)->Name("lifo_vmb")->Apply(pool_object_sizes);
BENCHMARK(batch<Malloc, FreeOrder::reverse>)->Name("lifo_malloc")->Apply(pool_object_sizes);
BENCHMARK(batch<VmbPool, FreeOrder::shuffled>)->Name("shuffled_vmb")->Apply(pool_object_sizes);
BENCHMARK(batch<Malloc, FreeOrder::shuffled>)->Name("shuffled_malloc")->Apply(pool_object_sizes);
BENCHMARK(victim<VmbPool>)->Name("victim_vmb")->Apply(pool_object_sizes);
BENCHMARK(victim<Malloc>)->Name("victim_malloc")->Apply(pool_object_sizes);
#if VMB_BENCH_HAVE_BOOST
BENCHMARK(pair<BoostPool>)->Name("pair_boost_pool")->Apply(pool_object_sizes);
BENCHMARK(pair<BoostObjectPool>)->Name("pair_boost_object_pool")->Apply(pool_object_sizes);
BENCHMARK(batch<BoostPool, FreeOrder::reverse>)->Name("lifo_boost_pool")->Apply(pool_object_sizes);
BENCHMARK(batch<BoostObjectPool, FreeOrder::reverse>)->Name("lifo_boost_object_pool")->Apply(pool_object_sizes);
BENCHMARK(batch<BoostPool, FreeOrder::shuffled>)->Name("shuffled_boost_pool")->Apply(pool_object_sizes);
BENCHMARK(victim<BoostPool>)->Name("victim_boost_pool")->Apply(pool_object_sizes);
#endif

}  // namespace
}  // namespace vmb::bench
