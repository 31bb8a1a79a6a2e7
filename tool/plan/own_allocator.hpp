// An allocator the user brings: `-a NAME=PATH` names any malloc replacement that can be preloaded.
// It runs wherever malloc runs (the workloads through malloc, a program), and its cells prove that
// malloc resolves into PATH before they measure.
#pragma once

#include <optional>
#include <string>

namespace vmbench {

struct OwnAllocator {
  std::string name;  // as the results and the table show it
  std::string path;  // the library, absolute
};

// "NAME=PATH" split; nullopt for a plain catalog name. Throws std::invalid_argument for a malformed
// or taken NAME (a catalog allocator's name, characters other than letters, digits, '-', '_', '.').
std::optional<OwnAllocator> parse_own_allocator(const std::string& arg);

// "" when the library can stand in for malloc, else the one line that says why the allocator is
// skipped: the file is missing, not a shared object for this machine, cannot be loaded, or does not
// define malloc itself.
std::string own_allocator_problem(const OwnAllocator& allocator);

}  // namespace vmbench
