// What the latency pass's timer can resolve: its step (the smallest difference two of its readings
// can show) and the cost of reading it, measured at the start of the pass (docs/metrics.md, Latency).
// Under a hypervisor the time-stamp counter may advance in steps of some 20 ticks (~10 ns), and a
// fenced read costs 2 to 3 such steps: an operation measured at 2 or 3 steps is at the limit of the
// timer, not a figure, whatever the histogram's own 0.8% precision.
#pragma once

#include <cstdint>

#include "latency_histogram.hpp"

namespace vmbench {

// A value below this many steps (after the read cost is subtracted) is printed as "< N ns".
inline constexpr std::uint64_t kResolvedSteps = 3;

// A back-to-back difference seen at least this often (per million) counts as one the timer shows.
inline constexpr std::uint64_t kFrequentPerMillion = 1000;

// The step, in ticks, from the differences of back-to-back reads (`back_to_back`) and the smallest
// increment seen when spinning until the counter changes (`spin_increment`): the smallest gap between
// two differences the timer shows often (52 and 78 ticks: a step of 26), else the smallest increment.
// A counter that advances by 1 shows differences 1 apart. At least 1.
std::uint64_t timer_step_ticks(const LatencyHistogram& back_to_back, std::uint64_t spin_increment);

// The smallest non-zero increment of cycle_ticks() over `tries` waits for it to change.
std::uint64_t smallest_spin_increment(int tries);

}  // namespace vmbench
