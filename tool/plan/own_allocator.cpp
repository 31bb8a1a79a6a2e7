#include "own_allocator.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <stdexcept>

#include "catalog.hpp"
#include "library_lookup.hpp"

namespace vmbench {

namespace {

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[PATH_MAX];
  return getcwd(cwd, sizeof cwd) != nullptr ? std::string(cwd) + "/" + path : path;
}

}  // namespace

std::optional<OwnAllocator> parse_own_allocator(const std::string& arg) {
  const std::size_t eq = arg.find('=');
  if (eq == std::string::npos) return std::nullopt;
  OwnAllocator a{arg.substr(0, eq), absolute(arg.substr(eq + 1))};
  if (a.name.empty()) throw std::invalid_argument("--allocator " + arg + ": a name is missing before '=' (NAME=PATH)");
  if (arg.size() == eq + 1) throw std::invalid_argument("--allocator " + arg + ": a library path is missing after '='");
  for (char c : a.name)
    if (!valid_name_char(c))
      throw std::invalid_argument("--allocator " + arg + ": the name may hold only letters, digits, '-', '_' and '.'");
  if (find_allocator(a.name) != nullptr)
    throw std::invalid_argument("--allocator " + arg + ": '" + a.name +
                                "' is a built-in allocator's name; give yours another (e.g. " + a.name + "-own=PATH)");
  return a;
}

std::string own_allocator_problem(const OwnAllocator& a) {
  if (std::string why = shared_object_problem(a.path); !why.empty()) return why;
  if (!defines_malloc(a.path)) return a.path + ": does not define malloc: not a malloc replacement";
  if (find_by_loader(a.path).empty()) return a.path + ": the dynamic loader cannot preload it";
  return "";
}

}  // namespace vmbench
