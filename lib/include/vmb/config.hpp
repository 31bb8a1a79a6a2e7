// Compiler and sanitizer glue shared by every vmb header: branch hints, inlining control,
// AddressSanitizer poisoning, and the one fatal-error path for broken invariants.
#pragma once

#include <cstddef>
#include <cstdint>

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

// True in builds without NDEBUG; selects the pool's double-free and foreign-pointer checks by default.
#ifdef NDEBUG
inline constexpr bool kDebugBuild = false;
#else
inline constexpr bool kDebugBuild = true;
#endif

inline constexpr std::size_t KiB = std::size_t{1} << 10;
inline constexpr std::size_t MiB = std::size_t{1} << 20;
inline constexpr std::size_t GiB = std::size_t{1} << 30;

// A broken caller invariant (scope ended out of order, double free, foreign pointer): print one
// line naming it and abort. Memory errors must not be allowed to continue silently.
[[noreturn]] void fatal(const char* what);

// a + b, false when it fits; true (and *out unspecified) when it overflows.
constexpr bool add_overflows(std::size_t a, std::size_t b, std::size_t* out) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_add_overflow(a, b, out);
#else
  *out = a + b;
  return *out < a;
#endif
}

// `bytes` rounded up to a whole number of `step`s, but never above `cap` (and without overflowing):
// the extent of a committed prefix that covers `bytes`, in an allocator committing in steps.
constexpr std::size_t whole_steps_capped(std::size_t bytes, std::size_t step, std::size_t cap) noexcept {
  const std::size_t steps = bytes / step + (bytes % step != 0);
  return steps > cap / step ? cap : (steps * step < cap ? steps * step : cap);
}

constexpr bool is_pow2(std::size_t x) noexcept { return x != 0 && (x & (x - 1)) == 0; }

// Round x up to a multiple of a power of two; false (and x unchanged) on overflow.
constexpr bool align_up_checked(std::size_t x, std::size_t pow2, std::size_t* out) noexcept {
  std::size_t r = x + (pow2 - 1);
  if (r < x) return false;
  *out = r & ~(pow2 - 1);
  return true;
}

}  // namespace vmb
