// The totals of a callgrind output file, and the cycle estimate computed from them: the cost pass's
// figures (docs/ci.md, "The cost pass"). Reading them is separate from running Valgrind
// (runner/cost_pass.hpp) so that the format can be tested on fixed text.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace vmbench {

// Callgrind's event names with --cache-sim=yes, in the order of its `events:` line. A file may list
// them in any order; each is found by name.
struct CallgrindTotals {
  std::uint64_t ir = 0;    // instructions executed
  std::uint64_t dr = 0;    // data reads
  std::uint64_t dw = 0;    // data writes
  std::uint64_t i1mr = 0;  // instruction fetches that missed L1
  std::uint64_t d1mr = 0;  // data reads that missed L1
  std::uint64_t d1mw = 0;  // data writes that missed L1
  std::uint64_t ilmr = 0;  // instruction fetches that missed the last level
  std::uint64_t dlmr = 0;  // data reads that missed the last level
  std::uint64_t dlmw = 0;  // data writes that missed the last level
};

// The cycle model, after iai-callgrind's "estimated cycles": an access that hits L1 costs 1, one that
// misses L1 and hits the last level 5, one that misses both 35.
inline constexpr std::uint64_t kL1HitCycles = 1;
inline constexpr std::uint64_t kLLHitCycles = 5;
inline constexpr std::uint64_t kMemoryCycles = 35;

// L1 misses (instruction and data) and last-level misses.
constexpr std::uint64_t l1_misses(const CallgrindTotals& t) noexcept { return t.i1mr + t.d1mr + t.d1mw; }
constexpr std::uint64_t ll_misses(const CallgrindTotals& t) noexcept { return t.ilmr + t.dlmr + t.dlmw; }

// estimated_cycles = 1 x L1 hits + 5 x LL hits + 35 x LL misses, where
//   accesses = Ir + Dr + Dw, L1 hits = accesses - L1 misses, LL hits = L1 misses - LL misses.
constexpr std::uint64_t estimated_cycles(const CallgrindTotals& t) noexcept {
  const std::uint64_t accesses = t.ir + t.dr + t.dw;
  return kL1HitCycles * (accesses - l1_misses(t)) + kLLHitCycles * (l1_misses(t) - ll_misses(t)) +
         kMemoryCycles * ll_misses(t);
}

// The totals of a callgrind output file: its `events:` line names the columns, its `totals:` line
// (or, in a file without one, its `summary:` line) holds them. `totals:` comes first because with
// --instr-atstart=no callgrind 3.19 writes `summary: 0` however much was counted. A missing event,
// a missing line, a non-number or more numbers than events: nullopt and a one-line reason in *why.
std::optional<CallgrindTotals> parse_callgrind_totals(std::string_view file_text, std::string* why);

// The figures as they appear in a cell's results:
//   {"instructions": Ir, "data_reads": Dr, "data_writes": Dw, "l1_misses": I1mr+D1mr+D1mw,
//    "ll_misses": ILmr+DLmr+DLmw, "estimated_cycles": n,
//    "events": {"Ir": n, "Dr": n, "Dw": n, "I1mr": n, "D1mr": n, "D1mw": n, "ILmr": n, "DLmr": n, "DLmw": n}}
nlohmann::json callgrind_totals_json(const CallgrindTotals& totals);

}  // namespace vmbench
