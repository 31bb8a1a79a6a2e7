#include "timer_resolution.hpp"

#include <algorithm>

#include "cycle_clock.hpp"

namespace vmbench {

std::uint64_t timer_step_ticks(const LatencyHistogram& back_to_back, std::uint64_t spin_increment) {
  const std::uint64_t threshold = std::max<std::uint64_t>(1, back_to_back.count() * kFrequentPerMillion / 1000000);
  std::uint64_t step = spin_increment > 0 ? spin_increment : LatencyHistogram::kExactBelow;
  bool seen = false;
  std::uint64_t previous = 0;
  for (std::uint64_t v = 0; v < LatencyHistogram::kExactBelow; ++v) {
    if (back_to_back.count_of_exact(v) < threshold) continue;
    if (seen) step = std::min(step, v - previous);
    previous = v;
    seen = true;
  }
  return std::max<std::uint64_t>(1, step);
}

std::uint64_t smallest_spin_increment(int tries) {
  std::uint64_t smallest = 0;
  for (int i = 0; i < tries; ++i) {
    const std::uint64_t a = cycle_ticks();
    std::uint64_t b = cycle_ticks();
    while (b == a) b = cycle_ticks();
    if (smallest == 0 || b - a < smallest) smallest = b - a;
  }
  return smallest;
}

}  // namespace vmbench
