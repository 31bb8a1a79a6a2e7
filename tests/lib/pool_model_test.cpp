// The pool against its reference model (tests/model/pool_model.hpp): thousands of seeded random
// operations per case, over slot sizes, alignments, commit steps and both policies (CheckedPool,
// UncheckedPool). The reservation
// is small so that it is filled (and exhaustion met) again and again.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "../model/pool_model.hpp"

namespace vmb {
namespace {

constexpr int kSteps = 8000;
constexpr int kVerifyEverySteps = 250;

struct PoolCase {
  std::size_t slot_bytes;
  std::size_t slot_align;
  std::size_t step_pages;
  bool checks;
  std::uint64_t seed;
};

void PrintTo(const PoolCase& c, std::ostream* os) {
  *os << c.slot_bytes << "-byte slots aligned to " << c.slot_align << ", " << c.step_pages
      << "-page steps, checks " << (c.checks ? "on" : "off") << ", seed " << c.seed;
}

std::string case_name(const ::testing::TestParamInfo<PoolCase>& info) {
  const PoolCase& c = info.param;
  return "slot" + std::to_string(c.slot_bytes) + "_align" + std::to_string(c.slot_align) + "_step" +
         std::to_string(c.step_pages) + "p_" + (c.checks ? "checks" : "nochecks") + "_seed" +
         std::to_string(c.seed);
}

template <class AnyPool>
void run_model(const PoolOptions& options, std::uint64_t seed) {
  AnyPool pool(options);
  ASSERT_TRUE(pool.ok());
  model::RandomChoices choices(seed);
  model::PoolChecker<AnyPool> checker(pool, options, choices, kVerifyEverySteps);
  ASSERT_TRUE(checker.start()) << checker.failure();
  for (int i = 0; i < kSteps; ++i) ASSERT_TRUE(checker.step()) << checker.failure();
  ASSERT_TRUE(checker.finish()) << checker.failure();
  EXPECT_GT(checker.exhaustions(), 0) << "the run never reached exhaustion";
  // Exhaustion means an empty free list and a full tail: every slot of the reservation was live.
  EXPECT_EQ(checker.peak_live_slots(), checker.capacity_slots());
}

// checks on: CheckedPool (which counts too); off: UncheckedPool (which does not count).
class PoolModel : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolModel, MatchesTheModel) {
  const PoolCase& c = GetParam();
  const std::size_t page = os::page_size();
  PoolOptions options;
  options.slot_bytes = c.slot_bytes;
  options.slot_align = c.slot_align;
  options.reserve_bytes = 16 * page;  // small enough to be filled again and again
  options.commit_step_bytes = c.step_pages * page;
  options.retain_bytes = 3 * page;
  if (c.checks) {
    run_model<CheckedPool>(options, c.seed);
  } else {
    run_model<UncheckedPool>(options, c.seed);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, PoolModel,
    ::testing::Values(PoolCase{48, 16, 1, false, 1}, PoolCase{48, 16, 1, true, 2},
                      PoolCase{8, 8, 1, true, 3}, PoolCase{100, 64, 4, false, 4},
                      PoolCase{100, 64, 4, true, 5}, PoolCase{24, 8, 16, true, 6},
                      PoolCase{1000, 8, 2, true, 7}, PoolCase{4096, 4096, 1, false, 8}),
    case_name);

}  // namespace
}  // namespace vmb
