// The workload's own cost, as a row: `oracle` hands out, in order, the addresses that the pool returned
// for the same workload at the same seed, and does nothing else. Its time is the workload's work at the
// pool's placement (same cache and TLB footprint) with zero allocator work and no page faults, so
// "allocator time minus oracle time" is what each allocator costs on top of the work itself.
//
// The addresses are recorded before the measured phase (OracleTape::record, an unmeasured run of the
// workload on a PoolHeap) and stay valid because the tape keeps that pool alive: its frees go back to
// its free lists, its release_all is deferred to the tape's end, and the blocks it sent to malloc
// (above 64 KiB, or aligned above 16) are never freed during the recording, so nothing the oracle
// hands out belongs to anyone else.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "heap.hpp"
#include "params.hpp"
#include "pool_heap.hpp"
#include "vmb/config.hpp"

namespace vmbench {

// The pool under the recording: forwards every call and writes down each address it returns.
class RecordingPoolHeap {
 public:
  static constexpr const char* kName = "pool";
  static constexpr bool kIndividualFree = PoolHeap::kIndividualFree;

  explicit RecordingPoolHeap(const Params& p) : pool_(p) {}
  RecordingPoolHeap(const RecordingPoolHeap&) = delete;
  RecordingPoolHeap& operator=(const RecordingPoolHeap&) = delete;
  ~RecordingPoolHeap() {
    for (void* p : kept_) std::free(p);
  }

  bool ok() const noexcept { return pool_.ok(); }
  std::string failure() const { return pool_.failure(); }

  template <Life L>
  void* alloc(std::size_t bytes, std::size_t align) {
    void* p = pool_.alloc<L>(bytes, align);
    if (p != nullptr) addresses_.push_back(p);
    return p;
  }
  template <Life L>
  void free(void* p, std::size_t bytes, std::size_t align) {
    if (went_to_malloc(bytes, align)) return kept_.push_back(p);  // malloc's own: keep it ours
    pool_.free<L>(p, bytes, align);
  }
  void phase_begin() noexcept { pool_.phase_begin(); }
  void phase_end() noexcept { pool_.phase_end(); }
  bool grow_in_place(void* p, std::size_t old_bytes, std::size_t new_bytes) noexcept {
    return pool_.grow_in_place(p, old_bytes, new_bytes);
  }
  void release_all() noexcept {}  // deferred: the memory stays committed for the oracle
  HeapCounters counters() const { return pool_.counters(); }

  const std::vector<void*>& addresses() const noexcept { return addresses_; }

 private:
  static bool went_to_malloc(std::size_t bytes, std::size_t align) noexcept {
    return bytes > PoolHeap::Pools::kMaxBytes || align > PoolHeap::kSlotAlign;
  }

  PoolHeap pool_;
  std::vector<void*> addresses_;
  std::vector<void*> kept_;
};

// One run's addresses and the memory behind them.
using OracleTape = std::unique_ptr<RecordingPoolHeap>;

class OracleHeap {
 public:
  static constexpr const char* kName = "oracle";
  static constexpr bool kIndividualFree = true;  // the workload runs its pool code path, frees included

  OracleHeap(const Params&, const RecordingPoolHeap& tape)
      : begin_(tape.addresses().data()), end_(begin_ + tape.addresses().size()), next_(begin_) {}

  bool ok() const noexcept { return begin_ != end_; }
  std::string failure() const { return "the recording run of the workload on the pool allocated nothing"; }

  // A load and an increment. The tape holds exactly one run of the workload; a second run (after a
  // warm-up) starts it again, which is the one branch here and is taken once per run.
  // Under AddressSanitizer the recorded slot was poisoned when the recording freed it; the oracle
  // hands it out again, so it clears the poison as the pool would (a no-op in other builds).
  template <Life>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t) noexcept {
    if (VMB_UNLIKELY(next_ == end_)) next_ = begin_;
    void* p = *next_++;
    VMB_UNPOISON(p, bytes);
    return p;
  }
  template <Life>
  VMB_INLINE void free(void*, std::size_t, std::size_t) noexcept {}
  void phase_begin() noexcept {}
  void phase_end() noexcept {}
  bool grow_in_place(void*, std::size_t, std::size_t) noexcept { return false; }  // as the pool
  void release_all() noexcept {}
  HeapCounters counters() const {
    HeapCounters c;
    c.note = "the pool's " + std::to_string(end_ - begin_) +
             " addresses replayed in order with no allocator work: the workload's own cost at the pool's placement "
             "(its memory was touched before the measured phase: its RSS and faults are not comparable)";
    return c;
  }

 private:
  void* const* begin_;
  void* const* end_;
  void* const* next_;
};

}  // namespace vmbench
