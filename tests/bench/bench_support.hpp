// Shared by the library's micro-benchmarks (arena_bench.cpp, pool_bench.cpp): the chunk timer that
// reports ns_per_op, the object sizes as compile-time constants, and pre-touched memory.
//
// Every operation writes one word into the object it gets (so no allocator gets away with lazy
// work) and passes the pointer to benchmark::DoNotOptimize. Each benchmark iteration times one
// chunk of operations with its own clock (UseManualTime), so resetting the allocator between chunks
// (arena clear, bump pointer reset) stays out of the figure and is reported apart as reset_ns.
// The figure to compare is the counter ns_per_op: per repetition, the median over its chunks of
// nanoseconds per operation (see ChunkTimer).
#pragma once

#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vmb/arena.hpp"
#include "vmb/config.hpp"

namespace vmb::bench {

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

// Registers the object sizes as the benchmark's argument `bytes`, timed manually (ChunkTimer).
inline void object_sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("bytes");
  for (const std::size_t size : kObjectSizes) b->Arg(static_cast<std::int64_t>(size));
  b->UseManualTime();
}

}  // namespace vmb::bench
