// The library's abort paths: broken caller invariants (fatal) and, in debug builds, broken internal
// invariants (VMB_ASSERT).
#include <cstdio>
#include <cstdlib>

#include "vmb/assert.hpp"
#include "vmb/config.hpp"

namespace vmb {

void fatal(const char* what) {
  std::fprintf(stderr, "vmb: fatal: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

namespace detail {

void assert_failed(const char* condition, const char* what, const char* file, int line) noexcept {
  std::fprintf(stderr, "vmb: assertion failed: %s (%s) at %s:%d\n", what, condition, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace detail

}  // namespace vmb
