// Environment variables that change an allocator under test: glibc's tunables (GLIBC_TUNABLES,
// MALLOC_ARENA_MAX, MALLOC_TOP_PAD_, MALLOC_PERTURB_...), jemalloc's (MALLOC_CONF, JE_MALLOC_CONF,
// _RJEM_MALLOC_CONF), mimalloc's (MIMALLOC_*), gperftools tcmalloc's (TCMALLOC_*, HEAPPROFILE,
// HEAPCHECK, PERFTOOLS_*). They pass from vmbench to every cell and changed malloc's results by up to
// 220x with no trace: a run records them in its context and warns, and `--clean-env` clears them for
// the cells. (LD_PRELOAD is always replaced: child_process.cpp.)
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace vmbench {

// `entry` is "NAME=VALUE" (as in environ) or a bare NAME.
bool is_allocator_variable(std::string_view entry) noexcept;

// Those set in this process's environment, by name.
std::map<std::string, std::string> allocator_environment();

}  // namespace vmbench
