// The arenas' slow paths: construction, committing as the position grows, popping, decommitting.
// The fast path (Arena::push) is inline in arena.hpp.
#include "vmb/arena.hpp"

#include <algorithm>

#include "vmb/os.hpp"

namespace vmb {

namespace {
std::uintptr_t addr(const void* p) noexcept { return reinterpret_cast<std::uintptr_t>(p); }
}  // namespace

void* Arena::overflow() noexcept {
  error_ = Error::size_overflow;
  return nullptr;
}

void* Arena::push_slow(std::size_t size, std::size_t align) noexcept {
  if (!is_pow2(align)) {  // the caller's mistake is reported first, whatever state the arena is in
    error_ = Error::bad_alignment;
    return nullptr;
  }
  if (base_ == nullptr) {  // a failed VirtualArena or a FixedArena over nothing: no room at all
    error_ = Error::exhausted;
    return nullptr;
  }
  std::size_t p = 0;
  if (!align_up_checked(addr(cur_), align, &p)) return overflow();
  const std::uintptr_t end = p + size;
  if (end < p) return overflow();
  if (end > addr(limit_)) {
    error_ = Error::exhausted;
    return nullptr;
  }
  if (end > addr(commit_end_) && !commit_to(end)) return nullptr;
  cur_ = reinterpret_cast<std::byte*>(end);
#if VMB_COUNT_PUSHES
  ++stats_.pushes;
#endif
  VMB_UNPOISON(reinterpret_cast<void*>(p), size);
  return reinterpret_cast<void*>(p);
}

// Commit whole commit steps (counted from base_) until `end` is covered; the last step is clipped
// to the usable limit. One system call however many steps are needed.
bool Arena::commit_to(std::uintptr_t end) noexcept {
  if (commit_step_ == 0) {  // a FixedArena has nothing to commit
    error_ = Error::exhausted;
    return false;
  }
  const std::size_t need = end - addr(base_);
  const std::size_t offset = whole_steps_capped(need, commit_step_, capacity());
  std::byte* new_end = base_ + offset;
  const std::size_t bytes = static_cast<std::size_t>(new_end - commit_end_);
  if (!os::commit(commit_end_, bytes)) {
    error_ = Error::commit_failed;
    return false;
  }
  VMB_POISON(commit_end_, bytes);
  commit_end_ = new_end;
  ++stats_.commit_calls;
  stats_.committed_bytes += bytes;
  stats_.peak_committed_bytes = std::max(stats_.peak_committed_bytes, stats_.committed_bytes);
  return true;
}

bool Arena::grow_last(void* p, std::size_t old_size, std::size_t new_size) noexcept {
  auto* b = static_cast<std::byte*>(p);
  if (b < base_ || b > cur_ || static_cast<std::size_t>(cur_ - b) != old_size) return false;
  if (new_size <= old_size) {
    VMB_POISON(b + new_size, old_size - new_size);
    retired_bytes_ += old_size - new_size;
    cur_ = b + new_size;
    return true;
  }
  const std::size_t extra = new_size - old_size;
  const std::uintptr_t end = addr(cur_) + extra;
  if (end < addr(cur_)) {
    overflow();
    return false;
  }
  if (end > addr(limit_)) {
    error_ = Error::exhausted;
    return false;
  }
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
  if (commit_step_ == 0) return;
  const std::size_t keep = std::max(keep_bytes, pos());
  const std::size_t keep_offset = whole_steps_capped(keep, commit_step_, capacity());
  std::byte* from = base_ + keep_offset;
  if (from >= commit_end_) return;
  const std::size_t bytes = static_cast<std::size_t>(commit_end_ - from);
  if (!os::decommit(from, bytes)) return;  // still committed and usable: nothing to undo
  commit_end_ = from;
  ++stats_.decommit_calls;
  stats_.committed_bytes -= bytes;
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
  commit_step_ = step;
  retain_bytes_ = o.retain_bytes;
  reservation_bytes_ = total;
  stats_.reserved_bytes = total;
}

VirtualArena::~VirtualArena() {
  if (base_ == nullptr) return;
  // Clear the shadow first: ASan must not see stale poison if the range is mapped again later. The
  // committed range is always a prefix of the reservation, so its peak covers every poisoned byte.
  VMB_UNPOISON(base_, stats_.peak_committed_bytes);
  os::release(base_, reservation_bytes_);
}

FixedArena::FixedArena(void* buffer, std::size_t bytes) noexcept {
  if (buffer == nullptr) bytes = 0;
  base_ = cur_ = static_cast<std::byte*>(buffer);
  commit_end_ = limit_ = base_ + bytes;
  stats_.committed_bytes = stats_.peak_committed_bytes = bytes;
  VMB_POISON(buffer, bytes);
}

FixedArena::~FixedArena() {
  // The buffer is the caller's again: leave it unpoisoned.
  VMB_UNPOISON(base_, capacity());
}

}  // namespace vmb
