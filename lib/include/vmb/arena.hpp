// Linear (bump) arenas: allocation is a pointer increment, freeing is resetting the position.
//   VirtualArena  reserves a large address range and commits pages only as the position crosses them.
//   FixedArena    bumps through a caller's buffer (no system calls at all).
// Both share Arena's interface, so code takes `Arena&` and works on either.
//
// API, in groups:   create        VirtualArena(options), FixedArena(buffer, bytes)
//                   push          push, push_zeroed, push_array, create<T>, grow_last
//                   pop           pos, pop_to, clear, decommit_unused
//                   temp scopes   ArenaScope (RAII, strictly LIFO)
//                   inspect       stats, commit_stats, last_error, owns, capacity
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

#include "vmb/assert.hpp"
#include "vmb/commit_stats.hpp"
#include "vmb/config.hpp"
#include "vmb/detail/commit_ledger.hpp"
#include "vmb/detail/size_math.hpp"
#include "vmb/error.hpp"

// Counting pushes costs a memory update on every push (measured: about 3x the time of a 16-byte
// push, docs/library.md), so only builds that count operations do (VMB_COUNT_OPS, vmb/config.hpp:
// debug builds by default); -DVMB_COUNT_PUSHES=1 or 0 decides for the arena alone.
#ifndef VMB_COUNT_PUSHES
#define VMB_COUNT_PUSHES VMB_COUNT_OPS
#endif

namespace vmb {

// Counters kept by every arena. The first five are an arena's CommitStats (vmb/commit_stats.hpp, which
// says what a commit and a decommit call are). Bytes are exact.
struct ArenaStats {
  std::size_t reserved_bytes = 0;        // address space held (0 for a FixedArena's caller buffer)
  std::size_t committed_bytes = 0;       // readable/writable now (a FixedArena: its buffer size)
  std::size_t peak_committed_bytes = 0;  // high-water mark of committed_bytes
  std::uint64_t commit_calls = 0;
  std::uint64_t decommit_calls = 0;
  std::uint64_t pushed_bytes = 0;        // bytes handed out over the arena's life, alignment padding
                                         // included (derived from the position: costs no push)
  std::uint64_t pushes = 0;              // counted only where VMB_COUNT_PUSHES is 1 (debug builds
                                         // by default); 0 otherwise
};

struct ArenaOptions {
  // Address space to reserve. 64 GiB costs no memory: Linux maps it PROT_NONE + MAP_NORESERVE, so no
  // page tables and no overcommit charge exist until pages are committed. Rounded up to the OS
  // allocation granularity.
  std::size_t reserve_bytes = 64 * GiB;
  // Commit in steps of this many bytes (rounded up to the page size). 64 KiB makes one mprotect per
  // 16 pages; 4 KiB gives the page-by-page version; 2 MiB suits transparent huge pages.
  std::size_t commit_step_bytes = 64 * KiB;
  // clear() decommits everything above this many bytes and keeps the rest committed, so an arena
  // that is filled and cleared in a loop reuses hot pages without a system call or a page fault.
  std::size_t retain_bytes = 64 * MiB;
  // Reserve one extra page after the usable range that is never committed, so writing past the end
  // of a full arena faults instead of touching a neighbouring mapping.
  bool guard_page = false;
  // madvise(MADV_HUGEPAGE) on the reservation (Linux; ignored where unsupported).
  bool huge_pages = false;
};

class ArenaScope;

class Arena {
 public:
  static constexpr std::size_t kDefaultAlign = alignof(std::max_align_t);

  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `size` bytes aligned to `align` (a power of two), or null with last_error() set. The fast path
  // is inline and makes no system call: one comparison of the bytes needed (padding included)
  // against the committed room left. At the usual call site, push(sizeof(T), alignof(T)), that is the
  // only branch (ctest vmb_arena_fast_path checks it in the disassembly); a run-time size adds an
  // overflow test. Crossing into uncommitted pages, bad alignment and exhaustion are all handled out
  // of line in push_slow. No counter is updated here in release builds: a per-push counter
  // measurably costs (see docs/library.md); pushed bytes are derived from the position instead.
  VMB_INLINE void* push(std::size_t size, std::size_t align = kDefaultAlign) noexcept {
    const std::uintptr_t cur = reinterpret_cast<std::uintptr_t>(cur_);
    const std::uintptr_t mask = align - 1;
    // The new position is the aligned start plus the size: add, and, add, the same three operations
    // as a bare bump, on the chain that runs from one push to the next through cur_. The check below
    // is computed beside that chain, not on it (one operation more on the chain measured 1.33x a bare
    // bump). Both agree whenever the check passes (modulo 2^64, (cur + mask) & ~mask == cur + pad).
    const std::uintptr_t p = (cur + mask) & ~mask;
    const std::size_t room = reinterpret_cast<std::uintptr_t>(commit_end_) - cur;
    const std::size_t pad = (0 - cur) & mask;  // bytes up to the next multiple of align
    std::size_t need = 0;
    const bool wraps = detail::add_overflows(size, pad, &need);
    // Bitwise & (not &&) so the checks combine instead of each getting its own branch; the alignment
    // test is a constant at almost every call site and folds away, and so does `wraps` for a constant
    // size. `need < room`, not `<=`: an arena that holds nothing (a failed VirtualArena, a FixedArena
    // over null) has room 0, and a zero-byte push there must reach push_slow to fail with last_error
    // set (found by tests/fuzz/arena_fuzz); an exact fit also goes the slow way, which costs one call
    // only when the committed room is filled.
    if (VMB_LIKELY(std::has_single_bit(align) & !wraps & (need < room))) {
      VMB_ASSERT(cur_ >= base_ && cur_ <= commit_end_ && commit_end_ <= limit_,
                 "arena: base <= position <= commit end <= limit broken");
      VMB_ASSERT(p == cur + pad, "arena: the aligned start and the padding disagree");
      cur_ = reinterpret_cast<std::byte*>(p + size);
      last_ = reinterpret_cast<std::byte*>(p);  // beside cur_'s store: lets grow_last refuse what it never returned
#if VMB_COUNT_PUSHES
      ++pushes_;
#endif
      VMB_UNPOISON(reinterpret_cast<void*>(p), size);
      return reinterpret_cast<void*>(p);
    }
    return push_slow(size, align);
  }

  void* push_zeroed(std::size_t size, std::size_t align = kDefaultAlign) noexcept {
    void* p = push(size, align);
    if (p != nullptr) std::memset(p, 0, size);
    return p;
  }

  // Room for n objects of T, not constructed (for implicit-lifetime types: scalars, trivial
  // structs). Null if n * sizeof(T) overflows.
  template <class T>
  VMB_INLINE T* push_array(std::size_t n) noexcept {
    if (VMB_UNLIKELY(n > SIZE_MAX / sizeof(T))) return static_cast<T*>(overflow());
    return static_cast<T*>(push(n * sizeof(T), alignof(T)));
  }

  // One T constructed in place. The arena never runs destructors: use it for types whose destructor
  // does nothing, or destroy them yourself before popping.
  template <class T, class... Args>
  VMB_INLINE T* create(Args&&... args) {
    void* p = push(sizeof(T), alignof(T));
    return p != nullptr ? ::new (p) T(std::forward<Args>(args)...) : nullptr;
  }

  // Resize the newest block in place (grow or shrink): p must be what the most recent push returned
  // (not popped since) and old_size its current size. False, and nothing changed but last_error(),
  // when it is not (bad_pointer) or the arena has no room (exhausted, commit_failed, size_overflow).
  bool grow_last(void* p, std::size_t old_size, std::size_t new_size) noexcept;

  // Bytes from the start of the arena to the next free byte.
  std::size_t pos() const noexcept { return static_cast<std::size_t>(cur_ - base_); }

  // Free everything pushed after position `pos`. False (nothing changed) if pos is beyond pos().
  bool pop_to(std::size_t pos) noexcept;

  // Free everything; decommit above options.retain_bytes (VirtualArena).
  void clear() noexcept;

  // Decommit every committed page above the current position (VirtualArena; no-op otherwise).
  void decommit_unused() noexcept;

  bool owns(const void* p) const noexcept {
    auto* b = static_cast<const std::byte*>(p);
    return b >= base_ && b < cur_;
  }

  ArenaStats stats() const noexcept;
  // The commit counters alone (stats() has them too).
  const CommitStats& commit_stats() const noexcept { return ledger_.stats(); }
  // Why the last failing call failed. An arena whose construction failed keeps that error for good.
  Error last_error() const noexcept { return error_; }
  // Usable capacity in bytes (reservation without guard page, or the fixed buffer).
  std::size_t capacity() const noexcept { return static_cast<std::size_t>(limit_ - base_); }

 protected:
  Arena() = default;
  ~Arena() = default;

  // Invariants (VMB_ASSERT in debug builds): base_ <= cur_ <= commit_end_ <= limit_. [base_,
  // commit_end_) is readable/writable; commit_end_ is a whole number of commit steps from base_ (or
  // limit_). last_ is null or in [base_, cur_]. Under ASan, [cur_, commit_end_) is poisoned.
  std::byte* cur_ = nullptr;         // next free byte (hot: read on every push)
  std::byte* last_ = nullptr;        // start of the newest block, for grow_last (hot: written by push,
                                     // in the 16 bytes that cur_'s store writes too)
  std::byte* commit_end_ = nullptr;  // end of the committed range (hot)
  std::byte* base_ = nullptr;
  std::byte* limit_ = nullptr;       // end of the usable range
  detail::CommitLedger ledger_;      // the committed prefix's counters; step 0 for a FixedArena
  std::uint64_t pushes_ = 0;         // counted only where VMB_COUNT_PUSHES is 1
  std::uint64_t retired_bytes_ = 0;  // bytes popped so far: pushed bytes = retired + pos()
  std::size_t retain_bytes_ = 0;
  std::size_t reservation_bytes_ = 0;  // what release() must be given (VirtualArena)
  std::uint32_t scope_depth_ = 0;
  Error error_ = Error::none;

 private:
  friend class ArenaScope;
  VMB_COLD void* push_slow(std::size_t size, std::size_t align) noexcept;
  VMB_COLD void* overflow() noexcept;
  VMB_COLD bool refuse(Error why) noexcept;
  bool construction_failed() const noexcept { return base_ == nullptr && is_construction_error(error_); }
  bool commit_to(std::uintptr_t end) noexcept;
  void decommit_above(std::size_t keep_bytes) noexcept;
  void end_scope(std::size_t pos, std::uint32_t depth) noexcept;
};

// An arena backed by a reservation of virtual address space, committed as it grows.
class VirtualArena final : public Arena {
 public:
  explicit VirtualArena(const ArenaOptions& options = {}) noexcept;
  ~VirtualArena();
  // False when the reservation failed or the options were invalid (last_error() says which);
  // every push then returns null.
  bool ok() const noexcept { return base_ != nullptr; }
};

// An arena over a caller-provided buffer (the arena does not own it). Never makes a system call.
// A buffer whose end would wrap around the address space (buffer + bytes > SIZE_MAX) is refused:
// the arena then holds nothing and every push fails with bad_options.
class FixedArena final : public Arena {
 public:
  FixedArena(void* buffer, std::size_t bytes) noexcept;
  ~FixedArena();
};

// Saves the arena position and pops back to it when it goes out of scope. Scopes on one arena must
// end in reverse order of creation; ending one out of order is a bug and aborts with a message.
class ArenaScope {
 public:
  explicit ArenaScope(Arena& arena) noexcept
      : arena_(arena), pos_(arena.pos()), depth_(++arena.scope_depth_) {}
  ~ArenaScope() { arena_.end_scope(pos_, depth_); }
  ArenaScope(const ArenaScope&) = delete;
  ArenaScope& operator=(const ArenaScope&) = delete;

  std::size_t saved_pos() const noexcept { return pos_; }

 private:
  Arena& arena_;
  std::size_t pos_;
  std::uint32_t depth_;
};

}  // namespace vmb
