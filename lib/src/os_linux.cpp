// Linux (and other POSIX) virtual-memory primitives.
// Reserve: mmap PROT_NONE + MAP_NORESERVE, so neither page tables nor the overcommit charge exist
// until a page is committed. Commit: mprotect RW. Decommit: madvise(MADV_DONTNEED) drops the pages
// (a later touch gets fresh zero pages), then mprotect PROT_NONE so stray accesses fault again.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "vmb/os.hpp"

namespace vmb::os {
namespace {
thread_local int t_last_error = 0;

bool fail() noexcept {
  t_last_error = errno;
  return false;
}
}  // namespace

std::size_t page_size() noexcept {
  static const std::size_t size = [] {
    const long s = sysconf(_SC_PAGESIZE);
    return s > 0 ? static_cast<std::size_t>(s) : std::size_t{4096};
  }();
  return size;
}

std::size_t allocation_granularity() noexcept { return page_size(); }

void* reserve(std::size_t bytes) noexcept {
  void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    fail();
    return nullptr;
  }
  return p;
}

bool commit(void* p, std::size_t bytes) noexcept {
  return mprotect(p, bytes, PROT_READ | PROT_WRITE) == 0 || fail();
}

bool decommit(void* p, std::size_t bytes) noexcept {
  if (madvise(p, bytes, MADV_DONTNEED) != 0) return fail();
  return mprotect(p, bytes, PROT_NONE) == 0 || fail();
}

bool release(void* p, std::size_t bytes) noexcept { return munmap(p, bytes) == 0 || fail(); }

bool advise_huge_pages(void* p, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
  return madvise(p, bytes, MADV_HUGEPAGE) == 0 || fail();
#else
  (void)p;
  (void)bytes;
  errno = ENOTSUP;
  return fail();
#endif
}

int last_error() noexcept { return t_last_error; }

}  // namespace vmb::os
