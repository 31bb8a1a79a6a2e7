// The one-line descriptions of vmb::Error.
#include "vmb/error.hpp"

namespace vmb {

const char* to_string(Error e) noexcept {
  switch (e) {
    case Error::none: return "no error";
    case Error::bad_alignment: return "alignment is not a power of two or is too large";
    case Error::size_overflow: return "size computation overflows";
    case Error::exhausted: return "reservation exhausted";
    case Error::commit_failed: return "the OS refused to commit memory";
    case Error::reserve_failed: return "the OS refused to reserve address space";
    case Error::bad_options: return "invalid options";
    case Error::bad_pointer: return "the pointer (and size) is not the allocator's newest block";
  }
  return "unknown error";
}

}  // namespace vmb
