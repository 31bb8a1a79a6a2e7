// Compiler and sanitizer glue shared by every vmb header: branch hints, inlining control,
// AddressSanitizer poisoning, the build's debug and counting switches, and the one fatal-error path
// for broken caller invariants.
#pragma once

#include <cstddef>

#if defined(__GNUC__) || defined(__clang__)
#define VMB_LIKELY(x) __builtin_expect(!!(x), 1)
#define VMB_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VMB_INLINE inline __attribute__((always_inline))
#define VMB_NOINLINE __attribute__((noinline))
#define VMB_COLD __attribute__((cold, noinline))
#else
#define VMB_LIKELY(x) (x)
#define VMB_UNLIKELY(x) (x)
#define VMB_INLINE inline
#define VMB_NOINLINE
#define VMB_COLD
#endif

// ASan poisoning: memory the allocator owns but has not handed out (uncommitted, popped, freed)
// is poisoned so that a use after clear or after free is reported instead of silently working.
#if defined(__SANITIZE_ADDRESS__)
#define VMB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VMB_ASAN 1
#endif
#endif

// ThreadSanitizer: nothing in the library changes, but its runtime, like ASan's, replaces malloc and
// maps shadow memory, which the tool and its tests must know (cell_limits.cpp, child_process_test).
#if defined(__SANITIZE_THREAD__)
#define VMB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VMB_TSAN 1
#endif
#endif

#if defined(VMB_ASAN)
#include <sanitizer/asan_interface.h>
#define VMB_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define VMB_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define VMB_POISON(p, n) ((void)(p), (void)(n))
#define VMB_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace vmb {

// VMB_DEBUG: 1 turns on the library's debug checks: VMB_ASSERT (vmb/assert.hpp) and, by default, the
// pool's double-free and foreign-pointer checks and per-operation counters. Defaults to 1 exactly when
// NDEBUG is not defined; -DVMB_DEBUG=1 (or 0) overrides that.
#ifndef VMB_DEBUG
#ifdef NDEBUG
#define VMB_DEBUG 0
#else
#define VMB_DEBUG 1
#endif
#endif

// VMB_COUNT_OPS: 1 counts every operation (the arena's pushes; the default pool policy's allocations
// and frees). A count is a memory update on the fastest path (measured: 1.12x a pool's allocate+free
// pair, 1.3-1.6x a LIFO batch of them, docs/library.md), so only debug builds count unless asked
// with -DVMB_COUNT_OPS=1. What can be derived without counting (pushed bytes, live slots) always is.
#ifndef VMB_COUNT_OPS
#define VMB_COUNT_OPS VMB_DEBUG
#endif

// True where VMB_DEBUG is 1 (by default: builds without NDEBUG).
inline constexpr bool kDebugBuild = VMB_DEBUG != 0;
// True where VMB_COUNT_OPS is 1 (by default: debug builds).
inline constexpr bool kCountOps = VMB_COUNT_OPS != 0;

inline constexpr std::size_t KiB = std::size_t{1} << 10;
inline constexpr std::size_t MiB = std::size_t{1} << 20;
inline constexpr std::size_t GiB = std::size_t{1} << 30;

// A broken caller invariant (scope ended out of order, double free, foreign pointer): print one
// line naming it and abort. Memory errors must not be allowed to continue silently.
[[noreturn]] void fatal(const char* what);

}  // namespace vmb
