#include "cell_limits.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "params.hpp"
#include "vmb/config.hpp"  // VMB_ASAN, VMB_TSAN

namespace vmbench {

#if defined(VMB_ASAN) || defined(VMB_TSAN)
// The sanitizer maps its shadow memory read-write at start-up: terabytes that RLIMIT_DATA counts.
std::string check_memory_limit(std::uint64_t bytes) {
  if (bytes == 0) return "";
  return "--memory-limit cannot be used in a sanitizer build (its shadow memory counts against RLIMIT_DATA)";
}
#else
std::string check_memory_limit(std::uint64_t bytes) {
  if (bytes == 0) return "";
  rlimit current{};
  if (getrlimit(RLIMIT_DATA, &current) != 0)
    return std::string("--memory-limit: cannot read RLIMIT_DATA: ") + std::strerror(errno);
  if (current.rlim_max != RLIM_INFINITY && bytes > current.rlim_max)
    return "--memory-limit " + format_bytes_long(bytes) + " is above the hard RLIMIT_DATA vmbench runs under (" +
           format_bytes_long(current.rlim_max) + ")";
  return "";
}
#endif

bool apply_in_child(const CellLimits& limits) noexcept {
  if (limits.memory_limit_bytes == 0) return true;
  // Hard as well as soft: the cell under test must not be able to lift its own limit.
  const rlimit data{limits.memory_limit_bytes, limits.memory_limit_bytes};
  return setrlimit(RLIMIT_DATA, &data) == 0;
}

std::string memory_limit_note(std::uint64_t bytes) {
  return " (--memory-limit " + format_bytes_long(bytes) + " reached)";
}

std::string memory_limit_suspect_note(std::uint64_t bytes) {
  return " (under --memory-limit " + format_bytes_long(bytes) + ": most likely out of memory)";
}

}  // namespace vmbench
