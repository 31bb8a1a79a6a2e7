// Per-operation hooks for the deep-metric passes (latency, timeline, heap map): the driver calls them
// around every allocate and free only when it runs on a Probed<H> heap, a compile-time switch, so the
// throughput pass is compiled without them and pays nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "heaps/heap.hpp"

namespace vmbench {

class OpProbe {
 public:
  virtual ~OpProbe() = default;
  // `address`: where the object is (was, for a free); never dereferenced.
  // `ticks`: cycle_ticks() spent inside the heap's alloc or free; `live_bytes` after the operation.
  virtual void allocated(std::uintptr_t address, std::size_t bytes, std::uint64_t ticks, std::uint64_t live_bytes) = 0;
  virtual void freed(std::uintptr_t address, std::size_t bytes, std::uint64_t ticks, std::uint64_t live_bytes) = 0;
  // An object died on a heap without individual free (arena): no operation, nothing to time.
  virtual void died(std::uintptr_t /*address*/, std::size_t /*bytes*/, std::uint64_t /*live_bytes*/) {}
  // Many objects died at once without being walked (Driver::dead_without_free).
  virtual void dropped(std::uint64_t /*objects*/, std::uint64_t /*bytes*/, std::uint64_t /*live_bytes*/) {}
  // The heap's own counters, for probes that sample committed bytes; given before the workload runs.
  std::function<HeapCounters()> heap_counters;
};

// H with the probe switch on: same heap, same interface.
template <class H>
struct Probed : H {
  using H::H;
  static constexpr bool kProbed = true;
};

template <class H>
concept ProbedHeap = requires { H::kProbed; };

}  // namespace vmbench
