// The pool's slow paths: construction, committing more slots, debug checks, reset.
// The fast paths (Pool::allocate, Pool::free) are inline in pool.hpp.
#include "vmb/pool.hpp"

#include <algorithm>

#include "vmb/os.hpp"

namespace vmb {

namespace {
constexpr int kBitsPerByte = 8;
}  // namespace

Pool::Pool(const PoolOptions& o) noexcept {
  const std::size_t page = os::page_size();
  const std::size_t gran = os::allocation_granularity();
  const std::size_t align = std::max(o.slot_align, alignof(void*));
  std::size_t stride = 0, usable = 0, step = 0, total = 0;
  if (!is_pow2(o.slot_align) || o.slot_align > page || o.slot_bytes == 0 || o.reserve_bytes == 0 ||
      o.commit_step_bytes == 0 ||
      !align_up_checked(std::max(o.slot_bytes, sizeof(void*)), align, &stride) ||
      !align_up_checked(o.reserve_bytes, page, &usable) ||
      !align_up_checked(o.commit_step_bytes, page, &step) ||
      !align_up_checked(usable, gran, &total) || stride > usable) {
    error_ = Error::bad_options;
    return;
  }
  void* p = os::reserve(total);
  if (p == nullptr) {
    error_ = Error::reserve_failed;
    return;
  }
  if (o.checks) {
    const std::size_t max_slots = usable / stride;
    std::size_t bits = 0;
    align_up_checked(max_slots / kBitsPerByte + 1, gran, &bits);
    live_bits_ = static_cast<std::uint8_t*>(os::reserve(bits));
    if (live_bits_ == nullptr) {
      os::release(p, total);
      error_ = Error::reserve_failed;
      return;
    }
    live_bits_reserved_ = bits;
  }
  base_ = tail_ = commit_end_ = static_cast<std::byte*>(p);
  limit_ = base_ + usable;
  stride_ = stride;
  checks_ = o.checks;
  reservation_bytes_ = total;
  commit_step_ = step;
  retain_bytes_ = o.retain_bytes;
  stats_.reserved_bytes = total;
}

Pool::~Pool() {
  if (base_ == nullptr) return;
  VMB_UNPOISON(base_, stats_.peak_committed_bytes);  // committed is a prefix: its peak covers all
  os::release(base_, reservation_bytes_);
  if (live_bits_ != nullptr) os::release(live_bits_, live_bits_reserved_);
}

void* Pool::allocate_slow() noexcept {
  if (base_ == nullptr) return nullptr;  // construction failed: error_ already says why
  if (!commit_more()) return nullptr;
  std::byte* s = tail_;
  tail_ += stride_;
  VMB_UNPOISON(s, stride_);
  if (checks_) mark_live(s);
  ++allocations_;
  return s;
}

// Commit whole steps from base_ until one more slot fits after tail_; one system call.
bool Pool::commit_more() noexcept {
  const std::size_t room = static_cast<std::size_t>(limit_ - tail_);
  if (room < stride_) {
    error_ = Error::exhausted;
    return false;
  }
  const std::size_t need = static_cast<std::size_t>(tail_ - base_) + stride_;
  const std::size_t offset = whole_steps_capped(need, commit_step_, static_cast<std::size_t>(limit_ - base_));
  std::byte* new_end = base_ + offset;
  const std::size_t bytes = static_cast<std::size_t>(new_end - commit_end_);
  if (!os::commit(commit_end_, bytes)) {
    error_ = Error::commit_failed;
    return false;
  }
  if (checks_ && !ensure_bitmap(offset / stride_)) {
    os::decommit(commit_end_, bytes);  // undo: the pool's state stays as it was
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

// The live-slot bitmap's commits are bookkeeping of the debug checks, not the pool's memory: they
// are not counted in stats(), so the counters are the same with checks on or off.
bool Pool::ensure_bitmap(std::size_t slots) noexcept {
  std::size_t need = 0;
  if (!align_up_checked(slots / kBitsPerByte + 1, os::page_size(), &need)) return false;
  need = std::min(need, live_bits_reserved_);
  if (need <= live_bits_committed_) return true;
  if (!os::commit(live_bits_ + live_bits_committed_, need - live_bits_committed_)) return false;
  live_bits_committed_ = need;
  return true;
}

void Pool::mark_live(std::byte* s) noexcept {
  const std::size_t i = static_cast<std::size_t>(s - base_) / stride_;
  live_bits_[i / kBitsPerByte] |= static_cast<std::uint8_t>(1u << (i % kBitsPerByte));
}

void Pool::mark_free(std::byte* s) noexcept {
  if (!owns(s)) fatal("pool: free of a pointer this pool did not hand out");
  const std::size_t i = static_cast<std::size_t>(s - base_) / stride_;
  const auto bit = static_cast<std::uint8_t>(1u << (i % kBitsPerByte));
  if ((live_bits_[i / kBitsPerByte] & bit) == 0) fatal("pool: double free");
  live_bits_[i / kBitsPerByte] &= static_cast<std::uint8_t>(~bit);
  std::memset(s + sizeof(void*), kFreedSlotFill, stride_ - sizeof(void*));
}

bool Pool::owns(const void* p) const noexcept {
  auto* b = static_cast<const std::byte*>(p);
  return b >= base_ && b < tail_ && static_cast<std::size_t>(b - base_) % stride_ == 0;
}

void Pool::reset() noexcept {
  if (base_ == nullptr) return;
  peak_before_reset_ = stats().peak_live_slots;
  dropped_ = allocations_ - frees_;
  free_ = nullptr;
  tail_ = base_;
  VMB_POISON(base_, static_cast<std::size_t>(commit_end_ - base_));
  if (checks_) std::memset(live_bits_, 0, live_bits_committed_);
  const std::size_t keep = whole_steps_capped(retain_bytes_, commit_step_, static_cast<std::size_t>(limit_ - base_));
  std::byte* from = base_ + keep;
  if (from >= commit_end_) return;
  const std::size_t bytes = static_cast<std::size_t>(commit_end_ - from);
  if (!os::decommit(from, bytes)) return;
  commit_end_ = from;
  ++stats_.decommit_calls;
  stats_.committed_bytes -= bytes;
}

}  // namespace vmb
