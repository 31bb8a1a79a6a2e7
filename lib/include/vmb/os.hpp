// The operating-system primitives every virtual-memory allocator here is built on: reserve address
// space, commit and decommit pages within it, release it. One implementation per platform
// (src/os_linux.cpp, src/os_windows.cpp); nothing else in the library calls the OS directly.
#pragma once

#include <cstddef>

namespace vmb::os {

// Smallest unit commit/decommit work in (4 KiB on x86-64 Linux and Windows).
std::size_t page_size() noexcept;

// Alignment and rounding unit of a reservation: the page size on Linux, 64 KiB on Windows.
std::size_t allocation_granularity() noexcept;

// Reserve `bytes` of address space with no access and no physical memory behind it. `bytes` must be
// a multiple of allocation_granularity(). Returns null on failure (last_error() says why).
void* reserve(std::size_t bytes) noexcept;

// Make [p, p+bytes) readable and writable. Page-aligned arguments inside a reservation.
// Returns false on failure (e.g. ENOMEM under RLIMIT_DATA), leaving the range as it was.
bool commit(void* p, std::size_t bytes) noexcept;

// Give the physical pages of [p, p+bytes) back to the OS and make the range inaccessible again.
bool decommit(void* p, std::size_t bytes) noexcept;

// Return a whole reservation made by reserve() (same p and bytes).
bool release(void* p, std::size_t bytes) noexcept;

// Ask for transparent huge pages on [p, p+bytes). Advice only: false where unsupported.
bool advise_huge_pages(void* p, std::size_t bytes) noexcept;

// errno (Linux) or GetLastError() (Windows) of the last failed call on this thread.
int last_error() noexcept;

}  // namespace vmb::os
