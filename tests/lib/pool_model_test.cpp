// Pool against a reference model: thousands of random allocates and frees (and the odd reset), with a
// fixed seed. The model (the set of live slots, the free list as a stack, the untouched tail) predicts
// every address handed out, every counter and exhaustion exactly; every live slot carries a byte
// pattern that is verified periodically, and with checks on every freed slot must hold the fill.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "vmb/config.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmb {
namespace {

constexpr int kSteps = 8000;
constexpr int kVerifyEverySteps = 250;

std::size_t round_up(std::size_t x, std::size_t unit) { return (x + unit - 1) / unit * unit; }

auto fields(const PoolStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.allocations, s.frees, s.live_slots, s.peak_live_slots);
}

unsigned char pattern(unsigned char fill, std::size_t i) {
  return static_cast<unsigned char>(fill + i * 13);
}

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

class PoolModel : public ::testing::TestWithParam<PoolCase> {
 protected:
  void SetUp() override {
    const PoolCase& c = GetParam();
    page_ = os::page_size();
    options_.slot_bytes = c.slot_bytes;
    options_.slot_align = c.slot_align;
    options_.reserve_bytes = 16 * page_;  // small enough to be filled again and again
    options_.commit_step_bytes = c.step_pages * page_;
    options_.retain_bytes = 3 * page_;
    options_.checks = c.checks;
    rng_.seed(c.seed);
  }

  std::string where() const { return "step " + std::to_string(step_); }

  // The address the next allocate() must return, or null if the pool is exhausted.
  std::byte* predict() const {
    if (!free_stack_.empty()) return free_stack_.back();
    if ((tail_slots_ + 1) * stride_ > capacity_) return nullptr;
    return base_ + tail_slots_ * stride_;
  }

  void allocate(Pool& pool) {
    std::byte* expected = predict();
    const PoolStats before = pool.stats();
    void* p = pool.allocate();
    if (expected == nullptr) {
      ASSERT_EQ(p, nullptr) << where();
      ASSERT_EQ(pool.last_error(), Error::exhausted) << where();
      ASSERT_EQ(fields(pool.stats()), fields(before)) << where();
      ++exhausted_;
      return;
    }
    ASSERT_EQ(p, expected) << where();
    ASSERT_TRUE(live_.insert(expected).second) << where() << ": handed out a live slot";
    if (!free_stack_.empty()) {
      free_stack_.pop_back();
    } else {
      ++tail_slots_;
      const std::size_t end = tail_slots_ * stride_;
      if (end > committed_) {
        const std::size_t to = std::min(round_up(end, options_.commit_step_bytes), capacity_);
        ++stats_.commit_calls;
        stats_.committed_bytes += to - committed_;
        committed_ = to;
        stats_.peak_committed_bytes = std::max(stats_.peak_committed_bytes, committed_);
      }
    }
    ++stats_.allocations;
    ++stats_.live_slots;
    stats_.peak_live_slots = std::max(stats_.peak_live_slots, stats_.live_slots);
    const auto fill = static_cast<unsigned char>(++fills_ * 29);
    auto* bytes = static_cast<unsigned char*>(p);
    for (std::size_t i = 0; i < stride_; ++i) bytes[i] = pattern(fill, i);
    fill_[expected] = fill;
    order_.push_back(expected);
  }

  void free_one(Pool& pool) {
    if (order_.empty()) return;
    const std::size_t i = rng_() % order_.size();
    std::byte* p = order_[i];
    order_[i] = order_.back();
    order_.pop_back();
    pool.free(p);
    live_.erase(p);
    fill_.erase(p);
    free_stack_.push_back(p);
    ++stats_.frees;
    --stats_.live_slots;
  }

  void reset(Pool& pool) {
    pool.reset();
    live_.clear();
    fill_.clear();
    order_.clear();
    free_stack_.clear();
    tail_slots_ = 0;
    stats_.live_slots = 0;
    const std::size_t keep =
        std::min(round_up(options_.retain_bytes, options_.commit_step_bytes), capacity_);
    if (keep < committed_) {
      ++stats_.decommit_calls;
      stats_.committed_bytes -= committed_ - keep;
      committed_ = keep;
    }
  }

  void verify(const Pool& pool) {
    for (std::byte* p : live_) {
      ASSERT_TRUE(pool.owns(p)) << where();
      ASSERT_EQ(static_cast<std::size_t>(p - base_) % stride_, 0u) << where();
      const auto* bytes = reinterpret_cast<const unsigned char*>(p);
      const unsigned char fill = fill_.at(p);
      for (std::size_t i = 0; i < stride_; ++i) {
        ASSERT_EQ(bytes[i], pattern(fill, i)) << where() << ": live slot byte " << i;
      }
    }
    // Distinct slot starts, stride apart from one base, cannot overlap; and none may be free too.
    for (std::byte* p : free_stack_) ASSERT_EQ(live_.count(p), 0u) << where();
    if (!GetParam().checks) return;
    std::vector<unsigned char> copy(stride_);
    for (std::byte* p : free_stack_) {
      VMB_UNPOISON(p, stride_);
      std::memcpy(copy.data(), p, stride_);
      VMB_POISON(p, stride_);
      for (std::size_t i = sizeof(void*); i < stride_; ++i) {
        ASSERT_EQ(copy[i], kFreedSlotFill) << where() << ": freed slot byte " << i;
      }
    }
  }

  void run(Pool& pool) {
    // The first slot of a fresh pool is its base: the model's origin. Freeing it starts the free list.
    base_ = static_cast<std::byte*>(pool.allocate());
    ASSERT_NE(base_, nullptr);
    pool.free(base_);
    stride_ = pool.slot_bytes();
    capacity_ = round_up(options_.reserve_bytes, page_);
    free_stack_.push_back(base_);
    tail_slots_ = 1;
    stats_ = pool.stats();
    committed_ = stats_.committed_bytes;

    for (step_ = 0; step_ < kSteps; ++step_) {
      const unsigned op = static_cast<unsigned>(rng_() % 100);
      if (op < 52) {
        allocate(pool);
      } else if (op < 92) {
        free_one(pool);
      } else if (op < 93) {
        // Fill the pool: exhaustion must be met exactly where the model says.
        const int exhausted = exhausted_;
        while (exhausted_ == exhausted && !HasFatalFailure()) allocate(pool);
      } else if (op < 94) {
        for (int k = 0; k < 300 && !HasFatalFailure(); ++k) allocate(pool);
      } else if (op < 96) {
        for (std::size_t k = order_.size() / 2; k > 0; --k) free_one(pool);
      } else if (op < 97) {
        reset(pool);
      } else {
        pool.free(nullptr);
      }
      if (HasFatalFailure()) return;
      ASSERT_EQ(fields(pool.stats()), fields(stats_)) << where();
      if (step_ % kVerifyEverySteps == 0) verify(pool);
      if (HasFatalFailure()) return;
    }
    verify(pool);
    EXPECT_GT(exhausted_, 0) << "the run never reached exhaustion";
    // Exhaustion means an empty free list and a full tail: every slot of the reservation was live.
    EXPECT_EQ(stats_.peak_live_slots, capacity_ / stride_);
  }

  PoolOptions options_;
  std::size_t page_ = 0;
  std::mt19937_64 rng_;
  std::byte* base_ = nullptr;
  std::size_t stride_ = 0;
  std::size_t capacity_ = 0;
  std::size_t tail_slots_ = 0;
  std::size_t committed_ = 0;
  PoolStats stats_;
  std::set<std::byte*> live_;
  std::map<std::byte*, unsigned char> fill_;
  std::vector<std::byte*> order_;       // live slots, for picking one at random
  std::vector<std::byte*> free_stack_;  // the free list: the back is handed out next
  unsigned fills_ = 0;
  int step_ = 0;
  int exhausted_ = 0;
};

TEST_P(PoolModel, MatchesTheModel) {
  Pool pool(options_);
  ASSERT_TRUE(pool.ok());
  run(pool);
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
