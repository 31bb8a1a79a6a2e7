#include "code_residency.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace vmbench {

namespace {

#ifndef MADV_POPULATE_READ
constexpr int MADV_POPULATE_READ = 22;  // Linux 5.14; older headers lack the name
#endif

// Reads one byte of every page: what MADV_POPULATE_READ does, on a kernel without it.
void touch_pages(std::uintptr_t start, std::uintptr_t end, std::uintptr_t page_bytes) {
  for (std::uintptr_t p = start; p < end; p += page_bytes) {
    const unsigned char byte = *reinterpret_cast<const volatile unsigned char*>(p);
    asm volatile("" : : "r"(byte));
  }
}

// One line of /proc/self/maps: "start-end perms offset dev inode path". True for a file mapping that
// can execute, with its range.
bool executable_file_mapping(const char* line, std::uintptr_t& start, std::uintptr_t& end) {
  unsigned long long s = 0, e = 0;
  char perms[8] = {};
  int path_at = 0;
  if (std::sscanf(line, "%llx-%llx %7s %*s %*s %*s %n", &s, &e, perms, &path_at) < 3) return false;
  start = static_cast<std::uintptr_t>(s);
  end = static_cast<std::uintptr_t>(e);
  return perms[2] == 'x' && line[path_at] == '/';
}

}  // namespace

std::string make_code_resident() {
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return std::string("cannot read /proc/self/maps: ") + std::strerror(errno);
  const auto page_bytes = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  std::string failure;
  char line[4096];
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    std::uintptr_t start = 0, end = 0;
    if (!executable_file_mapping(line, start, end)) continue;
    if (madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_READ) == 0) continue;
    if (errno == EINVAL) touch_pages(start, end, page_bytes);  // a kernel before 5.14
    else if (failure.empty()) failure = std::string("madvise(MADV_POPULATE_READ) on code: ") + std::strerror(errno);
  }
  std::fclose(maps);
  return failure;
}

}  // namespace vmbench
