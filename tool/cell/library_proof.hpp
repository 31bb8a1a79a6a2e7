// Proof for an allocator the user brought (-a NAME=PATH): malloc must resolve into that very file.
// Its version is shown when the library exports one of the usual queries (jemalloc's mallctl,
// mimalloc's mi_version, tcmalloc's tc_version), each only when that symbol is the library's own.
#pragma once

#include <string>

#include "allocator_proof.hpp"

namespace vmbench {

// `library`: the file in LD_PRELOAD. Compares real paths, so a symbolic link proves its target.
AllocatorProof prove_library(const std::string& allocator, const std::string& library);

// True when malloc resolves into `library` (real paths compared): a built-in preloaded allocator
// found elsewhere than at a Debian path must answer from the file vmbench found.
bool malloc_resolves_into(const std::string& library);

}  // namespace vmbench
