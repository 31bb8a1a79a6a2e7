#include "allocator_environment.hpp"

extern char** environ;

namespace vmbench {

namespace {

// Whole names, and the prefixes of families of names.
constexpr std::string_view kNames[] = {"GLIBC_TUNABLES", "HEAPPROFILE", "HEAPCHECK"};
constexpr std::string_view kPrefixes[] = {"MALLOC_", "MIMALLOC_", "TCMALLOC_", "JEMALLOC_", "JE_MALLOC_",
                                          "_RJEM_", "HEAP_CHECK_", "HEAP_PROFILE_", "PERFTOOLS_"};

}  // namespace

bool is_allocator_variable(std::string_view entry) noexcept {
  const std::string_view name = entry.substr(0, entry.find('='));
  for (std::string_view n : kNames)
    if (name == n) return true;
  for (std::string_view p : kPrefixes)
    if (name.size() > p.size() && name.substr(0, p.size()) == p) return true;
  return false;
}

std::map<std::string, std::string> allocator_environment() {
  std::map<std::string, std::string> found;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq != std::string_view::npos && is_allocator_variable(entry))
      found.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return found;
}

}  // namespace vmbench
