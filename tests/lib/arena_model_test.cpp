// Arenas against the reference model (tests/model/arena_model.hpp): thousands of seeded random
// pushes (random size and alignment), pops, scope begins and ends, grow_last, clear and
// decommit_unused. Small reservations, so that exhaustion is met now and then.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../model/arena_model.hpp"
#include "vmb/os.hpp"

namespace vmb {
namespace {

constexpr int kSteps = 6000;

struct RunCounts {
  int failed_pushes;
  int ok_pushes;
};

// Runs the seeded operations; fails the test at the first mismatch with the model.
RunCounts run_against_model(Arena& arena, std::size_t step_bytes, std::size_t retain_bytes, std::uint64_t seed) {
  model::RandomChoices choices(seed);
  model::ArenaChecker checker(arena, step_bytes, retain_bytes, choices, model::ArenaChecker::Limits{});
  for (int i = 0; i < kSteps; ++i) {
    if (!checker.step()) break;
  }
  checker.finish();
  EXPECT_EQ(checker.failure(), "");
  return {checker.pushes_that_failed(), checker.pushes_that_succeeded()};
}

class ArenaModel : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(ArenaModel, VirtualArenaWithPageStepsMatchesTheModel) {
  ArenaOptions o;
  o.reserve_bytes = 512 * KiB;  // small enough to be exhausted now and then
  o.commit_step_bytes = os::page_size();
  o.retain_bytes = 16 * KiB;
  VirtualArena arena(o);
  ASSERT_TRUE(arena.ok());
  const RunCounts counts = run_against_model(arena, os::page_size(), o.retain_bytes, GetParam());
  EXPECT_GT(counts.failed_pushes, 0) << "the run never reached exhaustion";
  EXPECT_GT(counts.ok_pushes, 1000);
}

TEST_P(ArenaModel, VirtualArenaWithLargeStepsAndGuardPageMatchesTheModel) {
  ArenaOptions o;
  o.reserve_bytes = 300 * KiB;  // not a multiple of the step: the last commit is clipped
  o.commit_step_bytes = 64 * KiB;
  o.retain_bytes = 100 * KiB;
  o.guard_page = true;
  VirtualArena arena(o);
  ASSERT_TRUE(arena.ok());
  EXPECT_GT(run_against_model(arena, 64 * KiB, o.retain_bytes, GetParam() + 1000).failed_pushes, 0);
}

TEST_P(ArenaModel, FixedArenaMatchesTheModel) {
  std::vector<unsigned char> buffer(256 * KiB + 3);
  FixedArena arena(buffer.data() + 3, buffer.size() - 3);  // deliberately misaligned start
  EXPECT_GT(run_against_model(arena, 0, 0, GetParam() + 2000).failed_pushes, 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ArenaModel, ::testing::Values(1u, 2u, 3u, 20240601u),
                         [](const ::testing::TestParamInfo<std::uint64_t>& seed) {
                           return "seed_" + std::to_string(seed.param);
                         });

}  // namespace
}  // namespace vmb
