// The compile-time allocator interface every workload is written against, so each allocator runs
// at its own inlined speed. A heap H provides:
//
//   static constexpr const char* kName;
//   static constexpr bool kIndividualFree;   // false: free() is a no-op, memory returns by phase
//   template <Life L> void* alloc(size_t bytes, size_t align);   // null on failure
//   template <Life L> void  free(void* p, size_t bytes, size_t align);
//   void phase_begin();  void phase_end();    // brackets a group of Life::phase objects that die
//                                             // together; heaps without individual free drop the
//                                             // whole group at phase_end (arena pop, pmr release)
//   bool grow_in_place(void* p, size_t old_bytes, size_t new_bytes);  // Life::phase only
//   void release_all();                       // everything is dead: give memory back if you can
//   HeapCounters counters() const;            // the allocator's own commit counters, if it has any
//   bool ok() const;                          // false when it could not be created
//   std::string failure() const;              // optional: why ok() is false (the OS's reason)
//
// Lifetimes: workloads tag every allocation with the lifetime group it belongs to. Arena-like heaps
// keep one region per group; malloc-like heaps ignore the tag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "params.hpp"
#include "vmb/arena.hpp"  // vmb::Error

namespace vmbench {

// Every workload object is allocated with this alignment (its fields are pointers and integers).
// One constant keeps free() consistent for heaps that need the alignment back (pmr pools).
inline constexpr std::size_t kObjectAlign = 8;

enum class Life : std::uint8_t {
  persistent,  // lives until release_all (or is freed individually where the heap can)
  phase,       // dies at the end of the current phase
};

// What the allocator itself reports about its memory. `known` is false for allocators whose
// commits are not visible from inside (malloc & co.: the system-call layer counts them).
struct HeapCounters {
  bool known = false;
  std::uint64_t reserved_bytes = 0;
  std::uint64_t committed_bytes = 0;
  std::uint64_t peak_committed_bytes = 0;  // heaps of several regions (two arenas, a pool per size
                                           // class): the sum of each region's peak, an upper bound
  std::uint64_t commit_calls = 0;
  std::uint64_t decommit_calls = 0;
  std::string note;  // e.g. how a pool maps mixed sizes onto size classes

  // Add one region's counters (vmb::ArenaStats or vmb::PoolStats: same field names).
  template <class Stats>
  void add_region(const Stats& s) {
    known = true;
    reserved_bytes += s.reserved_bytes;
    committed_bytes += s.committed_bytes;
    peak_committed_bytes += s.peak_committed_bytes;
    commit_calls += s.commit_calls;
    decommit_calls += s.decommit_calls;
  }
};

// Why one region of the library (vmb::VirtualArena, vmb::Pool) could not be created, for a heap's
// failure(). `os_error`: errno of the refused reservation (vmb::os::last_error() right after it).
template <class Region>
std::string region_failure(const Region& region, std::uint64_t reserve_bytes, int os_error) {
  if (region.last_error() != vmb::Error::reserve_failed) return vmb::to_string(region.last_error());
  return "reserving " + format_bytes_long(reserve_bytes) + " of address space failed: " + std::strerror(os_error);
}

}  // namespace vmbench
