// churn: a steady live set whose objects die one at a time in random order and are replaced, the
// allocation pattern of a long-running server or simulation. Timed in three phases:
//   ramp     allocate the live set of `live_objects` objects
//   steady   `steps` times: pick a random victim, read it, free it, allocate a replacement whose size
//            is drawn afresh
//   release  free what is still live
// Every object allocated has its first and last word written (so its pages are really touched), and
// every victim is read back before it dies: what it holds and its size feed the checksum.
// Sizes (`sizes`):  fixed    every object is `size` bytes
//                   uniform  16..256 bytes, each equally likely (mean 136 B)
//                   skewed   16 << k bytes, P(k) = 2^-(k+1) for k = 0..5 and P(6) = 2^-6: half the
//                            objects are 16 B, a quarter 32 B, ..., 1/64 are 512 B and 1/64 are
//                            1024 B (mean 64 B): small-object heavy, as real programs are
// Operations: live_objects + steps allocations and as many frees. Every object is Life::persistent:
// deaths in random order fit no lifetime group, so a heap without individual free keeps every dead
// object until the end (steps x mean size bytes), which is the cost the figures are meant to show.
#pragma once

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "driver.hpp"
#include "rng.hpp"

namespace vmbench::churn {

enum class SizeLaw : std::uint8_t { fixed, uniform, skewed };

inline constexpr std::size_t kUniformMinBytes = 16;
inline constexpr std::size_t kUniformMaxBytes = 256;
inline constexpr std::size_t kSkewedMinBytes = 16;
inline constexpr int kSkewedClasses = 7;  // 16 B .. 1024 B
// Multiplier that spreads consecutive serial numbers over all 64 bits (2^64 / golden ratio).
inline constexpr std::uint64_t kStampSpread = 0x9e3779b97f4a7c15ULL;

struct SizeDist {
  SizeLaw law = SizeLaw::fixed;
  std::size_t fixed_bytes = 0;

  VMB_INLINE std::size_t next(Rng& rng) const noexcept {
    switch (law) {
      case SizeLaw::fixed:
        return fixed_bytes;
      case SizeLaw::uniform:
        return rng.between(kUniformMinBytes, kUniformMaxBytes);
      case SizeLaw::skewed: {
        // Trailing zeros of a uniform 64-bit word: k with probability 2^-(k+1); the tail from
        // k = 6 up is folded into the largest class.
        const int k = std::min(std::countr_zero(rng.next()), kSkewedClasses - 1);
        return kSkewedMinBytes << k;
      }
    }
    return fixed_bytes;
  }
};

inline SizeDist size_dist(const Params& p) {
  const std::string& law = p.text("sizes");
  if (law == "fixed") return {SizeLaw::fixed, p.bytes("size")};
  if (law == "uniform") return {SizeLaw::uniform, 0};
  if (law == "skewed") return {SizeLaw::skewed, 0};
  throw std::runtime_error("churn: unknown size law '" + law + "'");
}

// Write `value` into the first and the last word of an object (all of it when it is shorter than a
// word), so that allocating it touches the pages at both ends.
VMB_INLINE void stamp(void* p, std::size_t bytes, std::uint64_t value) noexcept {
  auto* b = static_cast<unsigned char*>(p);
  if (VMB_LIKELY(bytes >= sizeof value)) {
    const std::uint64_t last = ~value;
    std::memcpy(b, &value, sizeof value);
    std::memcpy(b + bytes - sizeof last, &last, sizeof last);
  } else {
    std::memcpy(b, &value, bytes);
  }
}

// Read back what stamp() left, folded into one word.
VMB_INLINE std::uint64_t read_stamp(const void* p, std::size_t bytes) noexcept {
  const auto* b = static_cast<const unsigned char*>(p);
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  if (VMB_LIKELY(bytes >= sizeof first)) {
    std::memcpy(&first, b, sizeof first);
    std::memcpy(&last, b + bytes - sizeof last, sizeof last);
  } else {
    std::memcpy(&first, b, bytes);
  }
  return first ^ std::rotl(last, 17);
}

// Order-dependent fold: the checksum also proves the victims were visited in the same order.
VMB_INLINE std::uint64_t fold(std::uint64_t sum, std::uint64_t v) noexcept { return std::rotl(sum, 5) ^ v; }

struct Slot {
  void* p;
  std::size_t bytes;
};

template <class H>
WorkloadStats run(Driver<H>& d, const std::function<void()>& begin_measured) {
  const std::uint64_t live_objects = d.params().count("live_objects");
  const std::uint64_t steps = d.params().count("steps");
  const SizeDist sizes = size_dist(d.params());
  if (live_objects == 0) throw std::runtime_error("churn: live_objects must be at least 1");
  Rng rng(d.seed());

  // The live set's bookkeeping lives outside the heap, allocated before measuring.
  std::vector<Slot> slots(live_objects);

  begin_measured();
  std::uint64_t checksum = 0;
  std::uint64_t serial = 0;  // one per allocation: what stamp() writes
  d.timed("ramp", [&]() VMB_INLINE_LAMBDA {
    for (Slot& s : slots) {
      s.bytes = sizes.next(rng);
      s.p = d.alloc(s.bytes);
      stamp(s.p, s.bytes, ++serial * kStampSpread);
    }
  });
  d.checkpoint("ramp done");

  d.timed("steady", [&]() VMB_INLINE_LAMBDA {
    for (std::uint64_t i = 0; i < steps; ++i) {
      Slot& s = slots[rng.below(live_objects)];
      checksum = fold(checksum, read_stamp(s.p, s.bytes) + s.bytes);
      d.free(s.p, s.bytes);
      s.bytes = sizes.next(rng);
      s.p = d.alloc(s.bytes);
      stamp(s.p, s.bytes, ++serial * kStampSpread);
    }
  });
  d.checkpoint("steady done");

  d.timed("release", [&]() VMB_INLINE_LAMBDA {
    if constexpr (Driver<H>::kIndividualFree) {
      for (const Slot& s : slots) d.free(s.p, s.bytes);
    } else {
      // Nothing is live but the live set: account its deaths at once, as an arena user would.
      d.dead_without_free(live_objects, d.live_bytes());
    }
  });
  return d.finish(checksum);
}

}  // namespace vmbench::churn
