// The cheapest timer of the machine, for timing single operations in the latency pass: the time-stamp
// counter on x86-64, the virtual counter on arm64, else the monotonic clock in ns. Ticks are turned
// into ns by a calibration against CLOCK_MONOTONIC over the whole pass (tool/latency_pass).
#pragma once

#include <time.h>

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "vmb/config.hpp"

namespace vmbench {

// lfence on both sides keeps the read from drifting into or out of the timed operation.
VMB_INLINE std::uint64_t cycle_ticks() noexcept {
#if defined(__x86_64__)
  _mm_lfence();
  const std::uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
#elif defined(__aarch64__)
  std::uint64_t t;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t)::"memory");
  return t;
#else
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
#endif
}

inline constexpr const char* kCycleClockName =
#if defined(__x86_64__)
    "rdtsc";
#elif defined(__aarch64__)
    "cntvct_el0";
#else
    "clock_gettime";
#endif

}  // namespace vmbench
