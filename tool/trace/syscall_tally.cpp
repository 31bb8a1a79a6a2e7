#include "syscall_tally.hpp"

#include <sys/mman.h>

namespace vmbench {

namespace {

bool writable(std::uint64_t prot) { return (prot & PROT_WRITE) != 0; }

bool gives_pages_back(std::uint64_t advice) { return advice == MADV_DONTNEED || advice == MADV_FREE; }

enum class Kind { commit, decommit, reserve, other };

// What one call did to memory: its kind, the bytes it concerned and where (for a decommit).
struct Classified {
  Kind kind = Kind::other;
  std::uint64_t bytes = 0;
  std::uint64_t addr = 0;
};

Kind by_protection(std::uint64_t prot, Kind if_none) {
  return writable(prot) ? Kind::commit : prot == PROT_NONE ? if_none : Kind::other;
}

// brk returns the new break; brk(0) only asks for it. `program_break`: the break before the call
// (0 until the first brk is seen), updated.
Classified classify_brk(const FinishedCall& c, std::uint64_t& program_break) {
  Classified k{Kind::other, 0, c.args[0]};
  const auto now = static_cast<std::uint64_t>(c.result);
  if (c.failed) return k;
  if (program_break != 0 && now != program_break) {
    k.kind = now > program_break ? Kind::commit : Kind::decommit;
    k.bytes = now > program_break ? now - program_break : program_break - now;
    k.addr = now > program_break ? program_break : now;
  }
  program_break = now;
  return k;
}

Classified classify(const FinishedCall& c, std::uint64_t& program_break) {
  const std::uint64_t length = c.args[1];
  switch (c.call) {
    case MemoryCall::mmap:
      return {by_protection(c.args[2], Kind::reserve), length, static_cast<std::uint64_t>(c.result)};
    case MemoryCall::munmap:
      return {Kind::decommit, length, c.args[0]};
    case MemoryCall::mremap: {  // (old, old_len, new_len): the size change is what is committed or given back
      const std::uint64_t from = c.args[1], to = c.args[2];
      const Kind kind = to > from ? Kind::commit : to < from ? Kind::decommit : Kind::other;
      return {kind, to > from ? to - from : from - to, c.args[0]};
    }
    case MemoryCall::brk:
      return classify_brk(c, program_break);
    case MemoryCall::mprotect:
      return {by_protection(c.args[2], Kind::decommit), length, c.args[0]};
    case MemoryCall::madvise:
      return {gives_pages_back(c.args[2]) ? Kind::decommit : Kind::other, length, c.args[0]};
  }
  return {Kind::other, 0, c.args[0]};
}

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
  const Classified k = classify(c, break_);  // always: the break is followed from the start
  if (!counting) {
    last_was_decommit_ = false;
    return;
  }
  CallTotal& t = per_call[static_cast<int>(c.call)];
  ++t.calls;
  t.bytes += k.bytes;
  if (c.failed) {
    ++failed_calls;
    last_was_decommit_ = false;
    return;
  }
  switch (k.kind) {
    case Kind::commit:
      ++commits;
      commit_bytes += k.bytes;
      break;
    case Kind::decommit:
      decommit(k.addr, k.bytes);
      break;
    case Kind::reserve:
      ++reserves;
      reserve_bytes += k.bytes;
      break;
    case Kind::other:
      ++other_calls;
      break;
  }
  last_was_decommit_ = k.kind == Kind::decommit;
}

}  // namespace vmbench
