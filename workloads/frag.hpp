// frag: fragmentation, for teaching. The checkpoints are the figure: at each one the child reads the
// footprint (RSS) against the live bytes, so the report can show what an allocator keeps after the
// program has let go.
//   ramp     allocate `small_objects` objects of 16..64 bytes (uniform)       checkpoint "ramp"
//   free     free some of them (`pattern`):                                  checkpoint "after free"
//              random     a random 90% (exactly floor(9n/10) objects, in random order)
//              alternate  every other one (the odd-numbered ones, in allocation order: 50%)
//            The survivors pin the pages they sit on: a heap cannot give those pages back.
//   large    allocate objects of 256..1024 bytes (uniform) until they total at least half the
//            bytes just freed: can the heap reuse the holes for larger sizes?  checkpoint "after large"
//   release  free everything, then release_all (the arena and the pools give back all but their
//            `retain` bytes; malloc keeps what it keeps)                     checkpoint "after release"
// Every object has its first and last word written when allocated and read back before it dies;
// what it holds and its size feed the checksum.
// Operations: small_objects + (number of large objects) allocations and as many frees, all
// Life::persistent. Sizes, the freed set and the large sizes are drawn before measuring, so the
// measured phases do nothing but allocate, touch and free.
#pragma once

#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "driver.hpp"
#include "rng.hpp"

namespace vmbench::frag {

inline constexpr std::size_t kSmallMinBytes = 16;
inline constexpr std::size_t kSmallMaxBytes = 64;
inline constexpr std::size_t kLargeMinBytes = 256;
inline constexpr std::size_t kLargeMaxBytes = 1024;
inline constexpr std::uint64_t kRandomFreedTenths = 9;  // random pattern: 9 in 10 die
inline constexpr std::uint64_t kStampSpread = 0x9e3779b97f4a7c15ULL;  // 2^64 / golden ratio

struct Slot {
  void* p;
  std::size_t bytes;
};

// First and last word written (all of it when shorter than a word: never here, sizes are >= 16).
VMB_INLINE void stamp(void* p, std::size_t bytes, std::uint64_t value) noexcept {
  auto* b = static_cast<unsigned char*>(p);
  const std::uint64_t last = ~value;
  std::memcpy(b, &value, sizeof value);
  std::memcpy(b + bytes - sizeof last, &last, sizeof last);
}
VMB_INLINE std::uint64_t read_stamp(const void* p, std::size_t bytes) noexcept {
  const auto* b = static_cast<const unsigned char*>(p);
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::memcpy(&first, b, sizeof first);
  std::memcpy(&last, b + bytes - sizeof last, sizeof last);
  return first ^ std::rotl(last, 17);
}
VMB_INLINE std::uint64_t fold(std::uint64_t sum, std::uint64_t v) noexcept { return std::rotl(sum, 5) ^ v; }

// Indices of the small objects that die in phase "free", in the order they die.
inline std::vector<std::uint32_t> victims(std::uint64_t n, const std::string& pattern, Rng& rng) {
  std::vector<std::uint32_t> v;
  if (pattern == "random") {
    v.resize(n);
    for (std::uint64_t i = 0; i < n; ++i) v[i] = static_cast<std::uint32_t>(i);
    const std::uint64_t k = n * kRandomFreedTenths / 10;
    for (std::uint64_t i = 0; i < k; ++i) std::swap(v[i], v[i + rng.below(n - i)]);  // partial Fisher-Yates
    v.resize(k);
  } else if (pattern == "alternate") {
    v.reserve(n / 2);
    for (std::uint64_t i = 1; i < n; i += 2) v.push_back(static_cast<std::uint32_t>(i));
  } else {
    throw std::runtime_error("frag: unknown pattern '" + pattern + "'");
  }
  return v;
}

template <class H>
WorkloadStats run(Driver<H>& d, const std::function<void()>& begin_measured) {
  const std::uint64_t n = d.params().count("small_objects");
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw std::runtime_error("frag: small_objects must be below 2^32");
  Rng rng(d.seed());

  // Everything random is drawn here, outside the heap and before measuring.
  std::vector<Slot> small_slots(n);
  for (Slot& s : small_slots) s = {nullptr, rng.between(kSmallMinBytes, kSmallMaxBytes)};
  const std::vector<std::uint32_t> dying = victims(n, d.params().text("pattern"), rng);
  std::uint64_t freed_bytes = 0;
  for (std::uint32_t i : dying) freed_bytes += small_slots[i].bytes;
  std::vector<Slot> large_slots;
  large_slots.reserve(freed_bytes / 2 / kLargeMinBytes + 1);
  for (std::uint64_t total = 0; total < freed_bytes / 2;) {
    large_slots.push_back({nullptr, rng.between(kLargeMinBytes, kLargeMaxBytes)});
    total += large_slots.back().bytes;
  }

  begin_measured();
  std::uint64_t checksum = 0;
  std::uint64_t serial = 0;
  const auto allocate = [&](Slot& s) VMB_INLINE_LAMBDA {
    s.p = d.alloc(s.bytes);
    stamp(s.p, s.bytes, ++serial * kStampSpread);
  };
  const auto release = [&](Slot& s) VMB_INLINE_LAMBDA {
    checksum = fold(checksum, read_stamp(s.p, s.bytes) + s.bytes);
    d.free(s.p, s.bytes);
    s.p = nullptr;
  };

  d.timed("ramp", [&]() VMB_INLINE_LAMBDA {
    for (Slot& s : small_slots) allocate(s);
  });
  d.checkpoint("ramp");
  d.timed("free", [&]() VMB_INLINE_LAMBDA {
    for (std::uint32_t i : dying) release(small_slots[i]);
  });
  d.checkpoint("after free");
  d.timed("large", [&]() VMB_INLINE_LAMBDA {
    for (Slot& s : large_slots) allocate(s);
  });
  d.checkpoint("after large");
  d.timed("release", [&]() VMB_INLINE_LAMBDA {
    for (Slot& s : small_slots)
      if (s.p != nullptr) release(s);
    for (Slot& s : large_slots) release(s);
    d.release_all();
  });
  d.checkpoint("after release");
  return d.finish(checksum);
}

}  // namespace vmbench::frag
