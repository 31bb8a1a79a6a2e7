// Proof, inside the child, that the allocator asked for is the one answering malloc. A failed
// LD_PRELOAD silently runs glibc; vmbench refuses to measure that (docs/metrics.md).
#pragma once

#include <string>

namespace vmbench {

struct AllocatorProof {
  bool ok = false;
  std::string evidence;  // e.g. "jemalloc 5.3.0 (mallctl version; malloc in libjemalloc.so.2)"
  std::string version;   // the library's own version string, when it has one
};

// `allocator` is a catalog name, or your own with its `library` (library_proof.hpp). Built-in
// allocators prove that malloc underneath is glibc's.
AllocatorProof prove_allocator(const std::string& allocator, const std::string& library = "");

}  // namespace vmbench
