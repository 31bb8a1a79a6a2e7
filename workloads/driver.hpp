// The workload driver: what a workload calls instead of the heap directly. It counts operations and
// live bytes (allocator-independent figures, see docs/metrics), times named phases, and turns an
// allocation failure into a clean cell failure. On a Probed<H> heap (the deep-metric passes only,
// chosen at compile time) it also times every allocate and free and reports it to an OpProbe.
#pragma once

#include <time.h>

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cost_marker.hpp"
#include "cycle_clock.hpp"
#include "heaps/heap.hpp"
#include "op_probe.hpp"
#include "params.hpp"
#include "vmb/config.hpp"

namespace vmbench {

// A named part of the measured phase, timed on its own (e.g. tree: build, check, release).
struct PhaseTime {
  std::string name;
  double seconds = 0;
  std::uint64_t count = 0;  // how many times the phase ran
};

// What a workload reports; the probes around it (time, RSS, faults) are the child's business.
struct WorkloadStats {
  std::uint64_t allocations = 0;
  std::uint64_t frees = 0;          // individual frees actually made
  std::uint64_t frees_skipped = 0;  // logical deaths on a heap without individual free
  std::uint64_t resizes = 0;        // Driver::grow calls, in place or not
  std::uint64_t resizes_moved = 0;  // of them, those done as allocate, copy and free
  // The workload's operations: every allocation it asked for, every death and every resize, however
  // the heap served them, so the count is the same for every allocator doing the same work (a resize
  // the heap did by moving is one operation, not the allocation and free inside it).
  std::uint64_t ops = 0;
  std::uint64_t peak_live_bytes = 0;
  std::uint64_t final_live_bytes = 0;
  std::uint64_t checksum = 0;  // identical for every allocator at one seed: the work was the same
  std::vector<PhaseTime> phases;
  // Counts of a workload's own, beside the common ones (replay: what the trace held and what was left
  // out); named as they appear in the results, under workload_counts.
  std::vector<std::pair<std::string, std::uint64_t>> counts;
};

// Hooks the child gives the workload: where to report a checkpoint (RSS and live bytes read at the
// same instant) and the parameters.
struct RunContext {
  const Params* params = nullptr;
  std::uint64_t seed = 0;
  std::function<void(const std::string& label, std::uint64_t live_bytes)> checkpoint;
  OpProbe* probe = nullptr;  // deep-metric passes only (Probed<H> heaps); null otherwise
  // Called by finish(): the measured phase ends when the workload hands in its result, before its
  // own bookkeeping (vectors of slots, the text) is destroyed, which is not the allocator's work.
  std::function<void()> end_measured;
};

// Prints one line and exits the child with kExitAllocationFailed. `succeeded`: the allocations this
// driver made before, so the line shows whether the heap failed at once or in the middle of the run.
[[noreturn]] void allocation_failed(std::size_t bytes, std::uint64_t succeeded);

// On a lambda whose body is a workload's timed loop (the phases passed to Driver::timed): inlined into the
// workload's function for every heap, so that no heap's loop is left behind a call and a closure whose captures
// it reloads at every step (docs/library.md, "The workload's own instructions"). GCC and clang spell the
// attribute of a lambda this way.
#if defined(__GNUC__)
#define VMB_INLINE_LAMBDA __attribute__((always_inline))
#else
#define VMB_INLINE_LAMBDA
#endif

VMB_INLINE double monotonic_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <class H>
class Driver {
 public:
  static constexpr std::size_t kExpectedPhases = 8;  // reserved up front: no allocation while timing
  static constexpr bool kIndividualFree = H::kIndividualFree;
  static constexpr bool kProbed = ProbedHeap<H>;  // compile-time: the throughput pass has no hooks

  Driver(H& heap, RunContext& ctx) : heap_(heap), ctx_(ctx) { stats_.phases.reserve(kExpectedPhases); }

  // The measured phase starts: operation counts restart from zero and the peak of live bytes from the
  // bytes alive now (what set-up, e.g. tree's heap ageing, left behind stays live and counted).
  void start_measuring() {
    allocations_before_measuring_ += stats_.allocations;
    stats_ = WorkloadStats{};
    stats_.phases.reserve(kExpectedPhases);
    peak_live_ = live_;
  }

  template <Life L = Life::persistent>
  VMB_INLINE void* alloc(std::size_t bytes) {
    return alloc_aligned<L>(bytes, kObjectAlign);
  }
  // An alignment other than the workloads' own (replay: a recorded posix_memalign); free it with
  // free_aligned and the same alignment.
  template <Life L = Life::persistent>
  VMB_INLINE void* alloc_aligned(std::size_t bytes, std::size_t align) {
    ++stats_.allocations;
    live_ += bytes;
    peak_live_ = std::max(peak_live_, live_);
    if constexpr (kProbed) {
      const std::uint64_t t0 = cycle_ticks();
      void* p = heap_.template alloc<L>(bytes, align);
      const std::uint64_t t1 = cycle_ticks();
      if (VMB_UNLIKELY(p == nullptr)) allocation_failed(bytes, allocations_made() - 1);
      if (ctx_.probe != nullptr) ctx_.probe->allocated(reinterpret_cast<std::uintptr_t>(p), bytes, t1 - t0, live_);
      return p;
    } else {
      void* p = heap_.template alloc<L>(bytes, align);
      if (VMB_UNLIKELY(p == nullptr)) allocation_failed(bytes, allocations_made() - 1);
      return p;
    }
  }
  template <class T, Life L = Life::persistent>
  VMB_INLINE T* alloc_object() {
    return static_cast<T*>(alloc<L>(sizeof(T)));
  }

  // The object is dead. Heaps with individual free get it back now; the others keep its bytes until
  // its lifetime group goes (counted as a skipped free).
  template <Life L = Life::persistent>
  VMB_INLINE void free(void* p, std::size_t bytes) {
    free_aligned<L>(p, bytes, kObjectAlign);
  }
  template <Life L = Life::persistent>
  VMB_INLINE void free_aligned(void* p, std::size_t bytes, std::size_t align) {
    live_ -= bytes;
    if constexpr (kIndividualFree) {
      ++stats_.frees;
      if constexpr (kProbed) {
        // The address outlives the object: laundered so the compiler does not see a use after free.
        std::uintptr_t address = reinterpret_cast<std::uintptr_t>(p);
        asm volatile("" : "+r"(address));
        const std::uint64_t t0 = cycle_ticks();
        heap_.template free<L>(p, bytes, align);
        const std::uint64_t t1 = cycle_ticks();
        if (ctx_.probe != nullptr) ctx_.probe->freed(address, bytes, t1 - t0, live_);
      } else {
        heap_.template free<L>(p, bytes, align);
      }
    } else {
      ++stats_.frees_skipped;
      if constexpr (kProbed)
        if (ctx_.probe != nullptr) ctx_.probe->died(reinterpret_cast<std::uintptr_t>(p), bytes, live_);
    }
  }

  // For workloads that skip walking dead objects on a heap without individual free (a tree dropped
  // by popping the arena): account for `objects` deaths totalling `bytes` at once.
  VMB_INLINE void dead_without_free(std::uint64_t objects, std::uint64_t bytes) {
    live_ -= bytes;
    stats_.frees_skipped += objects;
    if constexpr (kProbed)
      if (ctx_.probe != nullptr) ctx_.probe->dropped(objects, bytes, live_);
  }

  // Objects that move to another thread's driver (xfer: a batch through the queue) leave this one's
  // live bytes and join the other's, so each thread's peak counts only what it holds: deterministic,
  // where the bytes waiting in the queue would depend on the scheduling.
  void hand_over(std::uint64_t bytes) noexcept { live_ -= bytes; }
  void take_over(std::uint64_t bytes) noexcept {
    live_ += bytes;
    peak_live_ = std::max(peak_live_, live_);
  }

  // Grow the most recent phase allocation in place where the heap can (arena), else allocate, copy
  // and free: what realloc does.
  VMB_INLINE void* grow(void* p, std::size_t old_bytes, std::size_t new_bytes) {
    ++stats_.resizes;
    if (heap_.grow_in_place(p, old_bytes, new_bytes)) {
      live_ += new_bytes - old_bytes;
      peak_live_ = std::max(peak_live_, live_);
      return p;
    }
    ++stats_.resizes_moved;
    void* q = alloc<Life::phase>(new_bytes);
    std::memcpy(q, p, old_bytes);
    free<Life::phase>(p, old_bytes);
    return q;
  }

  VMB_INLINE void phase_begin() { heap_.phase_begin(); }
  VMB_INLINE void phase_end() { heap_.phase_end(); }
  void release_all() { heap_.release_all(); }

  // Time a named part of the run; calls with the same name accumulate. Inlined, with `f` (a
  // VMB_INLINE_LAMBDA), for every heap: the loop runs in the workload's own function.
  template <class F>
  VMB_INLINE void timed(std::string_view name, F&& f) {
    const double t0 = monotonic_seconds();
    f();
    record(name, monotonic_seconds() - t0);
  }

  // Out of line: once per phase, and no part of any heap's loop.
  VMB_NOINLINE void record(std::string_view name, double dt) {
    for (auto& ph : stats_.phases)
      if (ph.name == name) {
        ph.seconds += dt;
        ++ph.count;
        return;
      }
    stats_.phases.push_back({std::string(name), dt, 1});
  }

  void checkpoint(const std::string& label) {
    if (!ctx_.checkpoint) return;
    cost_collect_toggle();  // the probe's reading is the harness's work, not counted (cost_marker.hpp)
    ctx_.checkpoint(label, live_);
    cost_collect_toggle();
  }

  std::uint64_t live_bytes() const { return live_; }
  const Params& params() const { return *ctx_.params; }
  std::uint64_t seed() const { return ctx_.seed; }
  H& heap() { return heap_; }

  WorkloadStats finish(std::uint64_t checksum) {
    if (ctx_.end_measured) ctx_.end_measured();
    stats_.peak_live_bytes = peak_live_;
    stats_.final_live_bytes = live_;
    stats_.checksum = checksum;
    stats_.ops = stats_.allocations + stats_.frees + stats_.frees_skipped + stats_.resizes - 2 * stats_.resizes_moved;
    return stats_;
  }

 private:
  // Counted on the cold path only: the hot path counts stats_.allocations, which restarts at zero
  // when the measured phase starts (and includes the allocation in progress).
  std::uint64_t allocations_made() const noexcept { return allocations_before_measuring_ + stats_.allocations; }

  H& heap_;
  RunContext& ctx_;
  std::uint64_t live_ = 0;
  std::uint64_t peak_live_ = 0;
  std::uint64_t allocations_before_measuring_ = 0;  // made in set-up, before start_measuring()
  WorkloadStats stats_;
};

}  // namespace vmbench
