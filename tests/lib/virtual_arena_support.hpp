// Helpers shared by the VirtualArena test files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>

#include "vmb/arena.hpp"
#include "vmb/os.hpp"

namespace vmb::test {

// Whether this build counts ArenaStats::pushes (VMB_COUNT_PUSHES, from arena.hpp).
inline constexpr bool kCountsPushes = VMB_COUNT_PUSHES != 0;

inline std::size_t page() { return os::page_size(); }

inline std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

inline std::size_t round_up(std::size_t x, std::size_t unit) { return (x + unit - 1) / unit * unit; }

// Every counter, so one EXPECT_EQ says "nothing changed" and prints which field did.
inline auto fields(const ArenaStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.pushed_bytes, s.pushes);
}

inline ArenaOptions small_options(std::size_t reserve_bytes, std::size_t step_bytes) {
  ArenaOptions o;
  o.reserve_bytes = reserve_bytes;
  o.commit_step_bytes = step_bytes;
  return o;
}

}  // namespace vmb::test
