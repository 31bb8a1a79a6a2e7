#include "library_proof.hpp"

#include <dlfcn.h>
#include <link.h>

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

// The object that defines the symbol at `address`, when it is a definition (not a canonical PLT entry).
const char* definition_at(void* address) {
  Dl_info info{};
  void* found = nullptr;  // the symbol table entry: const ElfW(Sym)*
  const bool known = address != nullptr && dladdr1(address, &info, &found, RTLD_DL_SYMENT) != 0;
  const auto* entry = static_cast<const ElfW(Sym)*>(found);
  if (!known ||
      info.dli_fname == nullptr || entry == nullptr || entry->st_shndx == SHN_UNDEF)
    return nullptr;
  return info.dli_fname;
}

// The first object after the executable, in the global scope's order, that defines `symbol`.
std::string first_library_defining(const char* symbol, void** address) {
  void* program = dlopen(nullptr, RTLD_LAZY | RTLD_NOLOAD);
  link_map* map = nullptr;
  if (program == nullptr || dlinfo(program, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr) return "";
  for (link_map* m = map->l_next; m != nullptr; m = m->l_next) {
    void* handle = m->l_name != nullptr && *m->l_name != '\0' ? dlopen(m->l_name, RTLD_LAZY | RTLD_NOLOAD) : nullptr;
    if (handle == nullptr) continue;
    void* sym = dlsym(handle, symbol);  // the library itself first, then its dependencies
    dlclose(handle);
    const char* file = definition_at(sym);
    if (file != nullptr && std::string(file) == m->l_name) {
      *address = sym;
      return file;
    }
  }
  return "";
}

// The real path of the file defining `name` in the global scope, "" when none does.
std::string owner_of(const char* name, void** symbol) {
  const std::string file = defining_file(name, symbol);
  return file.empty() ? file : real_path(file.c_str());
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

std::string defining_file(const char* symbol, void** address) {
  void* unused = nullptr;
  void** out = address != nullptr ? address : &unused;
  *out = dlsym(RTLD_DEFAULT, symbol);
  if (*out == nullptr) return "";
  if (const char* file = definition_at(*out)) return file;
  return first_library_defining(symbol, out);
}

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
