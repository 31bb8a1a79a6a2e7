// The library's single abort path for broken caller invariants.
#include <cstdio>
#include <cstdlib>

#include "vmb/arena.hpp"
#include "vmb/config.hpp"

namespace vmb {

void fatal(const char* what) {
  std::fprintf(stderr, "vmb: fatal: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

const char* to_string(Error e) noexcept {
  switch (e) {
    case Error::none: return "no error";
    case Error::bad_alignment: return "alignment is not a power of two or is too large";
    case Error::size_overflow: return "size computation overflows";
    case Error::exhausted: return "reservation exhausted";
    case Error::commit_failed: return "the OS refused to commit memory";
    case Error::reserve_failed: return "the OS refused to reserve address space";
    case Error::bad_options: return "invalid options";
  }
  return "unknown error";
}

}  // namespace vmb
