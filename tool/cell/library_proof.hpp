// Proof for an allocator the user brought (-a NAME=PATH): malloc must resolve into that very file.
// Its version is shown when the library exports one of the usual queries (jemalloc's mallctl,
// mimalloc's mi_version, tcmalloc's tc_version), each only when that symbol is the library's own.
#pragma once

#include <string>

#include "allocator_proof.hpp"

namespace vmbench {

// `library`: the file in LD_PRELOAD. Compares real paths, so a symbolic link proves its target.
AllocatorProof prove_library(const std::string& allocator, const std::string& library);

// The file whose definition of `symbol` the libraries' calls bind to (the first definition in the
// global scope), as the loader named it; "" when none. A non-PIE executable that only calls malloc
// has a canonical PLT entry for it that dlsym returns (python3 on Debian): that is skipped for the
// definition behind it.
std::string defining_file(const char* symbol, void** address = nullptr);

// True when malloc resolves into `library` (real paths compared): a built-in preloaded allocator
// found elsewhere than at a Debian path must answer from the file vmbench found.
bool malloc_resolves_into(const std::string& library);

}  // namespace vmbench
