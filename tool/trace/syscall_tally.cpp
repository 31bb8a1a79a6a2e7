#include "syscall_tally.hpp"

#include <sys/mman.h>

namespace vmbench {

namespace {

bool writable(std::uint64_t prot) { return (prot & PROT_WRITE) != 0; }

bool gives_pages_back(std::uint64_t advice) { return advice == MADV_DONTNEED || advice == MADV_FREE; }

}  // namespace

void SyscallTally::decommit(std::uint64_t addr, std::uint64_t bytes) noexcept {
  ++decommit_calls;
  const bool same_operation = last_was_decommit_ && addr == last_decommit_addr_ && bytes == last_decommit_bytes_;
  if (!same_operation) {
    ++decommits;
    decommit_bytes += bytes;
  }
  last_decommit_addr_ = addr;
  last_decommit_bytes_ = bytes;
}

void SyscallTally::finished(const FinishedCall& c, bool counting) noexcept {
  std::uint64_t bytes = 0;
  enum class Kind { commit, decommit, reserve, other } kind = Kind::other;
  std::uint64_t addr = c.args[0];
  switch (c.call) {
    case MemoryCall::mmap:
      bytes = c.args[1];
      addr = static_cast<std::uint64_t>(c.result);
      kind = writable(c.args[2]) ? Kind::commit : c.args[2] == PROT_NONE ? Kind::reserve : Kind::other;
      break;
    case MemoryCall::munmap:
      bytes = c.args[1];
      kind = Kind::decommit;
      break;
    case MemoryCall::mremap:  // (old, old_len, new_len): the size change is what is committed or given back
      bytes = c.args[2] > c.args[1] ? c.args[2] - c.args[1] : c.args[1] - c.args[2];
      kind = c.args[2] > c.args[1] ? Kind::commit : c.args[2] < c.args[1] ? Kind::decommit : Kind::other;
      break;
    case MemoryCall::brk: {  // brk returns the new break; brk(0) only asks for it
      const auto now = static_cast<std::uint64_t>(c.result);
      if (!c.failed && break_ != 0 && now != break_) {
        kind = now > break_ ? Kind::commit : Kind::decommit;
        bytes = now > break_ ? now - break_ : break_ - now;
        addr = now > break_ ? break_ : now;
      }
      if (!c.failed) break_ = now;
      break;
    }
    case MemoryCall::mprotect:
      bytes = c.args[1];
      kind = writable(c.args[2]) ? Kind::commit : c.args[2] == PROT_NONE ? Kind::decommit : Kind::other;
      break;
    case MemoryCall::madvise:
      bytes = c.args[1];
      kind = gives_pages_back(c.args[2]) ? Kind::decommit : Kind::other;
      break;
  }
  if (!counting) {
    last_was_decommit_ = false;
    return;
  }
  CallTotal& t = per_call[static_cast<int>(c.call)];
  ++t.calls;
  t.bytes += bytes;
  if (c.failed) {
    ++failed_calls;
    last_was_decommit_ = false;
    return;
  }
  switch (kind) {
    case Kind::commit:
      ++commits;
      commit_bytes += bytes;
      break;
    case Kind::decommit:
      decommit(addr, bytes);
      break;
    case Kind::reserve:
      ++reserves;
      reserve_bytes += bytes;
      break;
    case Kind::other:
      ++other_calls;
      break;
  }
  last_was_decommit_ = kind == Kind::decommit;
}

}  // namespace vmbench
