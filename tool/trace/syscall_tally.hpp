// Classifies the memory system calls of a traced cell into commits, decommits, reservations and the
// rest (definitions: docs/metrics.md), and keeps per-call totals. Pure bookkeeping: the tracer
// (syscall_trace.cpp) feeds it one finished call at a time, so it can be tested without a process.
#pragma once

#include <array>
#include <cstdint>

namespace vmbench {

enum class MemoryCall : std::uint8_t { mmap, munmap, mremap, brk, mprotect, madvise };
inline constexpr int kMemoryCalls = 6;
inline constexpr std::array<const char*, kMemoryCalls> kMemoryCallNames = {"mmap",  "munmap",   "mremap",
                                                                            "brk",   "mprotect", "madvise"};

// One finished system call: its arguments as the kernel saw them and its result.
struct FinishedCall {
  MemoryCall call;
  std::uint64_t args[6] = {};
  std::int64_t result = 0;
  bool failed = false;
};

struct CallTotal {
  std::uint64_t calls = 0;
  std::uint64_t bytes = 0;  // length argument (mremap, brk: the size change)
};

class SyscallTally {
 public:
  // Every call goes through here, counted or not, so the break (brk) is followed from the start.
  void finished(const FinishedCall& c, bool counting) noexcept;

  std::array<CallTotal, kMemoryCalls> per_call{};
  std::uint64_t commits = 0, commit_bytes = 0;
  // A decommit operation gives one range back, however many calls it takes: madvise(DONTNEED) then
  // mprotect(PROT_NONE) of the same range (the vmb arena and pool) is one operation of two calls.
  std::uint64_t decommits = 0, decommit_calls = 0, decommit_bytes = 0;
  std::uint64_t reserves = 0, reserve_bytes = 0;  // mmap PROT_NONE: address space only
  std::uint64_t other_calls = 0;                  // e.g. madvise(MADV_HUGEPAGE), mprotect read-only
  std::uint64_t failed_calls = 0;

 private:
  void decommit(std::uint64_t addr, std::uint64_t bytes) noexcept;

  std::uint64_t break_ = 0;  // current program break, 0 until the first brk is seen
  std::uint64_t last_decommit_addr_ = 0, last_decommit_bytes_ = 0;
  bool last_was_decommit_ = false;
};

}  // namespace vmbench
