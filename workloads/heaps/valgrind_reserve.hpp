// Reservations that fit under Valgrind. Linux grants a PROT_NONE reservation of 64 GiB per arena
// region (or 16 GiB per pool size class) without a second thought, but Valgrind 3.19's address-space
// manager gives its client about 128 GiB in all (measured: two 48 GiB arena regions map, two 64 GiB
// do not; 24 pools of 5 GiB map, of 6 GiB do not). Under Valgrind (the cost pass, a memcheck run) a
// heap therefore shares a budget of 64 GiB among its regions, leaving the other half to the program,
// its libraries and Valgrind. A reservation only bounds how far a region can grow: the commits, the
// faults and the instructions of a run that fits are the same. The heap's reserved_bytes counter
// reports what was actually reserved, and the cost pass notes the cap (tool/runner/cost_pass.cpp).
#pragma once

#include <algorithm>
#include <cstdint>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define VMB_HAVE_VALGRIND_H 1
#else
#define VMB_HAVE_VALGRIND_H 0
#endif

namespace vmbench {

inline constexpr std::uint64_t kValgrindReserveBudgetBytes = std::uint64_t{64} << 30;
inline constexpr std::uint64_t kValgrindReserveGrainBytes = std::uint64_t{1} << 30;  // caps are whole GiB

// True inside Valgrind (any tool). A client request: a few no-op instructions on a real CPU.
inline bool running_on_valgrind() noexcept {
#if VMB_HAVE_VALGRIND_H
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

// The most each of `regions` regions may reserve under Valgrind: an equal share of the budget, in
// whole GiB (at least one).
constexpr std::uint64_t valgrind_region_cap_bytes(int regions) noexcept {
  const std::uint64_t share = kValgrindReserveBudgetBytes / static_cast<std::uint64_t>(regions < 1 ? 1 : regions);
  return std::max(kValgrindReserveGrainBytes, share / kValgrindReserveGrainBytes * kValgrindReserveGrainBytes);
}

// What one of `regions` regions reserves: `asked`, capped under Valgrind.
inline std::uint64_t region_reserve_bytes(std::uint64_t asked, int regions, bool under_valgrind = running_on_valgrind()) noexcept {
  return under_valgrind ? std::min(asked, valgrind_region_cap_bytes(regions)) : asked;
}

}  // namespace vmbench
