// A cell's deadline counts the time it had to run: a stop of vmbench itself (SIGSTOP, Ctrl-Z, a
// suspended machine) is one long step between two looks at the clock, and is not counted whole.
#include "cell_deadline.hpp"

#include <gtest/gtest.h>

namespace vmbench {
namespace {

constexpr double kLookS = 0.05;  // how often the parent looks at the clock

TEST(CellDeadline, PassesAfterTheTimeoutOfSteadyLooks) {
  CellDeadline d(100.0, 1.0);
  double now = 100.0;
  int looks = 0;
  while (!d.passed(now += kLookS)) ++looks;
  EXPECT_EQ(looks, 20);  // 1 s of 50 ms looks, then past it
}

TEST(CellDeadline, AStopOfTheParentIsNotCountedWhole) {
  CellDeadline d(100.0, 2.0);
  EXPECT_FALSE(d.passed(100.1));
  EXPECT_FALSE(d.passed(100.1 + 600));  // vmbench stopped for ten minutes
  EXPECT_NEAR(d.counted_s(), 0.1 + kMaxCountedStepS, 1e-9);
}

TEST(CellDeadline, NoTimeoutNeverPasses) {
  CellDeadline d(0.0, 0.0);
  EXPECT_FALSE(d.passed(1e9));
}

}  // namespace
}  // namespace vmbench
