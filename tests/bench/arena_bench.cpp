// Micro-benchmarks of the arena's push, each beside its physical limit: a bare pointer bump (in a
// register, and kept in memory as an allocator's position is), and bumping up against bumping down
// in the library's shape. scripts/bench-lib.sh runs them with repetitions and prints the medians
// and the target ratios.
#include <benchmark/benchmark.h>

#include <bit>
#include <cstddef>
#include <cstdint>

#include "bench_support.hpp"
#include "vmb/arena.hpp"
#include "vmb/config.hpp"

namespace vmb::bench {
namespace {

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

}  // namespace
}  // namespace vmb::bench
