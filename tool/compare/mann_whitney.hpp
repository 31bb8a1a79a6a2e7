// The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: do two sets of timings come from the
// same distribution? Used by `vmbench compare` to tell a real slowdown from noise.
#pragma once

#include <vector>

namespace vmbench {

struct UTestResult {
  double u = 0;        // U of the first sample: pairs (a, b) with a > b, ties counting one half
  double p = 1;        // two-sided p-value
  bool exact = false;  // exact permutation distribution (else the normal approximation)
};

// Up to this many values in both samples together the p-value is exact: the permutation
// distribution of the rank sum, conditional on the ties present (mid-ranks), counted in full.
// Beyond it, the normal approximation with tie and continuity corrections.
inline constexpr int kUTestExactMaxTotal = 50;

// p = 1 when either sample is empty.
UTestResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

// The smallest two-sided p-value samples of these sizes can reach: if it is not below alpha, no
// difference can ever be called significant (4 against 4 is the least that reaches p < 0.05).
double smallest_possible_p(int n1, int n2);

}  // namespace vmbench
