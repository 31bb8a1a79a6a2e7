// The arenas' slow paths: construction, committing as the position grows, popping, decommitting.
// The fast path (Arena::push) is inline in arena.hpp.
#include "vmb/arena.hpp"

#include <algorithm>

#include "vmb/assert.hpp"
#include "vmb/detail/size_math.hpp"
#include "vmb/os.hpp"

namespace vmb {

namespace {
std::uintptr_t addr(const void* p) noexcept { return reinterpret_cast<std::uintptr_t>(p); }
}  // namespace

using detail::add_overflows;
using detail::align_up_checked;
using detail::is_pow2;

void* Arena::overflow() noexcept {
  if (!construction_failed()) error_ = Error::size_overflow;
  return nullptr;
}

// Every failure goes through here, so that a construction error is never overwritten.
bool Arena::refuse(Error why) noexcept {
  if (!construction_failed()) error_ = why;
  return false;
}

void* Arena::push_slow(std::size_t size, std::size_t align) noexcept {
  if (construction_failed()) return nullptr;  // error_ keeps saying why the arena does not exist
  if (!is_pow2(align)) {  // the caller's mistake is reported first, whatever state the arena is in
    refuse(Error::bad_alignment);
    return nullptr;
  }
  if (base_ == nullptr) {  // a FixedArena over nothing: no room at all
    refuse(Error::exhausted);
    return nullptr;
  }
  std::size_t p = 0;
  if (!align_up_checked(addr(cur_), align, &p)) return overflow();
  const std::uintptr_t end = p + size;
  if (end < p) return overflow();
  if (end > addr(limit_)) {
    refuse(Error::exhausted);
    return nullptr;
  }
  if (end > addr(commit_end_) && !commit_to(end)) return nullptr;
  cur_ = reinterpret_cast<std::byte*>(end);
  last_ = reinterpret_cast<std::byte*>(p);
#if VMB_COUNT_PUSHES
  ++pushes_;
#endif
  VMB_UNPOISON(reinterpret_cast<void*>(p), size);
  return reinterpret_cast<void*>(p);
}

// Commit whole commit steps (counted from base_) until `end` is covered; the last step is clipped
// to the usable limit. One system call however many steps are needed.
bool Arena::commit_to(std::uintptr_t end) noexcept {
  if (ledger_.step_bytes() == 0) return refuse(Error::exhausted);  // a FixedArena cannot commit
  std::byte* const new_end = ledger_.commit_to(base_, commit_end_, capacity(), end - addr(base_));
  if (new_end == nullptr) return refuse(Error::commit_failed);
  commit_end_ = new_end;
  return true;
}

ArenaStats Arena::stats() const noexcept {
  const CommitStats& c = ledger_.stats();
  ArenaStats s;
  s.reserved_bytes = c.reserved_bytes;
  s.committed_bytes = c.committed_bytes;
  s.peak_committed_bytes = c.peak_committed_bytes;
  s.commit_calls = c.commit_calls;
  s.decommit_calls = c.decommit_calls;
  s.pushed_bytes = retired_bytes_ + pos();
  s.pushes = pushes_;
  return s;
}

bool Arena::grow_last(void* p, std::size_t old_size, std::size_t new_size) noexcept {
  auto* b = static_cast<std::byte*>(p);
  // last_ is the start of the block the newest push returned: anything else (a pointer into a block,
  // an older block, the position itself with size 0) was never returned as the newest block.
  if (b == nullptr || b != last_ || static_cast<std::size_t>(cur_ - b) != old_size) {
    return refuse(Error::bad_pointer);
  }
  VMB_ASSERT(last_ >= base_ && last_ <= cur_, "arena: the newest block lies outside [base, position]");
  if (new_size <= old_size) {
    VMB_POISON(b + new_size, old_size - new_size);
    retired_bytes_ += old_size - new_size;
    cur_ = b + new_size;
    return true;
  }
  const std::size_t extra = new_size - old_size;
  std::uintptr_t end = 0;
  if (add_overflows(addr(cur_), extra, &end)) {
    overflow();
    return false;
  }
  if (end > addr(limit_)) return refuse(Error::exhausted);
  if (end > addr(commit_end_) && !commit_to(end)) return false;
  VMB_UNPOISON(cur_, extra);
  cur_ = reinterpret_cast<std::byte*>(end);
  return true;
}

bool Arena::pop_to(std::size_t pos) noexcept {
  if (pos > this->pos()) return false;
  std::byte* new_cur = base_ + pos;
  VMB_POISON(new_cur, static_cast<std::size_t>(cur_ - new_cur));
  retired_bytes_ += static_cast<std::size_t>(cur_ - new_cur);
  cur_ = new_cur;
  if (last_ > cur_) last_ = nullptr;  // the newest block is gone; the one before it is not known
  return true;
}

void Arena::clear() noexcept {
  pop_to(0);
  decommit_above(retain_bytes_);
}

void Arena::decommit_unused() noexcept { decommit_above(0); }

// Keep max(keep_bytes, pos()) committed, rounded up to a whole commit step so that commit_end_ stays
// on a step boundary; decommit the rest in one call.
void Arena::decommit_above(std::size_t keep_bytes) noexcept {
  commit_end_ = ledger_.decommit_above(base_, commit_end_, capacity(), std::max(keep_bytes, pos()));
  VMB_ASSERT(cur_ <= commit_end_, "arena: decommitted below the position");
}

void Arena::end_scope(std::size_t pos, std::uint32_t depth) noexcept {
  if (depth != scope_depth_) fatal("arena scope ended out of LIFO order");
  --scope_depth_;
  pop_to(pos);  // false only if the arena was already popped below the scope: nothing to do
}

VirtualArena::VirtualArena(const ArenaOptions& o) noexcept {
  const std::size_t page = os::page_size();
  std::size_t usable = 0, step = 0, total = 0;
  const std::size_t guard = o.guard_page ? page : 0;
  if (o.reserve_bytes == 0 || o.commit_step_bytes == 0 ||
      !align_up_checked(o.reserve_bytes, page, &usable) ||
      !align_up_checked(o.commit_step_bytes, page, &step) || usable + guard < usable ||
      !align_up_checked(usable + guard, os::allocation_granularity(), &total)) {
    error_ = Error::bad_options;
    return;
  }
  void* p = os::reserve(total);
  if (p == nullptr) {
    error_ = Error::reserve_failed;
    return;
  }
  if (o.huge_pages) (void)os::advise_huge_pages(p, usable);  // advice only: refusal is harmless
  base_ = cur_ = commit_end_ = static_cast<std::byte*>(p);
  limit_ = base_ + usable;
  ledger_.start(total, step);
  retain_bytes_ = o.retain_bytes;
  reservation_bytes_ = total;
}

VirtualArena::~VirtualArena() {
  if (base_ == nullptr) return;
  // Clear the shadow first: ASan must not see stale poison if the range is mapped again later. The
  // committed range is always a prefix of the reservation, so its peak covers every poisoned byte.
  VMB_UNPOISON(base_, ledger_.stats().peak_committed_bytes);
  os::release(base_, reservation_bytes_);
}

FixedArena::FixedArena(void* buffer, std::size_t bytes) noexcept {
  std::uintptr_t end = 0;
  if (buffer != nullptr && add_overflows(addr(buffer), bytes, &end)) {
    error_ = Error::bad_options;  // the buffer would end beyond the address space: not a buffer
    return;
  }
  if (buffer == nullptr) bytes = 0;
  base_ = cur_ = static_cast<std::byte*>(buffer);
  commit_end_ = limit_ = base_ + bytes;
  ledger_.start_committed(bytes);
  VMB_POISON(buffer, bytes);
}

FixedArena::~FixedArena() {
  // The buffer is the caller's again: leave it unpoisoned.
  VMB_UNPOISON(base_, capacity());
}

}  // namespace vmb
