// Why a call on an arena or a pool failed: every failing call returns null (or false) and leaves the
// allocator as it was, except for last_error(), which holds one of these.
#pragma once

#include <cstdint>

namespace vmb {

enum class Error : std::uint8_t {
  none = 0,
  bad_alignment,   // alignment not a power of two, or larger than the allocator supports
  size_overflow,   // a size computation would overflow
  exhausted,       // the reservation (or fixed buffer) has no room left
  commit_failed,   // the OS refused to commit pages (ENOMEM, RLIMIT_DATA, RLIMIT_AS...)
  reserve_failed,  // the OS refused the reservation at construction
  bad_options,     // construction options out of range (zero sizes, bad alignment, a buffer that wraps)
  bad_pointer,     // a pointer the call needs to be the allocator's own is not (grow_last)
};

// One line describing e, for messages.
const char* to_string(Error e) noexcept;

// The errors only construction sets. An allocator whose construction failed keeps its error for
// good: every later call fails with it, so the reason is never overwritten.
constexpr bool is_construction_error(Error e) noexcept {
  return e == Error::bad_options || e == Error::reserve_failed;
}

}  // namespace vmb
