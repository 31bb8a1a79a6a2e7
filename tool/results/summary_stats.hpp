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

// No RSS ratio is taken against a reference whose RSS grew by less than this in the phase: a growth
// of a few pages (malloc refilling holes it already had) makes any ratio against it meaningless.
inline constexpr double kRssRatioFloorBytes = 1 << 20;

}  // namespace vmbench
