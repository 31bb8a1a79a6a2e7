// The commit counters every allocator of the library that reserves address space keeps, in one
// struct: ArenaStats and PoolStats carry the same fields, and commit_stats() returns just these, at
// no cost (no walk of anything), for callers that sample them often.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmb {

// A commit call is one commit of a range (mprotect RW; VirtualAlloc MEM_COMMIT); a decommit call is
// one decommit of a range (madvise DONTNEED + mprotect PROT_NONE on Linux: two system calls;
// VirtualFree MEM_DECOMMIT on Windows). Bytes are exact.
struct CommitStats {
  std::size_t reserved_bytes = 0;        // address space held
  std::size_t committed_bytes = 0;       // readable/writable now
  std::size_t peak_committed_bytes = 0;  // high-water mark of committed_bytes
  std::uint64_t commit_calls = 0;
  std::uint64_t decommit_calls = 0;
};

}  // namespace vmb
