// Limits on a cell process: how long it may run (--timeout) and how much memory it may map
// (--memory-limit, RLIMIT_DATA), so that memory running out in the middle of a cell is a failed
// cell with its reason, while vmbench itself and the other cells go on.
#pragma once

#include <cstdint>
#include <string>

namespace vmbench {

struct CellLimits {
  double timeout_s = 0;                   // killed after this long; 0: never
  std::uint64_t memory_limit_bytes = 0;   // RLIMIT_DATA of the child, soft and hard; 0: inherited
  bool clean_allocator_env = false;       // the allocators' variables (allocator_environment.hpp) are not passed
};

// Before anything runs: "" when a child can be given this memory limit, else a one-line reason
// (an unprivileged process cannot raise its hard limit above the one it inherited).
std::string check_memory_limit(std::uint64_t bytes);

// In the forked child, before exec: only async-signal-safe calls. False (errno set) if refused.
bool apply_in_child(const CellLimits& limits) noexcept;

// What a cell's error gains when memory ran out under a limit vmbench set: " (--memory-limit 64 MiB reached)".
std::string memory_limit_note(std::uint64_t bytes);
// What it gains when the cell died in a way that running out of memory explains, under a limit vmbench
// set, without saying so itself (an allocator's abort, a segmentation fault, a library the loader
// could not map): " (under --memory-limit 16 MiB: most likely out of memory)".
std::string memory_limit_suspect_note(std::uint64_t bytes);

}  // namespace vmbench
