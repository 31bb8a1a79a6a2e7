// The latency histogram on inputs whose percentiles are known: exact below 256, within 1/128 of the
// true value above, exact maximum.
#include "latency_histogram.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace vmbench {
namespace {

constexpr double kRelativeError = 1.0 / LatencyHistogram::kSubBuckets;

TEST(LatencyHistogram, SmallValuesAreExact) {
  auto h = std::make_unique<LatencyHistogram>();
  for (std::uint64_t v = 1; v <= 100; ++v) h->record(v);
  EXPECT_EQ(h->count(), 100u);
  EXPECT_EQ(h->value_at_quantile(0.5), 50u);
  EXPECT_EQ(h->value_at_quantile(0.99), 99u);
  EXPECT_EQ(h->value_at_quantile(1.0), 100u);
  EXPECT_EQ(h->max(), 100u);
}

TEST(LatencyHistogram, PercentilesOfAUniformRangeAreWithinOnePercent) {
  auto h = std::make_unique<LatencyHistogram>();
  constexpr std::uint64_t kN = 1000000;
  for (std::uint64_t v = 1; v <= kN; ++v) h->record(v);
  for (const double q : {0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const double truth = q * static_cast<double>(kN);
    EXPECT_NEAR(static_cast<double>(h->value_at_quantile(q)), truth, truth * kRelativeError) << q;
  }
  EXPECT_EQ(h->max(), kN);
}

TEST(LatencyHistogram, ATailOfOneInTenThousandShowsAtP9999Only) {
  auto h = std::make_unique<LatencyHistogram>();
  for (int i = 0; i < 9999; ++i) h->record(20);
  h->record(1000000);
  EXPECT_EQ(h->value_at_quantile(0.999), 20u);
  EXPECT_EQ(h->value_at_quantile(0.9999), 20u);  // the 9,999th of 10,000 values
  EXPECT_EQ(h->value_at_quantile(1.0), 1000000u);  // capped at the exact maximum
  EXPECT_EQ(h->max(), 1000000u);
}

TEST(LatencyHistogram, EveryBucketIsNarrowerThanOnePercentOfItsValues) {
  for (int i = 2 * LatencyHistogram::kSubBuckets; i < LatencyHistogram::kBuckets; i += 37) {
    const double low = static_cast<double>(LatencyHistogram::lowest_in(i));
    EXPECT_LE(static_cast<double>(LatencyHistogram::width_of(i)) / low, kRelativeError) << i;
    EXPECT_EQ(LatencyHistogram::index_of(LatencyHistogram::lowest_in(i)), i);
  }
  EXPECT_EQ(LatencyHistogram::index_of(~std::uint64_t{0}), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, EmptyGivesZero) {
  auto h = std::make_unique<LatencyHistogram>();
  EXPECT_EQ(h->value_at_quantile(0.5), 0u);
}

}  // namespace
}  // namespace vmbench
