// Overflow-checked size arithmetic of the allocators: internal, not part of the library's API.
#pragma once

#include <cstddef>

namespace vmb::detail {

// a + b, false when it fits; true (and *out unspecified) when it overflows.
constexpr bool add_overflows(std::size_t a, std::size_t b, std::size_t* out) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_add_overflow(a, b, out);
#else
  *out = a + b;
  return *out < a;
#endif
}

// `bytes` rounded up to a whole number of `step`s, but never above `cap` (and without overflowing):
// the extent of a committed prefix that covers `bytes`, in an allocator committing in steps.
constexpr std::size_t whole_steps_capped(std::size_t bytes, std::size_t step, std::size_t cap) noexcept {
  const std::size_t steps = bytes / step + (bytes % step != 0);
  return steps > cap / step ? cap : (steps * step < cap ? steps * step : cap);
}

constexpr bool is_pow2(std::size_t x) noexcept { return x != 0 && (x & (x - 1)) == 0; }

// Round x up to a multiple of a power of two; false (and x unchanged) on overflow.
constexpr bool align_up_checked(std::size_t x, std::size_t pow2, std::size_t* out) noexcept {
  const std::size_t r = x + (pow2 - 1);
  if (r < x) return false;
  *out = r & ~(pow2 - 1);
  return true;
}

}  // namespace vmb::detail
