#include "allocator_proof.hpp"

#include <dlfcn.h>
#include <gnu/libc-version.h>

#include <cstdlib>
#include <cstring>

#include "library_proof.hpp"

// Whether this file is compiled with a sanitizer (not with vmb/config.hpp: the preload probe, which
// compiles this file too, does not see the library's headers).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define VMB_PROOF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define VMB_PROOF_SANITIZED 1
#endif
#endif

namespace vmbench {

namespace {

// The file that defines the `malloc` this process resolves to (first in the global lookup scope,
// so a preloaded library wins).
std::string malloc_owner() {
  const std::string file = defining_file("malloc");
  return file.empty() ? "unknown" : file;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

using MallctlFn = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
using MiVersionFn = int (*)();
using TcVersionFn = const char* (*)(int*, int*, const char**);

bool find_preloaded(const std::string& allocator) {
  return allocator == "jemalloc" || allocator == "mimalloc" || allocator == "tcmalloc";
}

// A sanitizer's malloc: in its shared runtime (GCC links libasan.so, libtsan.so), or, in a sanitizer
// build, in this very executable (clang links the runtime into it statically).
bool sanitizer_malloc(const std::string& owner) {
  if (contains(owner, "libasan") || contains(owner, "libtsan") || contains(owner, "libmsan")) return true;
#if defined(VMB_PROOF_SANITIZED)
  Dl_info self{};
  return dladdr(reinterpret_cast<void*>(&sanitizer_malloc), &self) != 0 && self.dli_fname != nullptr &&
         owner == self.dli_fname;
#else
  return false;
#endif
}

AllocatorProof fail(const std::string& asked, const std::string& owner) {
  return {false, "asked for " + asked + " but malloc resolves to " + owner, ""};
}

}  // namespace

AllocatorProof prove_allocator(const std::string& allocator, const std::string& library) {
  if (!library.empty() && !find_preloaded(allocator)) return prove_library(allocator, library);
  const std::string owner = malloc_owner();
  if (!library.empty() && !malloc_resolves_into(library)) return fail(allocator + " (" + library + ")", owner);
  const std::string where = "malloc in " + base_name(owner);
  if (allocator == "jemalloc") {
    auto mallctl = reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl"));
    const char* version = nullptr;
    std::size_t len = sizeof version;
    if (mallctl == nullptr || !contains(owner, "jemalloc") ||
        mallctl("version", static_cast<void*>(&version), &len, nullptr, 0) != 0 || version == nullptr)
      return fail(allocator, owner);
    return {true, std::string("jemalloc ") + version + " (mallctl version; " + where + ")", version};
  }
  if (allocator == "mimalloc") {
    auto mi_version = reinterpret_cast<MiVersionFn>(dlsym(RTLD_DEFAULT, "mi_version"));
    if (mi_version == nullptr || !contains(owner, "mimalloc")) return fail(allocator, owner);
    const int v = mi_version();  // e.g. 206 for 2.0.6
    const std::string version = std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10);
    return {true, "mimalloc " + version + " (mi_version; " + where + ")", version};
  }
  if (allocator == "tcmalloc") {
    auto tc_version = reinterpret_cast<TcVersionFn>(dlsym(RTLD_DEFAULT, "tc_version"));
    if (tc_version == nullptr || !contains(owner, "tcmalloc")) return fail(allocator, owner);
    const char* v = tc_version(nullptr, nullptr, nullptr);
    return {true, std::string(v != nullptr ? v : "tcmalloc") + " (tc_version; " + where + ")", v != nullptr ? v : ""};
  }
  // A sanitizer build replaces malloc with the sanitizer's own: the built-in allocators can still be
  // checked for correctness, but no figure of it describes glibc, and the evidence says so.
  if (sanitizer_malloc(owner)) {
    if (find_preloaded(allocator)) return fail(allocator, owner);
    const std::string what = allocator == "malloc" ? std::string("malloc is") : allocator + " built into vmbench; malloc underneath is";
    return {true, what + " the sanitizer's (" + where + "): a sanitizer build, not for performance figures", ""};
  }
  // glibc: malloc must come from libc itself, and no other allocator may be present.
  const bool other = dlsym(RTLD_DEFAULT, "mallctl") != nullptr || dlsym(RTLD_DEFAULT, "mi_version") != nullptr ||
                     dlsym(RTLD_DEFAULT, "tc_version") != nullptr;
  if (other || !contains(owner, "libc.so")) return fail(allocator + " (over glibc malloc)", owner);
  const std::string glibc = std::string("glibc ") + gnu_get_libc_version();
  if (allocator == "malloc") return {true, glibc + " ptmalloc2 (" + where + ")", gnu_get_libc_version()};
  return {true, allocator + " built into vmbench; malloc underneath is " + glibc + " (" + where + ")", ""};
}

}  // namespace vmbench
