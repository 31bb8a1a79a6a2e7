// A pool against a reference model: the set of live slots, the free list as a stack and the
// untouched tail predict every address handed out, every counter and exhaustion exactly. Every live
// slot carries a byte pattern that is verified periodically; with checks on, every freed slot must
// hold the fill pattern. Operations: allocate, free a random live slot, fill to exhaustion, bursts,
// free half, reset, free(nullptr).
// The commit counters are compared after every step; the whole PoolStats (whose live_slots walks the
// free list) at every verification. allocations and frees are modelled only for a pool that counts.
// A pool that accepts remote frees (RemoteFreePool) also frees some slots with free_remote(), from the
// same thread, so that the run stays deterministic: the model then predicts the take-over too (the
// remote slots come back, the last freed first, exactly when the free list and the committed tail are
// both empty) and its counters (RemoteFreeStats). Other pools make the same choices as before.
// Driven by tests/lib/pool_model_test.cpp and remote_pool_model_test.cpp (seeded) and
// tests/fuzz/pool_fuzz.cpp (libFuzzer).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "choices.hpp"
#include "vmb/config.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"
#include "vmb/remote_free_pool.hpp"

namespace vmb::model {

// The commit counters, for comparing with == after every step.
inline auto commit_fields(const PoolStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls, s.decommit_calls);
}
inline auto commit_fields(const CommitStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls, s.decommit_calls);
}

// Every counter, for comparing with ==, and for messages.
inline auto fields(const PoolStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.allocations, s.frees, s.live_slots, s.peak_live_slots);
}
inline std::string describe(const PoolStats& s) {
  return "reserved " + std::to_string(s.reserved_bytes) + " committed " + std::to_string(s.committed_bytes) +
         " peak " + std::to_string(s.peak_committed_bytes) + " commits " + std::to_string(s.commit_calls) +
         " decommits " + std::to_string(s.decommit_calls) + " allocations " + std::to_string(s.allocations) +
         " frees " + std::to_string(s.frees) + " live " + std::to_string(s.live_slots) + " peak live " +
         std::to_string(s.peak_live_slots);
}

// AnyPool: a BasicPool of any policy.
template <class AnyPool>
class PoolChecker {
 public:
  static constexpr bool kChecks = AnyPool::policy.checks;
  static constexpr bool kCounts = AnyPool::policy.counts;
  static constexpr bool kRemote = requires(AnyPool& pool, void* p) { pool.free_remote(p); };

  // `pool` must be fresh, made with `options`.
  PoolChecker(AnyPool& pool, const PoolOptions& options, Choices& choices, int verify_every_steps)
      : pool_(pool), options_(options), choices_(choices), verify_every_(verify_every_steps) {}

  // The first slot of a fresh pool is its base: the model's origin. Freeing it starts the free list.
  bool start() {
    base_ = static_cast<std::byte*>(pool_.allocate());
    VMB_MODEL_CHECK(base_ != nullptr, "a fresh pool could not allocate");
    pool_.free(base_);
    stride_ = pool_.slot_bytes();
    capacity_ = round_up(options_.reserve_bytes, os::page_size());
    free_stack_.push_back(base_);
    tail_slots_ = 1;
    stats_ = pool_.stats();
    committed_ = stats_.committed_bytes;
    return true;
  }

  // One operation and the checks after it; false once a check has failed.
  bool step() {
    if (!failure_.empty()) return false;
    const std::uint64_t op = choices_.below(100);
    bool ok = true;
    if (op < 52) {
      ok = allocate();
    } else if (op < 92) {
      if constexpr (kRemote) {
        if (choices_.below(2) == 0) {
          free_one_remote();
        } else {
          free_one();
        }
      } else {
        free_one();
      }
    } else if (op < 93) {
      // Fill the pool: exhaustion must be met exactly where the model says.
      const int exhausted = exhausted_;
      while (ok && exhausted_ == exhausted) ok = allocate();
    } else if (op < 94) {
      for (int k = 0; k < 300 && ok; ++k) ok = allocate();
    } else if (op < 96) {
      for (std::size_t k = order_.size() / 2; k > 0; --k) free_one();
    } else if (op < 97) {
      reset();
    } else {
      pool_.free(nullptr);
    }
    if (!ok) return false;
    VMB_MODEL_CHECK(commit_fields(pool_.commit_stats()) == commit_fields(stats_),
                    "stats " + describe(pool_.stats()) + "; the model says " + describe(stats_));
    return ++steps_ % verify_every_ != 0 || verify();
  }

  bool finish() { return failure_.empty() && verify(); }

  const std::string& failure() const { return failure_; }
  int exhaustions() const { return exhausted_; }
  std::uint64_t takeovers() const { return remote_.takeovers; }
  std::size_t peak_live_slots() const { return stats_.peak_live_slots; }
  std::size_t capacity_slots() const { return stride_ == 0 ? 0 : capacity_ / stride_; }

 private:
  static std::size_t round_up(std::size_t x, std::size_t unit) { return (x + unit - 1) / unit * unit; }
  static unsigned char pattern(unsigned char fill, std::size_t i) { return static_cast<unsigned char>(fill + i * 13); }
  std::string offset(const void* p) const {
    // Integers, not pointer subtraction: p may be null or foreign when a check has failed.
    return std::to_string(static_cast<std::intptr_t>(reinterpret_cast<std::uintptr_t>(p) -
                                                     reinterpret_cast<std::uintptr_t>(base_)));
  }

  bool fail(const std::string& what) {
    failure_ = "step " + std::to_string(steps_) + ": " + what;
    return false;
  }

  bool tail_room_committed() const { return (tail_slots_ + 1) * stride_ <= committed_; }

  // The address the next allocate() must return, or null if the pool is exhausted. The remote list is
  // taken over only when the free list and the committed tail are both empty, before committing more.
  std::byte* predict() const {
    if (!free_stack_.empty()) return free_stack_.back();
    if (tail_room_committed()) return base_ + tail_slots_ * stride_;
    if (!remote_stack_.empty()) return remote_stack_.back();
    if ((tail_slots_ + 1) * stride_ > capacity_) return nullptr;
    return base_ + tail_slots_ * stride_;
  }

  // The owner's take-over: the remote list becomes the free list, in the order it was pushed.
  void take_over() {
    ++remote_.takeovers;
    if (kCounts) {
      remote_.taken_slots += remote_stack_.size();
      stats_.frees += remote_stack_.size();
    }
    free_stack_ = std::move(remote_stack_);
    remote_stack_.clear();
  }

  bool allocate() {
    std::byte* expected = predict();
    const CommitStats before = pool_.commit_stats();
    void* p = pool_.allocate();
    if (expected == nullptr) {
      VMB_MODEL_CHECK(p == nullptr, "allocate() succeeded in an exhausted pool");
      VMB_MODEL_CHECK(pool_.last_error() == Error::exhausted, "last_error should be exhausted");
      VMB_MODEL_CHECK(commit_fields(pool_.commit_stats()) == commit_fields(before),
                      "a failed allocate() changed the stats");
      ++exhausted_;
      return true;
    }
    VMB_MODEL_CHECK(p == expected, "allocate() returned slot at " + offset(p) + ", the model says " + offset(expected));
    VMB_MODEL_CHECK(live_.insert(expected).second, "allocate() handed out a live slot");
    if (free_stack_.empty() && !tail_room_committed() && !remote_stack_.empty()) take_over();
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
    if (kCounts) ++stats_.allocations;
    ++stats_.live_slots;
    // The pool derives its peak from the tail. Without remote frees that is the peak of live slots; with
    // them, the tail also moves past slots freed remotely and not taken over yet, so it is the peak of
    // slots in use or pending: an upper bound of the live peak.
    stats_.peak_live_slots = std::max(stats_.peak_live_slots, kRemote ? tail_slots_ : stats_.live_slots);
    const auto fill = static_cast<unsigned char>(++fills_ * 29);
    auto* bytes = static_cast<unsigned char*>(p);
    for (std::size_t i = 0; i < stride_; ++i) bytes[i] = pattern(fill, i);
    fill_[expected] = fill;
    order_.push_back(expected);
    return true;
  }

  void free_one() {
    if (order_.empty()) return;
    const std::size_t i = choices_.below(order_.size());
    std::byte* p = order_[i];
    order_[i] = order_.back();
    order_.pop_back();
    pool_.free(p);
    live_.erase(p);
    fill_.erase(p);
    free_stack_.push_back(p);
    if (kCounts) ++stats_.frees;
    --stats_.live_slots;
  }

  // free_remote() from this thread: the slot is free (not live) at once, but reusable only after a
  // take-over; a pool with counts counts it then.
  void free_one_remote() {
    if constexpr (kRemote) {
      if (order_.empty()) return;
      const std::size_t i = choices_.below(order_.size());
      std::byte* p = order_[i];
      order_[i] = order_.back();
      order_.pop_back();
      pool_.free_remote(p);
      live_.erase(p);
      fill_.erase(p);
      remote_stack_.push_back(p);
      --stats_.live_slots;
    }
  }

  void reset() {
    pool_.reset();
    remote_stack_.clear();
    live_.clear();
    fill_.clear();
    order_.clear();
    free_stack_.clear();
    tail_slots_ = 0;
    stats_.live_slots = 0;
    const std::size_t keep = std::min(round_up(options_.retain_bytes, options_.commit_step_bytes), capacity_);
    if (keep < committed_) {
      ++stats_.decommit_calls;
      stats_.committed_bytes -= committed_ - keep;
      committed_ = keep;
    }
  }

  bool verify() {
    VMB_MODEL_CHECK(fields(pool_.stats()) == fields(stats_),
                    "stats " + describe(pool_.stats()) + "; the model says " + describe(stats_));
    for (std::byte* p : live_) {
      VMB_MODEL_CHECK(pool_.owns(p), "the pool disowns live slot " + offset(p));
      VMB_MODEL_CHECK(static_cast<std::size_t>(p - base_) % stride_ == 0, "live slot " + offset(p) + " is misaligned");
      const auto* bytes = reinterpret_cast<const unsigned char*>(p);
      const unsigned char fill = fill_.at(p);
      for (std::size_t i = 0; i < stride_; ++i) {
        VMB_MODEL_CHECK(bytes[i] == pattern(fill, i), "live slot " + offset(p) + " byte " + std::to_string(i) + " was overwritten");
      }
    }
    // Distinct slot starts, stride apart from one base, cannot overlap; and none may be free too.
    for (std::byte* p : free_stack_) VMB_MODEL_CHECK(live_.count(p) == 0, "slot " + offset(p) + " is live and free");
    if constexpr (kRemote) {
      for (std::byte* p : remote_stack_) {
        VMB_MODEL_CHECK(live_.count(p) == 0, "slot " + offset(p) + " is live and remotely freed");
      }
      const RemoteFreeStats r = pool_.remote_stats();
      VMB_MODEL_CHECK(r.takeovers == remote_.takeovers && r.taken_slots == remote_.taken_slots &&
                          r.pending_slots == remote_stack_.size(),
                      "remote stats: " + std::to_string(r.takeovers) + " take-overs, " +
                          std::to_string(r.taken_slots) + " taken, " + std::to_string(r.pending_slots) +
                          " pending; the model says " + std::to_string(remote_.takeovers) + ", " +
                          std::to_string(remote_.taken_slots) + ", " + std::to_string(remote_stack_.size()));
    }
    if (!kChecks) return true;
    std::vector<unsigned char> copy(stride_);
    for (std::byte* p : free_stack_) {
      VMB_UNPOISON(p, stride_);
      std::memcpy(copy.data(), p, stride_);
      VMB_POISON(p, stride_);
      for (std::size_t i = sizeof(void*); i < stride_; ++i) {
        VMB_MODEL_CHECK(copy[i] == kFreedSlotFill, "freed slot " + offset(p) + " byte " + std::to_string(i) + " lost its fill");
      }
    }
    return true;
  }

  AnyPool& pool_;
  PoolOptions options_;
  Choices& choices_;
  int verify_every_;
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
  std::vector<std::byte*> remote_stack_;  // the remote-free list: the back was pushed last
  RemoteFreeStats remote_;              // takeovers and taken_slots (pending: remote_stack_)
  unsigned fills_ = 0;
  int steps_ = 0;
  int exhausted_ = 0;
  std::string failure_;
};

}  // namespace vmb::model
