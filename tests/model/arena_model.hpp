// Arenas against a reference model. The model predicts every address a push returns, the position,
// every counter and every failure exactly; each live block carries a byte pattern that is verified
// periodically, and live blocks must never overlap. Operations: pushes of any size and alignment,
// pops, scopes, grow_last, clear, decommit_unused, invalid pushes and pops.
// grow_last is accepted for exactly the block the most recent push returned, as long as no pop went
// below its start; any other pointer is refused with bad_pointer.
// Driven by tests/lib/arena_model_test.cpp (seeded) and tests/fuzz/arena_fuzz.cpp (libFuzzer).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "choices.hpp"
#include "vmb/arena.hpp"

namespace vmb::model {

// Every counter, for comparing with ==, and for messages.
inline auto fields(const ArenaStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.pushed_bytes, s.pushes);
}
inline std::string describe(const ArenaStats& s) {
  return "reserved " + std::to_string(s.reserved_bytes) + " committed " + std::to_string(s.committed_bytes) +
         " peak " + std::to_string(s.peak_committed_bytes) + " commits " + std::to_string(s.commit_calls) +
         " decommits " + std::to_string(s.decommit_calls) + " pushed " + std::to_string(s.pushed_bytes) +
         " pushes " + std::to_string(s.pushes);
}

class ArenaModel {
 public:
  // step_bytes == 0 models a FixedArena (everything committed from the start).
  ArenaModel(std::uintptr_t base, std::size_t capacity, std::size_t step_bytes, std::size_t retain_bytes,
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

  static std::size_t round_up(std::size_t x, std::size_t unit) { return (x + unit - 1) / unit * unit; }

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

// Runs operations chosen by `choices` on a real arena and on the model, checking after each.
class ArenaChecker {
 public:
  struct Limits {
    std::size_t max_size = 60000;     // largest push tried
    int verify_every_steps = 250;     // byte patterns are checked this often (and at finish)
    int max_pushes_to_exhaust = 10000;
  };

  ArenaChecker(Arena& arena, std::size_t step_bytes, std::size_t retain_bytes, Choices& choices, Limits limits)
      : arena_(arena),
        choices_(choices),
        limits_(limits),
        base_(find_base(arena)),  // before model_ (declaration order): it counts as a push
        model_(base_, arena.capacity(), step_bytes, retain_bytes, arena.stats()),
        newest_(base_) {}

  // One operation and the checks after it; false once a check has failed.
  bool step() {
    if (!failure_.empty()) return false;
    const std::uint64_t op = choices_.below(100);
    const bool ok = op < 50   ? push(false)
                    : op < 58 ? pop()
                    : op < 64 ? begin_scope()
                    : op < 71 ? end_scope()
                    : op < 80 ? grow_last()
                    : op < 83 ? clear()
                    : op < 86 ? decommit_unused()
                    : op < 90 ? bad_push()
                    : op < 93 ? pop_beyond()
                    : op < 98 ? push(true)
                              : push_until_exhausted();
    return ok && check_state() && (++steps_ % limits_.verify_every_steps != 0 || verify_blocks());
  }

  // The end of a run: every block verified, every scope ended (which must restore the position).
  bool finish() {
    if (!failure_.empty() || !verify_blocks()) return false;
    while (!scopes_.empty()) end_scope();
    return check_state();
  }

  const std::string& failure() const { return failure_; }
  int pushes_that_failed() const { return failed_pushes_; }
  int pushes_that_succeeded() const { return ok_pushes_; }

 private:
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

  static std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }
  static unsigned char pattern(unsigned char fill, std::size_t i) { return static_cast<unsigned char>(fill + i * 7); }

  // A zero-byte push at position 0 returns the base without moving: the model's origin.
  static std::uintptr_t find_base(Arena& arena) { return addr(arena.push(0, 1)); }

  bool fail(const std::string& what) {
    failure_ = "step " + std::to_string(steps_) + ": " + what;
    return false;
  }
  bool stats_unchanged(const ArenaStats& before, const char* op) {
    VMB_MODEL_CHECK(fields(arena_.stats()) == fields(before),
                    std::string(op) + " failed but changed the stats: " + describe(arena_.stats()));
    return true;
  }

  std::size_t random_size() {
    const std::size_t max = limits_.max_size;
    switch (choices_.below(8)) {
      case 0: return 0;
      case 1:
      case 2: return choices_.below(8);
      case 3:
      case 4: return choices_.below(std::min<std::size_t>(200, max + 1));
      case 5:
      case 6: return choices_.below(std::min<std::size_t>(5000, max + 1));
      default: return choices_.below(max + 1);
    }
  }
  std::size_t random_align() { return std::size_t{1} << choices_.below(13); }  // 1 .. 4096
  unsigned char next_fill() { return static_cast<unsigned char>(++fills_ * 37); }

  void write(const Block& b) {
    for (std::size_t i = 0; i < b.size; ++i) b.p[i] = pattern(b.fill, i);
  }

  bool push(bool zeroed) {
    const std::size_t size = random_size();
    const std::size_t align = random_align();
    const std::string call = "push(" + std::to_string(size) + ", " + std::to_string(align) + ")";
    const std::size_t pos_before = model_.pos();
    const std::uintptr_t expected = model_.predict(size, align);
    const ArenaStats before = arena_.stats();
    void* p = zeroed ? arena_.push_zeroed(size, align) : arena_.push(size, align);
    if (expected == 0) {
      VMB_MODEL_CHECK(p == nullptr, call + " should fail: the arena is exhausted");
      VMB_MODEL_CHECK(arena_.last_error() == Error::exhausted, call + ": last_error should be exhausted");
      ++failed_pushes_;
      return stats_unchanged(before, "push");
    }
    VMB_MODEL_CHECK(addr(p) == expected, call + " returned " + std::to_string(addr(p) - model_.base()) +
                                             " from the base, the model says " +
                                             std::to_string(expected - model_.base()));
    ++ok_pushes_;
    model_.pushed(expected, size);
    newest_ = expected;
    Block b{static_cast<unsigned char*>(p), size, pos_before, next_fill()};
    if (zeroed) {
      for (std::size_t i = 0; i < size; ++i) VMB_MODEL_CHECK(b.p[i] == 0, call + ": zeroed push byte " + std::to_string(i));
    }
    write(b);
    blocks_.push_back(b);
    return true;
  }

  // Fill the arena: exhaustion must be met, at a position the model predicts.
  bool push_until_exhausted() {
    const int failed = failed_pushes_;
    for (int i = 0; i < limits_.max_pushes_to_exhaust && failed_pushes_ == failed; ++i) {
      if (!push(false)) return false;
    }
    return true;
  }

  // Blocks at or above this index were pushed inside the innermost open scope (or there is none).
  std::size_t first_poppable_block() const { return scopes_.empty() ? 0 : scopes_.back().blocks; }

  // A pop below the newest block's start takes it away: grow_last then has no block to grow.
  void forget_newest_above(std::size_t pos) {
    if (newest_ > model_.base() + pos) newest_ = 0;
  }
  void popped(std::size_t pos) {
    model_.popped(pos);
    forget_newest_above(pos);
  }

  bool pop() {
    const std::size_t first = first_poppable_block();
    if (blocks_.size() <= first) return true;
    const std::size_t i = first + choices_.below(blocks_.size() - first);
    const std::size_t pos = blocks_[i].pos_before;
    VMB_MODEL_CHECK(arena_.pop_to(pos), "pop_to(" + std::to_string(pos) + ") refused");
    blocks_.resize(i);
    popped(pos);
    return true;
  }

  bool pop_beyond() {
    const ArenaStats before = arena_.stats();
    const std::size_t beyond = model_.pos() + 1 + choices_.below(1000);
    VMB_MODEL_CHECK(!arena_.pop_to(beyond), "pop_to(" + std::to_string(beyond) + ") beyond the position accepted");
    VMB_MODEL_CHECK(arena_.pos() == model_.pos(), "a refused pop_to moved the position");
    return stats_unchanged(before, "pop_to");
  }

  bool begin_scope() {
    if (scopes_.size() >= 8) return true;
    scopes_.push_back({std::make_unique<ArenaScope>(arena_), model_.pos(), blocks_.size()});
    VMB_MODEL_CHECK(scopes_.back().scope->saved_pos() == model_.pos(), "a scope saved the wrong position");
    return true;
  }

  bool end_scope() {
    if (scopes_.empty()) return true;
    const std::size_t pos = scopes_.back().pos;
    blocks_.resize(scopes_.back().blocks);
    scopes_.pop_back();  // ends the ArenaScope
    popped(pos);
    return true;
  }

  bool clear() {
    if (!scopes_.empty()) return end_scope();  // clearing under an open scope is not LIFO use
    arena_.clear();
    blocks_.clear();
    model_.cleared();
    forget_newest_above(0);
    return true;
  }

  bool decommit_unused() {
    arena_.decommit_unused();
    model_.decommitted_unused();
    return true;
  }

  bool grow_last() {
    if (blocks_.size() <= first_poppable_block()) return true;
    Block& b = blocks_.back();
    const bool is_last = addr(b.p) == newest_ && addr(b.p) + b.size == model_.base() + model_.pos();
    const std::size_t new_size = choices_.below(2) == 0 ? b.size / 2 : b.size + choices_.below(9000);
    const std::string call = "grow_last(" + std::to_string(b.size) + " -> " + std::to_string(new_size) + ")";
    const ArenaStats before = arena_.stats();
    const bool grew = arena_.grow_last(b.p, b.size, new_size);
    if (!is_last) {  // a later block was pushed (and perhaps popped), or this one was popped into
      VMB_MODEL_CHECK(!grew, call + " of a block that is not the newest one succeeded");
      VMB_MODEL_CHECK(arena_.last_error() == Error::bad_pointer, call + ": last_error should be bad_pointer");
      return stats_unchanged(before, "grow_last");
    }
    const std::size_t offset = addr(b.p) - model_.base();
    if (new_size > b.size && offset + new_size > model_.capacity()) {
      VMB_MODEL_CHECK(!grew, call + " beyond the capacity succeeded");
      VMB_MODEL_CHECK(arena_.last_error() == Error::exhausted, call + ": last_error should be exhausted");
      return stats_unchanged(before, "grow_last");
    }
    VMB_MODEL_CHECK(grew, call + " refused");
    if (new_size > b.size) {
      model_.grown(offset + new_size);
    } else {
      model_.popped(offset + new_size);
    }
    b.size = new_size;
    write(b);
    return true;
  }

  bool bad_push() {
    const ArenaStats before = arena_.stats();
    if (choices_.below(2) == 0) {
      const std::size_t align = choices_.below(2) == 0 ? 0 : 3 + 2 * choices_.below(1000);  // odd, > 1
      VMB_MODEL_CHECK(arena_.push(choices_.below(100), align) == nullptr,
                      "push with alignment " + std::to_string(align) + " succeeded");
      VMB_MODEL_CHECK(arena_.last_error() == Error::bad_alignment, "last_error should be bad_alignment");
    } else {
      const std::size_t size = SIZE_MAX - choices_.below(4096);
      VMB_MODEL_CHECK(arena_.push(size, random_align()) == nullptr, "push(" + std::to_string(size) + ") succeeded");
      // An arena that holds nothing has no position to overflow from: it is simply exhausted.
      const Error expected = base_ == 0 ? Error::exhausted : Error::size_overflow;
      VMB_MODEL_CHECK(arena_.last_error() == expected, std::string("last_error should be ") + to_string(expected));
    }
    return stats_unchanged(before, "a bad push");
  }

  bool check_state() {
    VMB_MODEL_CHECK(arena_.pos() == model_.pos(), "position " + std::to_string(arena_.pos()) + ", the model says " +
                                                      std::to_string(model_.pos()));
    VMB_MODEL_CHECK(fields(arena_.stats()) == fields(model_.stats()),
                    "stats " + describe(arena_.stats()) + "; the model says " + describe(model_.stats()));
    return true;
  }

  bool verify_blocks() {
    const std::uintptr_t begin = model_.base();
    const std::uintptr_t end = begin + model_.pos();
    std::uintptr_t previous_end = begin;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const Block& b = blocks_[k];
      const std::string block = "block " + std::to_string(k);
      VMB_MODEL_CHECK(addr(b.p) >= previous_end, block + " overlaps its predecessor");
      VMB_MODEL_CHECK(addr(b.p) + b.size <= end, block + " lies beyond the position");
      previous_end = addr(b.p) + b.size;
      for (std::size_t i = 0; i < b.size; ++i) {
        VMB_MODEL_CHECK(b.p[i] == pattern(b.fill, i), block + " byte " + std::to_string(i) + " was overwritten");
      }
    }
    return true;
  }

  Arena& arena_;
  Choices& choices_;
  Limits limits_;
  std::uintptr_t base_;
  ArenaModel model_;
  std::uintptr_t newest_;  // what the most recent push returned; 0 once popped below its start
  std::vector<Block> blocks_;
  std::vector<OpenScope> scopes_;
  unsigned fills_ = 0;
  int steps_ = 0;
  int failed_pushes_ = 0;
  int ok_pushes_ = 0;
  std::string failure_;
};

}  // namespace vmb::model
