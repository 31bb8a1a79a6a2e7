// The process's code, resident before the measured phase. A code page first run inside the phase would
// be faulted in there, and counted in its RSS and faults; with a kernel that maps file pages in large
// folios one such fault adds up to a megabyte of RSS, to whichever cell happens to first run a stretch
// of code inside its phase (glibc's tree cell grew by 1.8 MiB instead of 0.85 MiB in 3 runs of 20).
// That memory is not the allocator's: every executable file mapping (vmbench, the C and C++ libraries,
// a preloaded allocator) is mapped in before measuring, so the phase's figures hold none of it.
#pragma once

#include <string>

namespace vmbench {

// Populates every executable file mapping of this process (madvise MADV_POPULATE_READ, or a read of
// each page where the kernel lacks it). Empty on success, else why a mapping could not be populated;
// the cell measures anyway, and the caller notes it.
std::string make_code_resident();

}  // namespace vmbench
