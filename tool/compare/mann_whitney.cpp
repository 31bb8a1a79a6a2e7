#include "mann_whitney.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace vmbench {

namespace {

struct Ranked {
  std::vector<long> twice_rank;  // mid-ranks doubled, so that ties stay whole numbers
  double tie_term = 0;           // sum over groups of tied values of t^3 - t
};

Ranked rank_all(const std::vector<double>& values) {
  const std::size_t n = values.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return values[x] < values[y]; });
  Ranked r;
  r.twice_rank.assign(n, 0);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && values[order[j + 1]] == values[order[i]]) ++j;
    // Positions i..j (1-based ranks i+1..j+1) share the mid-rank (i+j+2)/2.
    const long twice_mid = static_cast<long>(i + j + 2);
    for (std::size_t k = i; k <= j; ++k) r.twice_rank[order[k]] = twice_mid;
    const double t = static_cast<double>(j - i + 1);
    r.tie_term += t * t * t - t;
    i = j + 1;
  }
  return r;
}

// Number of ways to choose m of the values whose doubled ranks sum to each possible total.
std::vector<double> rank_sum_counts(const std::vector<long>& twice_rank, std::size_t m) {
  long max_sum = 0;
  for (long r : twice_rank) max_sum += r;
  const std::size_t width = static_cast<std::size_t>(max_sum) + 1;
  std::vector<std::vector<double>> ways(m + 1, std::vector<double>(width, 0.0));
  ways[0][0] = 1;
  for (long r : twice_rank) {
    const std::size_t step = static_cast<std::size_t>(r);
    for (std::size_t k = m; k >= 1; --k)
      for (std::size_t s = width - 1; s >= step; --s) ways[k][s] += ways[k - 1][s - step];
  }
  return ways[m];
}

double binomial(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

}  // namespace

UTestResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  UTestResult out;
  if (a.empty() || b.empty()) return out;
  std::vector<double> all(a);
  all.insert(all.end(), b.begin(), b.end());
  const Ranked ranked = rank_all(all);
  const std::size_t m = a.size();
  const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size()), total = n1 + n2;
  long twice_w = 0;  // doubled rank sum of the first sample
  for (std::size_t i = 0; i < m; ++i) twice_w += ranked.twice_rank[i];
  out.u = static_cast<double>(twice_w) / 2 - n1 * (n1 + 1) / 2;

  if (all.size() <= static_cast<std::size_t>(kUTestExactMaxTotal)) {
    const std::vector<double> ways = rank_sum_counts(ranked.twice_rank, m);
    double all_ways = 0, at_most = 0, at_least = 0;
    for (std::size_t s = 0; s < ways.size(); ++s) {
      all_ways += ways[s];
      if (static_cast<long>(s) <= twice_w) at_most += ways[s];
      if (static_cast<long>(s) >= twice_w) at_least += ways[s];
    }
    out.p = std::min(1.0, 2 * std::min(at_most, at_least) / all_ways);
    out.exact = true;
    return out;
  }
  const double mean_u = n1 * n2 / 2;
  const double var_u = n1 * n2 / 12 * ((total + 1) - ranked.tie_term / (total * (total - 1)));
  if (var_u <= 0) return out;  // every value tied: no evidence of a difference
  const double z = std::max(0.0, std::fabs(out.u - mean_u) - 0.5) / std::sqrt(var_u);
  out.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return out;
}

double smallest_possible_p(int n1, int n2) {
  if (n1 < 1 || n2 < 1) return 1;
  return std::min(1.0, 2 / binomial(n1 + n2, n1));
}

}  // namespace vmbench
