// Windows virtual-memory primitives, the counterpart of os_linux.cpp: the same reserve / commit /
// decommit / release contract built on VirtualAlloc and VirtualFree.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include "vmb/os.hpp"

namespace vmb::os {
namespace {
thread_local int t_last_error = 0;

// Remember why the call failed now: any later API call on this thread may overwrite GetLastError().
// Error codes are small positive numbers, so the narrowing to int loses nothing.
bool fail() noexcept {
  t_last_error = static_cast<int>(GetLastError());
  return false;
}

const SYSTEM_INFO& system_info() noexcept {
  static const SYSTEM_INFO info = [] {
    SYSTEM_INFO si{};
    GetSystemInfo(&si);  // cannot fail
    return si;
  }();
  return info;
}
}  // namespace

std::size_t page_size() noexcept { return system_info().dwPageSize; }

// Reservations start on a 64 KiB boundary whatever size is asked for; a size that is not a multiple
// of it leaves the rest of the last 64 KiB block unusable by anyone. Hence callers round to this.
std::size_t allocation_granularity() noexcept { return system_info().dwAllocationGranularity; }

// MEM_RESERVE takes address space only: no commit charge (against the pagefile-backed limit) until
// commit().
void* reserve(std::size_t bytes) noexcept {
  void* p = VirtualAlloc(nullptr, bytes, MEM_RESERVE, PAGE_NOACCESS);
  if (p == nullptr) fail();
  return p;
}

// Committing charges the commit limit now (this is where Windows says "out of memory", not at the
// first touch as Linux does), and the pages read as zero on first access. Committing pages that are
// already committed succeeds and keeps their contents, as mprotect does on Linux.
bool commit(void* p, std::size_t bytes) noexcept {
  if (bytes == 0) return true;  // VirtualAlloc rejects size 0, mprotect accepts it: answer as Linux
  return VirtualAlloc(p, bytes, MEM_COMMIT, PAGE_READWRITE) != nullptr || fail();
}

// MEM_DECOMMIT frees the physical pages and the commit charge and leaves the range reserved and
// inaccessible; a later commit() gives fresh zero pages, as madvise(MADV_DONTNEED) does on Linux.
bool decommit(void* p, std::size_t bytes) noexcept {
  // Size 0 would mean "the whole region from p" to VirtualFree, not "nothing".
  if (bytes == 0) return true;
  return VirtualFree(p, bytes, MEM_DECOMMIT) != 0 || fail();
}

// MEM_RELEASE frees the whole reservation made at p and requires size 0; `bytes` only matters on
// Linux, where munmap needs it.
bool release(void* p, std::size_t bytes) noexcept {
  (void)bytes;
  return VirtualFree(p, 0, MEM_RELEASE) != 0 || fail();
}

// Windows has no transparent huge pages to ask for after the fact. Its large pages must be
// requested when the memory is allocated (MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES at once, so
// no lazy commit), are never paged out, and need SeLockMemoryPrivilege, which ordinary accounts do
// not hold. None of that fits an advice on an existing reservation, so the answer is always "no".
bool advise_huge_pages(void* p, std::size_t bytes) noexcept {
  (void)p;
  (void)bytes;
  t_last_error = ERROR_NOT_SUPPORTED;
  return false;
}

int last_error() noexcept { return t_last_error; }

}  // namespace vmb::os
