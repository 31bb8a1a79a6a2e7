// VMB_ASSERT(condition, "what broke"): the library's invariants, checked in debug builds and free in
// release builds. On when VMB_DEBUG is 1, which it is by default exactly when NDEBUG is not defined
// (vmb/config.hpp); -DVMB_DEBUG=1 turns it on in an optimised build. A failed assertion prints one
// line naming the condition, the message and the place, and aborts.
#pragma once

#include "vmb/config.hpp"

namespace vmb::detail {
[[noreturn]] VMB_COLD void assert_failed(const char* condition, const char* what, const char* file,
                                         int line) noexcept;
}  // namespace vmb::detail

#if VMB_DEBUG
#define VMB_ASSERT(condition, what) \
  (VMB_LIKELY(condition) ? (void)0 : ::vmb::detail::assert_failed(#condition, (what), __FILE__, __LINE__))
#else
// sizeof: the condition still has to compile, but is never evaluated and generates no code.
#define VMB_ASSERT(condition, what) ((void)sizeof(!(condition)))
#endif
