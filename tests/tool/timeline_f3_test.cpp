// F3 over the plateau of the RSS peak (timeline_probe.hpp): every point within 1% of the peak RSS,
// the lowest R/L there, the highest beside it; never one point of a flat peak picked by chance.
#include <gtest/gtest.h>

#include <vector>

#include "timeline_probe.hpp"

namespace vmbench {
namespace {

TimelinePoint at(std::int64_t rss, std::uint64_t live) { return {0, 0.0, live, rss, false, 0, ""}; }

TEST(TimelineF3, TheLowestRatioOnThePlateauOfThePeak) {
  // frag on malloc: RSS within 8 KiB of its 1 MiB peak while live bytes fall from 400 KiB to 140 KiB.
  const std::vector<TimelinePoint> points = {at(100 << 10, 100 << 10), at(1048576, 400 << 10),
                                             at(1048576 - 8192, 300 << 10), at(1048576, 140 << 10),
                                             at(500 << 10, 50 << 10)};
  const PlateauF3 f3 = plateau_f3(points, 1048576);
  EXPECT_EQ(f3.points, 3u);
  EXPECT_EQ(f3.index, 1u);
  EXPECT_DOUBLE_EQ(f3.lowest, 1048576.0 / (400 << 10));
  EXPECT_DOUBLE_EQ(f3.highest, 1048576.0 / (140 << 10));
}

TEST(TimelineF3, PointsBelowOnePercentOfThePeakAreNotOnThePlateau) {
  const std::vector<TimelinePoint> points = {at(1000000, 1000), at(989999, 1000000)};
  const PlateauF3 f3 = plateau_f3(points, 1000000);
  EXPECT_EQ(f3.points, 1u);
  EXPECT_DOUBLE_EQ(f3.lowest, 1000.0);
}

TEST(TimelineF3, NoLiveBytesNoRatio) {
  EXPECT_EQ(plateau_f3({at(4096, 0)}, 4096).points, 0u);
  EXPECT_EQ(plateau_f3({}, 0).points, 0u);
}

// A truncated series: F3 and F4 count every sample, kept or not (the peaks are tracked beside the series).
TEST(TimelineF3, APeakThatATruncatedSeriesDroppedJoinsThePlateau) {
  const std::vector<TimelinePoint> kept = {at(995000, 2000), at(500000, 100)};
  const PlateauF3 f3 = whole_phase_f3(kept, 1000000, 1000);
  EXPECT_EQ(f3.points, 2u);  // the kept point within 1% of the peak, and the peak's own sample
  EXPECT_DOUBLE_EQ(f3.lowest, 995000.0 / 2000);
  EXPECT_TRUE(f3.in_series);
  EXPECT_DOUBLE_EQ(f3.highest, 1000.0);
  const PlateauF3 alone = whole_phase_f3({at(500000, 100)}, 1000000, 4000);
  EXPECT_EQ(alone.points, 1u);
  EXPECT_DOUBLE_EQ(alone.lowest, 250.0);
  EXPECT_FALSE(alone.in_series) << "F3 taken at a sample the series does not hold has no index";
}

TEST(TimelineF3, AKeptPeakIsNotCountedTwice) {
  const std::vector<TimelinePoint> kept = {at(1000000, 1000), at(999000, 4000)};
  const PlateauF3 f3 = whole_phase_f3(kept, 1000000, 1000);
  EXPECT_EQ(f3.points, 2u);
  EXPECT_EQ(f3.index, 1u);
  EXPECT_TRUE(f3.in_series);
}

}  // namespace
}  // namespace vmbench
