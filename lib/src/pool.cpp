// The pool's slow paths: construction, committing more slots, the checks, reset, and the counters
// derived on demand. The fast paths (detail::pool_allocate, pool_free) are inline in
// vmb/detail/pool_core.hpp.
#include <algorithm>
#include <cstring>

#include "vmb/assert.hpp"
#include "vmb/detail/pool_core.hpp"
#include "vmb/detail/size_math.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmb::detail {

namespace {

constexpr int kBitsPerByte = 8;

std::size_t tail_slots(const SlotList& s, const PoolCold& c) noexcept {
  return c.base == nullptr ? 0 : static_cast<std::size_t>(s.tail - c.base) / s.stride;
}

std::size_t slot_index(const SlotList& s, const PoolCold& c, const std::byte* slot) noexcept {
  return static_cast<std::size_t>(slot - c.base) / s.stride;
}

// The live-slot bitmap's commits are bookkeeping of the checks, not the pool's memory: they are not
// counted in the ledger, so the counters are the same with checks on or off.
bool ensure_bitmap(PoolCold& c, std::size_t slots) noexcept {
  std::size_t need = 0;
  if (!align_up_checked(slots / kBitsPerByte + 1, os::page_size(), &need)) return false;
  need = std::min(need, c.live_bits_reserved);
  if (need <= c.live_bits_committed) return true;
  if (!os::commit(c.live_bits + c.live_bits_committed, need - c.live_bits_committed)) return false;
  c.live_bits_committed = need;
  return true;
}

// Commit whole steps from base until one more slot fits after the tail: one system call for the
// slots (and, with checks, one for the bitmap first; it is given back if the slots' commit fails, so
// that a refusal changes nothing).
bool commit_more(SlotList& s, PoolCold& c, bool checks) noexcept {
  if (static_cast<std::size_t>(c.limit - s.tail) < s.stride) {
    c.error = Error::exhausted;
    return false;
  }
  const std::size_t capacity = static_cast<std::size_t>(c.limit - c.base);
  const std::size_t need = static_cast<std::size_t>(s.tail - c.base) + s.stride;
  const std::size_t bitmap_before = c.live_bits_committed;
  if (checks && !ensure_bitmap(c, whole_steps_capped(need, c.ledger.step_bytes(), capacity) / s.stride)) {
    c.error = Error::commit_failed;
    return false;
  }
  std::byte* const new_end = c.ledger.commit_to(c.base, s.commit_end, capacity, need);
  if (new_end == nullptr) {
    if (c.live_bits_committed != bitmap_before) {  // undo: the pool's state stays as it was
      os::decommit(c.live_bits + bitmap_before, c.live_bits_committed - bitmap_before);
      c.live_bits_committed = bitmap_before;
    }
    c.error = Error::commit_failed;
    return false;
  }
  s.commit_end = new_end;
  return true;
}

}  // namespace

void pool_init(SlotList& s, PoolCold& c, const PoolOptions& o, bool checks) noexcept {
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
    c.error = Error::bad_options;
    return;
  }
  void* p = os::reserve(total);
  if (p == nullptr) {
    c.error = Error::reserve_failed;
    return;
  }
  if (checks) {
    const std::size_t max_slots = usable / stride;
    std::size_t bits = 0;
    align_up_checked(max_slots / kBitsPerByte + 1, gran, &bits);
    c.live_bits = static_cast<std::uint8_t*>(os::reserve(bits));
    if (c.live_bits == nullptr) {
      os::release(p, total);
      c.error = Error::reserve_failed;
      return;
    }
    c.live_bits_reserved = bits;
  }
  c.base = s.tail = s.commit_end = static_cast<std::byte*>(p);
  c.limit = c.base + usable;
  s.stride = stride;
  c.reservation_bytes = total;
  c.retain_bytes = o.retain_bytes;
  c.ledger.start(total, step);
}

void pool_destroy(SlotList&, PoolCold& c) noexcept {
  if (c.base == nullptr) return;
  VMB_UNPOISON(c.base, c.ledger.stats().peak_committed_bytes);  // committed is a prefix: its peak covers all
  os::release(c.base, c.reservation_bytes);
  if (c.live_bits != nullptr) os::release(c.live_bits, c.live_bits_reserved);
}

void* pool_refill(SlotList& s, PoolCold& c, bool checks, bool counts) noexcept {
  if (c.base == nullptr) return nullptr;  // construction failed: c.error already says why, for good
  VMB_ASSERT(s.free == nullptr, "pool: refilling while the free list has slots");
  if (!commit_more(s, c, checks)) return nullptr;
  std::byte* slot = s.tail;
  s.tail += s.stride;
  VMB_ASSERT(s.tail <= s.commit_end && s.commit_end <= c.limit, "pool: tail <= commit end <= limit broken");
  VMB_UNPOISON(slot, s.stride);
  if (checks) pool_mark_live(s, c, slot);
  if (counts) ++c.allocations;
  return slot;
}

void pool_mark_live(const SlotList& s, PoolCold& c, std::byte* slot) noexcept {
  const std::size_t i = slot_index(s, c, slot);
  VMB_ASSERT(i / kBitsPerByte < c.live_bits_committed, "pool: a live slot beyond the committed bitmap");
  c.live_bits[i / kBitsPerByte] |= static_cast<std::uint8_t>(1u << (i % kBitsPerByte));
}

void pool_mark_free(const SlotList& s, PoolCold& c, std::byte* slot) noexcept {
  if (!pool_owns(s, c, slot)) fatal("pool: free of a pointer this pool did not hand out");
  const std::size_t i = slot_index(s, c, slot);
  const auto bit = static_cast<std::uint8_t>(1u << (i % kBitsPerByte));
  if ((c.live_bits[i / kBitsPerByte] & bit) == 0) fatal("pool: double free");
  c.live_bits[i / kBitsPerByte] &= static_cast<std::uint8_t>(~bit);
  std::memset(slot + sizeof(void*), kFreedSlotFill, s.stride - sizeof(void*));
}

bool pool_owns(const SlotList& s, const PoolCold& c, const void* p) noexcept {
  auto* b = static_cast<const std::byte*>(p);
  return b >= c.base && b < s.tail && static_cast<std::size_t>(b - c.base) % s.stride == 0;
}

void pool_reset(SlotList& s, PoolCold& c) noexcept {
  if (c.base == nullptr) return;
  c.peak_before_reset = std::max(c.peak_before_reset, tail_slots(s, c));
  s.free = nullptr;
  s.tail = c.base;
  VMB_POISON(c.base, static_cast<std::size_t>(s.commit_end - c.base));
  if (c.live_bits != nullptr) std::memset(c.live_bits, 0, c.live_bits_committed);
  s.commit_end = c.ledger.decommit_above(c.base, s.commit_end, static_cast<std::size_t>(c.limit - c.base),
                                         c.retain_bytes);
}

// Live slots without a counter: every slot below the tail is live or on the free list, so live =
// tail slots - free-list length. The walk is bounded by the tail's slot count, so a free list that a
// double free in a pool without checks turned into a cycle cannot hang it.
PoolStats pool_stats(const SlotList& s, const PoolCold& c) noexcept {
  const CommitStats& commits = c.ledger.stats();
  PoolStats st;
  st.reserved_bytes = commits.reserved_bytes;
  st.committed_bytes = commits.committed_bytes;
  st.peak_committed_bytes = commits.peak_committed_bytes;
  st.commit_calls = commits.commit_calls;
  st.decommit_calls = commits.decommit_calls;
  st.allocations = c.allocations;
  st.frees = c.frees;
  const std::size_t below_tail = tail_slots(s, c);
  std::size_t free_slots = 0;
  for (const std::byte* slot = s.free; slot != nullptr && free_slots < below_tail; ++free_slots) {
    const std::byte* next = nullptr;
    VMB_UNPOISON(slot, sizeof next);  // a free slot is poisoned, its link included
    std::memcpy(&next, slot, sizeof next);
    VMB_POISON(slot, sizeof next);
    slot = next;
  }
  st.live_slots = below_tail - free_slots;
  st.peak_live_slots = std::max(c.peak_before_reset, below_tail);
  return st;
}

}  // namespace vmb::detail
