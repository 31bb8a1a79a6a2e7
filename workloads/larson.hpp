// larson: a server's allocation pattern after Larson and Krishnan's benchmark (mimalloc-bench's
// larson): each thread churns a live set, as churn does, and every `round_steps` steps the live sets
// change hands between the threads, so most objects are freed by another thread than the one that
// allocated them. Deterministic at a seed, unlike the original (whose threads race): the hand-over is
// a rotation of the sets by an offset drawn from the cell's seed and the round number, at a barrier
// where every thread has finished the round. Each thread draws from its own seed, so which victim it
// picks and which size replaces it do not depend on the scheduling.
// Timed phases: ramp (fill this thread's set), steady (the replacements of each round), handover
// (waiting at the round's barrier: the slowest thread's lead), release (free the set held at the end).
// Operations: live_objects + steps allocations per thread, and as many frees on heaps with individual
// free. At 1 thread the set never changes hands: it is churn with rounds.
#pragma once

#include <algorithm>
#include <barrier>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "churn.hpp"
#include "driver.hpp"
#include "rng.hpp"

namespace vmbench::larson {

using churn::Slot;

// One live set and the bytes it holds (handed over with it).
struct LiveSet {
  std::vector<Slot> slots;
  std::uint64_t bytes = 0;
};

// The live sets, one per thread, and the barrier at which they change hands. Who holds which set is
// not shared state: every thread computes the same rotations from the seed and the round (shift()),
// so the barrier is the only synchronisation, and each pass (warm-up or measured) starts afresh.
class Exchange {
 public:
  Exchange(const Params& p, int threads, std::uint64_t seed)
      : live_objects_(p.count("live_objects")), steps_(p.count("steps")), round_steps_(p.count("round_steps")),
        threads_(static_cast<std::uint64_t>(threads)), seed_(seed), sets_(static_cast<std::size_t>(threads)),
        round_(threads) {
    if (live_objects_ == 0) throw std::runtime_error("larson: live_objects must be at least 1");
    if (round_steps_ == 0) throw std::runtime_error("larson: round_steps must be at least 1");
    for (LiveSet& set : sets_) set.slots.resize(live_objects_);
  }
  // Set `index` (0 .. threads-1). Between two barriers only the thread that holds it touches it.
  LiveSet& set(std::uint64_t index) noexcept { return sets_[static_cast<std::size_t>(index)]; }
  // Every thread calls this at the end of each round.
  void hand_over() { round_.arrive_and_wait(); }
  // How far the sets move at the end of round `round` (from 0): set held by thread t goes to thread
  // (t + shift) mod threads, shift in 1..threads-1, so every set changes hands every round.
  std::uint64_t shift(std::uint64_t round) const noexcept {
    if (threads_ < 2) return 0;
    Rng pick(seed_ ^ ((round + 1) * churn::kStampSpread));
    return 1 + pick.below(threads_ - 1);
  }
  std::uint64_t threads() const noexcept { return threads_; }
  std::uint64_t steps() const noexcept { return steps_; }
  std::uint64_t round_steps() const noexcept { return round_steps_; }

 private:
  std::uint64_t live_objects_;
  std::uint64_t steps_;
  std::uint64_t round_steps_;
  std::uint64_t threads_;
  std::uint64_t seed_;
  std::vector<LiveSet> sets_;
  std::barrier<> round_;
};

template <class H>
void ramp(Driver<H>& d, LiveSet& set, Rng& rng, const churn::SizeDist& sizes, std::uint64_t& serial) {
  set.bytes = 0;
  for (Slot& s : set.slots) {
    s.bytes = sizes.next(rng);
    s.p = d.alloc(s.bytes);
    churn::stamp(s.p, s.bytes, ++serial * churn::kStampSpread);
    set.bytes += s.bytes;
  }
}

// `n` replacements in the set this thread holds now.
template <class H>
void replace(Driver<H>& d, LiveSet& set, Rng& rng, const churn::SizeDist& sizes, std::uint64_t n,
             std::uint64_t& serial, std::uint64_t& checksum) {
  const std::uint64_t live = set.slots.size();
  for (std::uint64_t i = 0; i < n; ++i) {
    Slot& s = set.slots[rng.below(live)];
    checksum = churn::fold(checksum, churn::read_stamp(s.p, s.bytes) + s.bytes);
    d.free(s.p, s.bytes);
    set.bytes -= s.bytes;
    s.bytes = sizes.next(rng);
    s.p = d.alloc(s.bytes);
    churn::stamp(s.p, s.bytes, ++serial * churn::kStampSpread);
    set.bytes += s.bytes;
  }
}

// One thread's part. Every thread runs the same number of rounds, so every barrier is met. After
// round k thread t holds the set that started with thread (t - offset) mod threads, offset the sum of
// the shifts so far.
template <class H>
WorkloadStats run(Driver<H>& d, const std::function<void()>& begin_measured, Exchange& x, int thread) {
  Rng rng(d.seed());
  const churn::SizeDist sizes = churn::size_dist(d.params());
  const auto me = static_cast<std::uint64_t>(thread);
  std::uint64_t offset = 0;
  const auto held = [&]() -> LiveSet& { return x.set((me + x.threads() - offset) % x.threads()); };
  std::uint64_t serial = 0;
  std::uint64_t checksum = 0;

  begin_measured();
  d.timed("ramp", [&] { ramp(d, held(), rng, sizes, serial); });
  std::uint64_t round = 0;
  for (std::uint64_t done = 0; done < x.steps(); done += x.round_steps(), ++round) {
    const std::uint64_t n = std::min(x.round_steps(), x.steps() - done);
    d.timed("steady", [&] { replace(d, held(), rng, sizes, n, serial, checksum); });
    d.hand_over(held().bytes);
    d.timed("handover", [&] { x.hand_over(); });
    offset = (offset + x.shift(round)) % x.threads();
    d.take_over(held().bytes);
  }
  d.timed("release", [&] {
    LiveSet& set = held();
    if constexpr (Driver<H>::kIndividualFree) {
      for (const Slot& s : set.slots) d.free(s.p, s.bytes);
    } else {
      d.dead_without_free(set.slots.size(), set.bytes);
    }
  });
  return d.finish(checksum);
}

}  // namespace vmbench::larson
