#include "library_proof.hpp"

#include <dlfcn.h>

#include <climits>
#include <cstdlib>

namespace vmbench {

namespace {

using MallctlFn = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
using MiVersionFn = int (*)();
using TcVersionFn = const char* (*)(int*, int*, const char**);

std::string real_path(const char* path) {
  char buf[PATH_MAX];
  return realpath(path, buf) != nullptr ? std::string(buf) : std::string(path);
}

// The real path of the file defining `name` in the global scope, "" when none does.
std::string owner_of(const char* name, void** symbol) {
  *symbol = dlsym(RTLD_DEFAULT, name);
  Dl_info info{};
  if (*symbol == nullptr || dladdr(*symbol, &info) == 0 || info.dli_fname == nullptr) return "";
  return real_path(info.dli_fname);
}

// The library's own version query, when it has one of the three: "jemalloc 5.3.0" or "".
std::string version_of(const std::string& file) {
  void* sym = nullptr;
  if (owner_of("mallctl", &sym) == file) {
    const char* v = nullptr;
    std::size_t len = sizeof v;
    if (reinterpret_cast<MallctlFn>(sym)("version", static_cast<void*>(&v), &len, nullptr, 0) == 0 && v != nullptr)
      return std::string("jemalloc ") + v;
  }
  if (owner_of("mi_version", &sym) == file) {
    const int v = reinterpret_cast<MiVersionFn>(sym)();  // e.g. 206 for 2.0.6
    return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10);
  }
  if (owner_of("tc_version", &sym) == file) {
    const char* v = reinterpret_cast<TcVersionFn>(sym)(nullptr, nullptr, nullptr);
    if (v != nullptr) return v;
  }
  return "";
}

}  // namespace

bool malloc_resolves_into(const std::string& library) {
  void* sym = nullptr;
  return owner_of("malloc", &sym) == real_path(library.c_str());
}

AllocatorProof prove_library(const std::string& allocator, const std::string& library) {
  const std::string file = real_path(library.c_str());
  void* sym = nullptr;
  const std::string owner = owner_of("malloc", &sym);
  if (owner != file)
    return {false, "asked for " + allocator + " (" + library + ") but malloc resolves to " +
                       (owner.empty() ? std::string("unknown") : owner), ""};
  const std::string version = version_of(file);
  return {true, allocator + ": malloc in " + library + (version.empty() ? "" : " (" + version + ")"), version};
}

}  // namespace vmbench
