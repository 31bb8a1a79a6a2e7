// Micro-benchmarks of the allocator library's fast paths, each beside its physical limit: the arena's
// push against a bare pointer bump, bumping up against bumping down, and the pool against malloc.
// scripts/bench-lib.sh runs them with repetitions and prints the medians and the target ratios.
//
// Every operation writes one word into the object it gets (so no allocator gets away with lazy
// work) and passes the pointer to benchmark::DoNotOptimize. Each benchmark iteration times one
// chunk of operations with its own clock (UseManualTime), so resetting the allocator between chunks
// (arena clear, bump pointer reset) stays out of the figure and is reported apart as reset_ns.
// The figure to compare is the counter ns_per_op: per repetition, the median over its chunks of
// nanoseconds per operation (see ChunkTimer).
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "vmb/arena.hpp"
#include "vmb/config.hpp"
#include "vmb/pool.hpp"

namespace {

using vmb::MiB;
using Clock = std::chrono::steady_clock;

// Object sizes measured, in bytes (the benchmarks' Args).
constexpr std::array<std::size_t, 5> kObjectSizes = {16, 32, 64, 128, 256};
// Alignment every bump in this file rounds to: the arena's default (alignof(max_align_t)).
constexpr std::size_t kAlign = vmb::Arena::kDefaultAlign;
// Bytes each chunk of pushes covers before the allocator is reset: 1<<16 objects of 16 bytes.
// A fixed footprint, not a fixed count, keeps every size inside a 2 MiB L2, so the figures show the
// allocator's instructions rather than cache misses: 1<<16 objects of 256 bytes (16 MiB a chunk)
// measured 9-12 ns per push for the bare bump and the arena alike, against under 2 ns at 1 MiB.
constexpr std::size_t kChunkBytes = 1 * MiB;
// Allocate/free pairs per timed chunk: long enough (tens of microseconds) that the two clock reads
// around a chunk are noise.
constexpr std::size_t kPairsPerChunk = std::size_t{1} << 16;
// Live objects in the batch variants: allocate this many, then free them all in shuffled order.
constexpr std::size_t kLiveObjects = 1024;
// Fixed seed: the free order is the same on every run and every allocator.
constexpr std::uint32_t kShuffleSeed = 0x5eed;

// The write that makes every operation touch its object.
VMB_INLINE void touch(void* p, std::uintptr_t value) noexcept { std::memcpy(p, &value, sizeof value); }

VMB_INLINE std::uintptr_t align_up(std::uintptr_t x, std::size_t align) noexcept {
  return (x + align - 1) & ~(std::uintptr_t{align} - 1);
}

// Times chunks of operations and keeps the untimed resets apart. Reports, per repetition:
//   ns_per_op  the median over its chunks of (chunk ns / operations in the chunk). On a shared
//              machine the OS now and then runs another task in the middle of a chunk; the mean
//              would carry that pause, the median leaves it out.
//   reset_ns   the median cost of one reset, including one clock read (when there are resets).
//   items_per_second, and the manual time: the plain total, pauses included.
class ChunkTimer {
 public:
  explicit ChunkTimer(benchmark::State& state) : state_(state) {
    // Reserved up front: growing inside the loop would call malloc beside the allocator measured.
    const auto chunks = static_cast<std::size_t>(state.max_iterations);
    chunk_ns_per_op_.reserve(chunks);
    reset_ns_.reserve(chunks);
  }
  ChunkTimer(const ChunkTimer&) = delete;
  ChunkTimer& operator=(const ChunkTimer&) = delete;
  ~ChunkTimer() {
    if (ops_ == 0) return;
    state_.SetItemsProcessed(static_cast<std::int64_t>(ops_));
    state_.counters["ns_per_op"] = median(chunk_ns_per_op_);
    if (!reset_ns_.empty()) state_.counters["reset_ns"] = median(reset_ns_);
  }

  // Run `ops` operations as one timed chunk.
  template <class F>
  VMB_INLINE void timed(std::size_t ops, F&& run) {
    const auto t0 = Clock::now();
    run();
    const auto t1 = Clock::now();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    state_.SetIterationTime(ns * 1e-9);
    chunk_ns_per_op_.push_back(ns / static_cast<double>(ops));
    ops_ += ops;
  }

  // Reset the allocator between chunks, outside the reported time.
  template <class F>
  VMB_INLINE void reset(F&& run) {
    const auto t0 = Clock::now();
    run();
    reset_ns_.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
  }

 private:
  static double median(std::vector<double>& v) {
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
  }

  benchmark::State& state_;
  std::vector<double> chunk_ns_per_op_;
  std::vector<double> reset_ns_;
  std::size_t ops_ = 0;
};

// Call body.template operator()<size>() with the benchmark's size argument as a compile-time
// constant, as at a real call site (push(sizeof(T)), a pool of one type).
template <class Body>
void with_object_size(benchmark::State& state, Body&& body) {
  switch (state.range(0)) {
    case 16: body.template operator()<16>(); break;
    case 32: body.template operator()<32>(); break;
    case 64: body.template operator()<64>(); break;
    case 128: body.template operator()<128>(); break;
    case 256: body.template operator()<256>(); break;
    default: state.SkipWithError("object size not compiled in: add it to with_object_size"); break;
  }
}

// Anonymous private memory, committed and written once up front, so no page fault or commit lands
// in a timed chunk.
class TouchedRegion {
 public:
  explicit TouchedRegion(std::size_t bytes) noexcept : bytes_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    std::memset(p, 1, bytes);
    base_ = static_cast<std::byte*>(p);
  }
  ~TouchedRegion() {
    if (base_ != nullptr) munmap(base_, bytes_);
  }
  TouchedRegion(const TouchedRegion&) = delete;
  TouchedRegion& operator=(const TouchedRegion&) = delete;

  std::byte* begin() const noexcept { return base_; }
  std::byte* end() const noexcept { return base_ + bytes_; }

 private:
  std::byte* base_ = nullptr;
  std::size_t bytes_;
};

// The arena's push logic over a fixed region, in both directions, written with one structure so the
// comparison is like for like: the same members, the same cold out-of-line slow path and, in the
// library's shape, the same folded bounds check and statistics updates as vmb::Arena::push. Only the
// direction (and the checks that direction needs against wrap-around) differ.
enum class Direction { up, down };
enum class Check {
  folded,       // vmb::Arena::push's: every condition computed, combined with bitwise &
  one_compare,  // padding and size summed into one request, compared once with the room left
};

template <Direction kDirection, bool kCountStats, Check kCheck>
class Bumper {
 public:
  Bumper(std::byte* begin, std::byte* end) noexcept : begin_(begin), end_(end) { reset(); }
  Bumper(const Bumper&) = delete;
  Bumper& operator=(const Bumper&) = delete;

  VMB_INLINE void* push(std::size_t size, std::size_t align) noexcept {
    const std::uintptr_t cur = reinterpret_cast<std::uintptr_t>(cur_);
    const std::uintptr_t mask = align - 1;
    std::uintptr_t p = 0, next = 0;
    bool fits = false;
    if constexpr (kDirection == Direction::up && kCheck == Check::folded) {
      p = (cur + mask) & ~mask;
      next = p + size;
      // As in Arena::push: p >= cur and next > p catch wrap-around from the alignment or size, and
      // next > p also sends a zero-size push to the slow path.
      fits = std::has_single_bit(align) & (p >= cur) & (next > p) &
             (next <= reinterpret_cast<std::uintptr_t>(end_));
    } else if constexpr (kDirection == Direction::down && kCheck == Check::folded) {
      // Rounding down never wraps; only cur - size can. cur - size < cur rules that out and, like
      // next > p going up, sends a zero-size push to the slow path.
      p = (cur - size) & ~mask;
      next = p;
      fits = std::has_single_bit(align) & (cur - size < cur) &
             (p >= reinterpret_cast<std::uintptr_t>(begin_));
    } else {
      // The new position is computed as in the folded shape (the loop-carried chain through cur_
      // stays as short); only the check differs. need = bytes the position moves: size plus a
      // padding below align, so it wraps only for a size within align of SIZE_MAX (need < size).
      // For a constant size that test and the zero-size one fold away, leaving one compare against
      // the room, which the invariant keeps non-negative.
      std::uintptr_t pad = 0;
      if constexpr (kDirection == Direction::up) {
        p = (cur + mask) & ~mask;
        next = p + size;
        pad = (std::uintptr_t{0} - cur) & mask;
      } else {
        p = (cur - size) & ~mask;
        next = p;
        pad = (cur - size) & mask;
      }
      const std::uintptr_t need = size + pad;
      const std::uintptr_t room = kDirection == Direction::up
                                      ? reinterpret_cast<std::uintptr_t>(end_) - cur
                                      : cur - reinterpret_cast<std::uintptr_t>(begin_);
      fits = std::has_single_bit(align) & (size != 0) & (need >= size) & (need <= room);
    }
    if (VMB_LIKELY(fits)) {
      cur_ = reinterpret_cast<std::byte*>(next);
      if constexpr (kCountStats) {
        ++pushes_;
        pushed_bytes_ += size;
      }
      return reinterpret_cast<void*>(p);
    }
    return push_slow(size, align);
  }

  void reset() noexcept { cur_ = kDirection == Direction::up ? begin_ : end_; }

 private:
  // Never taken here (each chunk fits the region); present so the fast path has the shape of the
  // library's, with a call on the cold side.
  VMB_COLD void* push_slow(std::size_t, std::size_t) noexcept {
    ++failures_;
    return nullptr;
  }

  std::byte* cur_ = nullptr;  // next free byte (up) or start of the last object (down)
  std::byte* begin_;
  std::byte* end_;
  std::uint64_t pushes_ = 0;
  std::uint64_t pushed_bytes_ = 0;
  std::uint64_t failures_ = 0;
};

// Objects of kSize bytes in one chunk. Every size divides kChunkBytes and is a multiple of kAlign,
// so a chunk fills a page-aligned region of kChunkBytes exactly, in either direction.
template <std::size_t kSize>
constexpr std::size_t kObjectsPerChunk = kChunkBytes / kSize;

// ---------------------------------------------------------------------------------------------
// Arena push and its physical limits.

void arena_push(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    constexpr std::size_t n = kObjectsPerChunk<kSize>;
    vmb::VirtualArena arena;  // default options: what a user gets
    // One untimed fill commits and faults in the chunk; clear() keeps it (below retain_bytes), so the
    // timed chunks reuse hot pages, as an arena filled and cleared in a loop does.
    for (std::size_t i = 0; i < n; ++i) {
      void* p = arena.push(kSize);
      if (p == nullptr) {
        state.SkipWithError(vmb::to_string(arena.last_error()));
        return;
      }
      touch(p, i);
    }
    arena.clear();
    const std::uint64_t commits_before = arena.stats().commit_calls;

    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(n, [&] {
        for (std::size_t i = 0; i < n; ++i) {
          void* const p = arena.push(kSize);
          touch(p, i);
          benchmark::DoNotOptimize(p);
        }
      });
      timer.reset([&] { arena.clear(); });
    }
    // Expected 0: a commit inside the timed chunks would mean the steady state was not reached.
    state.counters["commit_calls"] =
        static_cast<double>(arena.stats().commit_calls - commits_before);
  });
}

// The physical limit: align a local pointer and add the size, into committed, touched memory. The
// pointer stays in a register (DoNotOptimize's memory clobber cannot reach a local whose address is
// never taken); an allocator's position lives in its object, in memory, and every push above pays
// the round trip through it.
void bump(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    constexpr std::size_t n = kObjectsPerChunk<kSize>;
    TouchedRegion region(kChunkBytes);
    if (region.begin() == nullptr) {
      state.SkipWithError("mmap failed");
      return;
    }
    std::byte* cur = region.begin();
    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(n, [&] {
        for (std::size_t i = 0; i < n; ++i) {
          const std::uintptr_t p = align_up(reinterpret_cast<std::uintptr_t>(cur), kAlign);
          cur = reinterpret_cast<std::byte*>(p + kSize);
          void* const obj = reinterpret_cast<void*>(p);
          touch(obj, i);
          benchmark::DoNotOptimize(obj);
        }
      });
      timer.reset([&] { cur = region.begin(); });
    }
  });
}

// The same bare increment with the pointer where any allocator keeps its position: in an object in
// memory. DoNotOptimize's clobber makes every push reload and store it, exactly as it does for the
// arena, so this is the like-for-like limit the arena's push is measured against.
struct MemoryBump {
  std::byte* cur;
};

void bump_in_memory(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    constexpr std::size_t n = kObjectsPerChunk<kSize>;
    TouchedRegion region(kChunkBytes);
    if (region.begin() == nullptr) {
      state.SkipWithError("mmap failed");
      return;
    }
    MemoryBump bumper{region.begin()};
    benchmark::DoNotOptimize(&bumper);  // its address escapes, like an arena's
    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(n, [&] {
        for (std::size_t i = 0; i < n; ++i) {
          const std::uintptr_t p = align_up(reinterpret_cast<std::uintptr_t>(bumper.cur), kAlign);
          bumper.cur = reinterpret_cast<std::byte*>(p + kSize);
          void* const obj = reinterpret_cast<void*>(p);
          touch(obj, i);
          benchmark::DoNotOptimize(obj);
        }
      });
      timer.reset([&] { bumper.cur = region.begin(); });
    }
  });
}

template <Direction kDirection, bool kCountStats, Check kCheck>
void bump_shaped(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    constexpr std::size_t n = kObjectsPerChunk<kSize>;
    TouchedRegion region(kChunkBytes);
    if (region.begin() == nullptr) {
      state.SkipWithError("mmap failed");
      return;
    }
    Bumper<kDirection, kCountStats, kCheck> bumper(region.begin(), region.end());
    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(n, [&] {
        for (std::size_t i = 0; i < n; ++i) {
          void* const p = bumper.push(kSize, kAlign);
          touch(p, i);
          benchmark::DoNotOptimize(p);
        }
      });
      timer.reset([&] { bumper.reset(); });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Pool against malloc: one object (the free list stays warm), and batches freed in shuffled order.

// The allocator pair under test, behind one small shape so both benchmarks run the same loop.
template <std::size_t kSize>
struct PoolUnderTest {
  vmb::Pool pool{options()};
  static vmb::PoolOptions options() noexcept {
    vmb::PoolOptions o;
    o.slot_bytes = kSize;
    o.slot_align = kAlign;
    o.checks = false;  // the release fast path, whatever the build type of this benchmark
    return o;
  }
  bool ok() const noexcept { return pool.ok(); }
  VMB_INLINE void* allocate() noexcept { return pool.allocate(); }
  VMB_INLINE void free(void* p) noexcept { pool.free(p); }
};

template <std::size_t kSize>
struct MallocUnderTest {
  static bool ok() noexcept { return true; }
  VMB_INLINE void* allocate() noexcept { return std::malloc(kSize); }
  VMB_INLINE void free(void* p) noexcept { std::free(p); }
};

template <template <std::size_t> class Under>
void alloc_free_one(benchmark::State& state) {
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
        }
      });
    }
  });
}

template <template <std::size_t> class Under>
void alloc_free_batch(benchmark::State& state) {
  with_object_size(state, [&]<std::size_t kSize>() {
    Under<kSize> a;
    if (!a.ok()) {
      state.SkipWithError("allocator construction failed");
      return;
    }
    std::vector<std::uint32_t> order(kLiveObjects);
    for (std::uint32_t i = 0; i < kLiveObjects; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(kShuffleSeed));
    std::vector<void*> live(kLiveObjects);

    const auto round = [&] {
      for (std::size_t i = 0; i < kLiveObjects; ++i) {
        void* const p = a.allocate();
        touch(p, i);
        benchmark::DoNotOptimize(p);
        live[i] = p;
      }
      for (const std::uint32_t i : order) a.free(live[i]);
    };
    // One untimed round reaches the steady state: slots committed, the free list scrambled.
    for (std::size_t i = 0; i < kLiveObjects; ++i) {
      live[i] = a.allocate();
      if (live[i] == nullptr) {
        state.SkipWithError("allocation failed");
        for (std::size_t j = 0; j < i; ++j) a.free(live[j]);
        return;
      }
    }
    for (const std::uint32_t i : order) a.free(live[i]);

    constexpr std::size_t kRoundsPerChunk = kPairsPerChunk / kLiveObjects;
    ChunkTimer timer(state);
    for (auto _ : state) {
      timer.timed(kRoundsPerChunk * kLiveObjects, [&] {
        for (std::size_t r = 0; r < kRoundsPerChunk; ++r) round();
      });
    }
  });
}

void object_sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes");
  for (const std::size_t size : kObjectSizes) b->Arg(static_cast<std::int64_t>(size));
  b->UseManualTime();
}

}  // namespace

// Names are what scripts/bench-lib.sh looks up: change both together.
BENCHMARK(arena_push)->Apply(object_sizes);
BENCHMARK(bump)->Apply(object_sizes);
BENCHMARK(bump_in_memory)->Apply(object_sizes);
// The up/down twins in the library's shape, then without the two statistics updates, then also with
// a single compare: what each part of the fast path costs, in both directions.
BENCHMARK(bump_shaped<Direction::up, true, Check::folded>)->Name("bump_up")->Apply(object_sizes);
BENCHMARK(bump_shaped<Direction::down, true, Check::folded>)->Name("bump_down")->Apply(object_sizes);
BENCHMARK(bump_shaped<Direction::up, false, Check::folded>)
    ->Name("bump_up_nostats")
    ->Apply(object_sizes);
BENCHMARK(bump_shaped<Direction::down, false, Check::folded>)
    ->Name("bump_down_nostats")
    ->Apply(object_sizes);
BENCHMARK(bump_shaped<Direction::up, false, Check::one_compare>)
    ->Name("bump_up_lean")
    ->Apply(object_sizes);
BENCHMARK(bump_shaped<Direction::down, false, Check::one_compare>)
    ->Name("bump_down_lean")
    ->Apply(object_sizes);
BENCHMARK(alloc_free_one<PoolUnderTest>)->Name("pool_alloc_free")->Apply(object_sizes);
BENCHMARK(alloc_free_batch<PoolUnderTest>)->Name("pool_alloc_free_batch")->Apply(object_sizes);
BENCHMARK(alloc_free_one<MallocUnderTest>)->Name("malloc_free")->Apply(object_sizes);
BENCHMARK(alloc_free_batch<MallocUnderTest>)->Name("malloc_free_batch")->Apply(object_sizes);

BENCHMARK_MAIN();
