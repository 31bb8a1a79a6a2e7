// Statistics over repetitions.
#include "summary_stats.hpp"

#include <gtest/gtest.h>

namespace vmbench {
namespace {

TEST(SummaryStats, OddCountMedianIsTheMiddleValue) {
  const Summary s = summarize({5, 1, 3});
  EXPECT_EQ(s.n, 3);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.stddev, 2);  // sample standard deviation
  EXPECT_DOUBLE_EQ(s.cv, 2.0 / 3.0);
}

TEST(SummaryStats, EvenCountMedianIsTheMeanOfTheMiddleTwo) {
  EXPECT_DOUBLE_EQ(summarize({4, 1, 3, 2}).median, 2.5);
}

TEST(SummaryStats, OneValueHasNoSpread) {
  const Summary s = summarize({7});
  EXPECT_DOUBLE_EQ(s.median, 7);
  EXPECT_DOUBLE_EQ(s.stddev, 0);
  EXPECT_DOUBLE_EQ(s.cv, 0);
}

TEST(SummaryStats, NoValuesGiveAnEmptySummary) { EXPECT_EQ(summarize({}).n, 0); }

}  // namespace
}  // namespace vmbench
