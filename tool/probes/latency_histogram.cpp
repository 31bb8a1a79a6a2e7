#include "latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace vmbench {

std::uint64_t LatencyHistogram::value_at_quantile(double q) const noexcept {
  if (count_ == 0) return 0;
  const double wanted = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_));
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[static_cast<std::size_t>(i)];
    if (seen >= rank) return std::min(max_, lowest_in(i) + (width_of(i) - 1) / 2);
  }
  return max_;
}

}  // namespace vmbench
