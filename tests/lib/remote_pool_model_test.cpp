// RemoteFreePool against the pool's reference model (tests/model/pool_model.hpp), on one thread: about
// half the frees go through free_remote(), so the model predicts every take-over of the remote list
// (when, and which slots come back in which order) besides everything it predicts for a BasicPool.
// The threads themselves are tested in thread_stress_test.cpp; this is the deterministic part.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "../model/pool_model.hpp"
#include "vmb/remote_free_pool.hpp"

namespace vmb {
namespace {

constexpr int kSteps = 8000;
constexpr int kVerifyEverySteps = 250;

struct RemoteCase {
  std::size_t slot_bytes;
  std::size_t step_pages;
  bool checks;
  std::uint64_t seed;
};

void PrintTo(const RemoteCase& c, std::ostream* os) {
  *os << c.slot_bytes << "-byte slots, " << c.step_pages << "-page steps, checks " << (c.checks ? "on" : "off")
      << ", seed " << c.seed;
}

std::string case_name(const ::testing::TestParamInfo<RemoteCase>& info) {
  const RemoteCase& c = info.param;
  return "slot" + std::to_string(c.slot_bytes) + "_step" + std::to_string(c.step_pages) + "p_" +
         (c.checks ? "checks" : "nochecks") + "_seed" + std::to_string(c.seed);
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
  EXPECT_GT(checker.takeovers(), 0u) << "the run never took the remote list over";
}

// checks on: CheckedRemoteFreePool (which counts too); off: UncheckedRemoteFreePool.
class RemoteFreePoolModel : public ::testing::TestWithParam<RemoteCase> {};

TEST_P(RemoteFreePoolModel, MatchesTheModel) {
  const RemoteCase& c = GetParam();
  const std::size_t page = os::page_size();
  PoolOptions options;
  options.slot_bytes = c.slot_bytes;
  options.reserve_bytes = 16 * page;  // small enough to be filled again and again
  options.commit_step_bytes = c.step_pages * page;
  options.retain_bytes = 3 * page;
  if (c.checks) {
    run_model<CheckedRemoteFreePool>(options, c.seed);
  } else {
    run_model<UncheckedRemoteFreePool>(options, c.seed);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RemoteFreePoolModel,
                         ::testing::Values(RemoteCase{48, 1, false, 11}, RemoteCase{48, 1, true, 12},
                                           RemoteCase{16, 2, true, 13}, RemoteCase{256, 4, false, 14},
                                           RemoteCase{1000, 1, true, 15}, RemoteCase{64, 16, false, 16}),
                         case_name);

}  // namespace
}  // namespace vmb
