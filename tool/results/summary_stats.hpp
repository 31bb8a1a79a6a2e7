// Summary statistics over repetitions: median, min, max, mean, standard deviation and coefficient
// of variation. Ratios between allocators are always taken between medians of the same run.
#pragma once

#include <vector>

namespace vmbench {

struct Summary {
  int n = 0;
  double median = 0, min = 0, max = 0, mean = 0, stddev = 0;
  double cv = 0;  // stddev / mean; 0 when n < 2
};

Summary summarize(std::vector<double> values);

// A timing spread above this coefficient of variation gets a noise warning in the report.
inline constexpr double kNoisyCv = 0.10;

}  // namespace vmbench
