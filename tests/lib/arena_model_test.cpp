// Arenas against a reference model: thousands of random pushes (random size and alignment), pops,
// scope begins and ends, grow_last, clear and decommit_unused, with a fixed seed. The model predicts
// every address, the position, every counter and every failure exactly; each live block carries a
// byte pattern that is verified periodically, and live blocks must never overlap.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "vmb/arena.hpp"
#include "vmb/os.hpp"

namespace vmb {
namespace {

constexpr int kSteps = 6000;
constexpr int kVerifyEverySteps = 250;

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

std::size_t round_up(std::size_t x, std::size_t unit) { return (x + unit - 1) / unit * unit; }

auto fields(const ArenaStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.pushed_bytes, s.pushes);
}

unsigned char pattern(unsigned char fill, std::size_t i) {
  return static_cast<unsigned char>(fill + i * 7);
}

struct Block {
  unsigned char* p;
  std::size_t size;
  std::size_t pos_before;  // the arena position before the push: popping to it frees this block
  unsigned char fill;
};

struct OpenScope {
  std::unique_ptr<ArenaScope> scope;
  std::size_t pos;
  std::size_t blocks;  // live blocks when it began
};

// What the arena should look like. step_bytes == 0 models a FixedArena (committed from the start).
class Model {
 public:
  Model(std::uintptr_t base, std::size_t capacity, std::size_t step_bytes, std::size_t retain_bytes,
        const ArenaStats& initial)
      : base_(base), capacity_(capacity), step_(step_bytes), retain_(retain_bytes), stats_(initial) {
    committed_ = step_ == 0 ? capacity : 0;
  }

  // Where push(size, align) must land, or 0 if the arena is exhausted.
  std::uintptr_t predict(std::size_t size, std::size_t align) const {
    const std::uintptr_t p = round_up(base_ + pos_, align);
    if (p + size > base_ + capacity_) return 0;
    return p;
  }
  // pushed_bytes is how far the position has moved forward over the arena's life, padding included;
  // pops move it back without taking anything off.
  void pushed(std::uintptr_t p, std::size_t size) {
    const std::size_t end = p + size - base_;
    stats_.pushed_bytes += end - pos_;
    if (VMB_COUNT_PUSHES) ++stats_.pushes;
    advance_to(end);
  }
  void grown(std::size_t new_end) {
    stats_.pushed_bytes += new_end - pos_;
    advance_to(new_end);
  }
  void popped(std::size_t pos) { pos_ = pos; }
  void cleared() {
    pos_ = 0;
    decommit_above(retain_);
  }
  void decommitted_unused() { decommit_above(0); }

  std::size_t pos() const { return pos_; }
  std::uintptr_t base() const { return base_; }
  std::size_t capacity() const { return capacity_; }
  const ArenaStats& stats() const { return stats_; }

 private:
  void advance_to(std::size_t end) {
    pos_ = end;
    if (step_ == 0 || end <= committed_) return;
    const std::size_t to = std::min(round_up(end, step_), capacity_);
    ++stats_.commit_calls;
    stats_.committed_bytes += to - committed_;
    committed_ = to;
    stats_.peak_committed_bytes = std::max(stats_.peak_committed_bytes, stats_.committed_bytes);
  }
  void decommit_above(std::size_t keep_bytes) {
    if (step_ == 0) return;
    const std::size_t keep = std::min(round_up(std::max(keep_bytes, pos_), step_), capacity_);
    if (keep >= committed_) return;
    ++stats_.decommit_calls;
    stats_.committed_bytes -= committed_ - keep;
    committed_ = keep;
  }

  std::uintptr_t base_;
  std::size_t capacity_;
  std::size_t step_;
  std::size_t retain_;
  std::size_t pos_ = 0;
  std::size_t committed_ = 0;
  ArenaStats stats_;
};

class ModelRun {
 public:
  ModelRun(Arena& arena, std::size_t step_bytes, std::size_t retain_bytes, std::uint64_t seed)
      : arena_(arena),
        rng_(seed),
        base_(find_base(arena)),  // before model_ (declaration order): it counts as a push
        model_(base_, arena.capacity(), step_bytes, retain_bytes, arena.stats()) {}

  void run() {
    for (step_ = 0; step_ < kSteps; ++step_) {
      const unsigned op = static_cast<unsigned>(rng_() % 100);
      if (op < 50) {
        push();
      } else if (op < 58) {
        pop();
      } else if (op < 64) {
        begin_scope();
      } else if (op < 71) {
        end_scope();
      } else if (op < 80) {
        grow_last();
      } else if (op < 83) {
        clear();
      } else if (op < 86) {
        decommit_unused();
      } else if (op < 90) {
        bad_push();
      } else if (op < 93) {
        pop_beyond();
      } else if (op < 98) {
        push_zeroed();
      } else {
        push_until_exhausted();
      }
      if (::testing::Test::HasFatalFailure()) return;
      check_state();
      if (::testing::Test::HasFatalFailure()) return;
      if (step_ % kVerifyEverySteps == 0) verify_blocks();
      if (::testing::Test::HasFatalFailure()) return;
    }
    verify_blocks();
    while (!scopes_.empty()) end_scope();
    check_state();
  }

  int pushes_that_failed() const { return failed_pushes_; }
  int pushes_that_succeeded() const { return ok_pushes_; }

 private:
  // A zero-byte push at position 0 returns the base without moving: the model's origin.
  static std::uintptr_t find_base(Arena& arena) {
    void* p = arena.push(0, 1);
    return addr(p);
  }

  std::string where() const { return "step " + std::to_string(step_); }

  std::size_t random_size() {
    switch (rng_() % 8) {
      case 0: return 0;
      case 1:
      case 2: return rng_() % 8;
      case 3:
      case 4: return rng_() % 200;
      case 5:
      case 6: return rng_() % 5000;
      default: return rng_() % 60000;
    }
  }
  std::size_t random_align() { return std::size_t{1} << (rng_() % 13); }  // 1 .. 4096

  unsigned char next_fill() { return static_cast<unsigned char>(++fills_ * 37); }

  void write(const Block& b) {
    for (std::size_t i = 0; i < b.size; ++i) b.p[i] = pattern(b.fill, i);
  }

  void push_block(std::size_t size, std::size_t align, bool zeroed) {
    const std::size_t pos_before = model_.pos();
    const std::uintptr_t expected = model_.predict(size, align);
    const ArenaStats before = arena_.stats();
    void* p = zeroed ? arena_.push_zeroed(size, align) : arena_.push(size, align);
    if (expected == 0) {
      ASSERT_EQ(p, nullptr) << where() << ": push(" << size << ", " << align << ") should fail";
      ASSERT_EQ(arena_.last_error(), Error::exhausted) << where();
      ASSERT_EQ(fields(arena_.stats()), fields(before)) << where();
      ++failed_pushes_;
      return;
    }
    ASSERT_EQ(addr(p), expected) << where() << ": push(" << size << ", " << align << ")";
    ++ok_pushes_;
    model_.pushed(expected, size);
    Block b{static_cast<unsigned char*>(p), size, pos_before, next_fill()};
    if (zeroed) {
      for (std::size_t i = 0; i < size; ++i) ASSERT_EQ(b.p[i], 0) << where() << " byte " << i;
    }
    write(b);
    blocks_.push_back(b);
  }
  void push() {
    const std::size_t size = random_size();
    push_block(size, random_align(), false);
  }
  void push_zeroed() {
    const std::size_t size = random_size();
    push_block(size, random_align(), true);
  }

  // Fill the arena: exhaustion must be met, at a position the model predicts.
  void push_until_exhausted() {
    const int failed = failed_pushes_;
    for (int i = 0; i < 10000 && failed_pushes_ == failed && !::testing::Test::HasFatalFailure(); ++i) {
      push();
    }
  }

  // Blocks at or above this index were pushed inside the innermost open scope (or there is none).
  std::size_t first_poppable_block() const { return scopes_.empty() ? 0 : scopes_.back().blocks; }

  void pop() {
    const std::size_t first = first_poppable_block();
    if (blocks_.size() <= first) return;
    const std::size_t i = first + rng_() % (blocks_.size() - first);
    const std::size_t pos = blocks_[i].pos_before;
    ASSERT_TRUE(arena_.pop_to(pos)) << where();
    blocks_.resize(i);
    model_.popped(pos);
  }

  void pop_beyond() {
    const ArenaStats before = arena_.stats();
    ASSERT_FALSE(arena_.pop_to(model_.pos() + 1 + rng_() % 1000)) << where();
    ASSERT_EQ(fields(arena_.stats()), fields(before)) << where();
  }

  void begin_scope() {
    if (scopes_.size() >= 8) return;
    scopes_.push_back({std::make_unique<ArenaScope>(arena_), model_.pos(), blocks_.size()});
    ASSERT_EQ(scopes_.back().scope->saved_pos(), model_.pos()) << where();
  }

  void end_scope() {
    if (scopes_.empty()) return;
    const OpenScope& s = scopes_.back();
    const std::size_t pos = s.pos;
    blocks_.resize(s.blocks);
    scopes_.pop_back();  // ends the ArenaScope
    model_.popped(pos);
  }

  void clear() {
    if (!scopes_.empty()) return end_scope();  // clearing under an open scope is not LIFO use
    arena_.clear();
    blocks_.clear();
    model_.cleared();
  }

  void decommit_unused() {
    arena_.decommit_unused();
    model_.decommitted_unused();
  }

  void grow_last() {
    if (blocks_.size() <= first_poppable_block()) return;
    Block& b = blocks_.back();
    const bool is_last = addr(b.p) + b.size == model_.base() + model_.pos();
    const std::size_t new_size = (rng_() % 2 == 0) ? b.size / 2 : b.size + rng_() % 9000;
    const ArenaStats before = arena_.stats();
    const bool grew = arena_.grow_last(b.p, b.size, new_size);
    if (!is_last) {  // padding after the block: a later block was popped
      ASSERT_FALSE(grew) << where();
      ASSERT_EQ(fields(arena_.stats()), fields(before)) << where();
      return;
    }
    const std::size_t offset = addr(b.p) - model_.base();
    if (new_size > b.size && offset + new_size > model_.capacity()) {
      ASSERT_FALSE(grew) << where();
      ASSERT_EQ(arena_.last_error(), Error::exhausted) << where();
      ASSERT_EQ(fields(arena_.stats()), fields(before)) << where();
      return;
    }
    ASSERT_TRUE(grew) << where() << ": grow_last " << b.size << " -> " << new_size;
    if (new_size > b.size) {
      model_.grown(offset + new_size);
    } else {
      model_.popped(offset + new_size);
    }
    b.size = new_size;
    write(b);
  }

  void bad_push() {
    const ArenaStats before = arena_.stats();
    if (rng_() % 2 == 0) {
      const std::size_t align = (rng_() % 2 == 0) ? 0 : 3 + 2 * (rng_() % 1000);  // odd, > 1
      ASSERT_EQ(arena_.push(rng_() % 100, align), nullptr) << where();
      ASSERT_EQ(arena_.last_error(), Error::bad_alignment) << where();
    } else {
      ASSERT_EQ(arena_.push(SIZE_MAX - rng_() % 4096, random_align()), nullptr) << where();
      ASSERT_EQ(arena_.last_error(), Error::size_overflow) << where();
    }
    ASSERT_EQ(fields(arena_.stats()), fields(before)) << where();
  }

  void check_state() {
    ASSERT_EQ(arena_.pos(), model_.pos()) << where();
    ASSERT_EQ(fields(arena_.stats()), fields(model_.stats())) << where();
  }

  void verify_blocks() {
    const std::uintptr_t begin = model_.base();
    const std::uintptr_t end = begin + model_.pos();
    std::uintptr_t previous_end = begin;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const Block& b = blocks_[k];
      ASSERT_GE(addr(b.p), previous_end) << where() << ": block " << k << " overlaps its predecessor";
      ASSERT_LE(addr(b.p) + b.size, end) << where() << ": block " << k << " beyond pos";
      previous_end = addr(b.p) + b.size;
      for (std::size_t i = 0; i < b.size; ++i) {
        ASSERT_EQ(b.p[i], pattern(b.fill, i)) << where() << ": block " << k << " byte " << i;
      }
    }
  }

  Arena& arena_;
  std::mt19937_64 rng_;
  std::uintptr_t base_;
  Model model_;
  std::vector<Block> blocks_;
  std::vector<OpenScope> scopes_;
  unsigned fills_ = 0;
  int step_ = 0;
  int failed_pushes_ = 0;
  int ok_pushes_ = 0;
};

class ArenaModel : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(ArenaModel, VirtualArenaWithPageStepsMatchesTheModel) {
  ArenaOptions o;
  o.reserve_bytes = 512 * KiB;  // small enough to be exhausted now and then
  o.commit_step_bytes = os::page_size();
  o.retain_bytes = 16 * KiB;
  VirtualArena arena(o);
  ASSERT_TRUE(arena.ok());
  ModelRun run(arena, os::page_size(), o.retain_bytes, GetParam());
  run.run();
  EXPECT_GT(run.pushes_that_failed(), 0) << "the run never reached exhaustion";
  EXPECT_GT(run.pushes_that_succeeded(), 1000);
}

TEST_P(ArenaModel, VirtualArenaWithLargeStepsAndGuardPageMatchesTheModel) {
  ArenaOptions o;
  o.reserve_bytes = 300 * KiB;  // not a multiple of the step: the last commit is clipped
  o.commit_step_bytes = 64 * KiB;
  o.retain_bytes = 100 * KiB;
  o.guard_page = true;
  VirtualArena arena(o);
  ASSERT_TRUE(arena.ok());
  ModelRun run(arena, 64 * KiB, o.retain_bytes, GetParam() + 1000);
  run.run();
  EXPECT_GT(run.pushes_that_failed(), 0);
}

TEST_P(ArenaModel, FixedArenaMatchesTheModel) {
  std::vector<unsigned char> buffer(256 * KiB + 3);
  FixedArena arena(buffer.data() + 3, buffer.size() - 3);  // deliberately misaligned start
  ModelRun run(arena, 0, 0, GetParam() + 2000);
  run.run();
  EXPECT_GT(run.pushes_that_failed(), 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ArenaModel, ::testing::Values(1u, 2u, 3u, 20240601u),
                         [](const ::testing::TestParamInfo<std::uint64_t>& seed) {
                           return "seed_" + std::to_string(seed.param);
                         });

}  // namespace
}  // namespace vmb
