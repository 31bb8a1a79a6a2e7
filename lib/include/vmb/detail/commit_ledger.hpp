// The commit bookkeeping that every reserve-then-commit allocator here (VirtualArena, Pool) does, in
// one place: which prefix of the reservation is committed, committing and decommitting it in whole
// steps with one system call each, and the counters. Internal: not part of the library's API.
#pragma once

#include <cstddef>

#include "vmb/commit_stats.hpp"

namespace vmb::detail {

// Invariants (checked by VMB_ASSERT in debug builds): an allocator's committed range is the prefix
// [base, commit_end) of its reservation, commit_end - base == stats().committed_bytes, and
// commit_end - base is a whole number of steps or the whole capacity.
class CommitLedger {
 public:
  // A reservation of `reserved_bytes` committed in steps of `step_bytes` (a multiple of the page size).
  void start(std::size_t reserved_bytes, std::size_t step_bytes) noexcept;
  // Memory that is committed from the start and never commits or decommits (a FixedArena's buffer).
  void start_committed(std::size_t committed_bytes) noexcept;

  const CommitStats& stats() const noexcept { return stats_; }
  // 0 when nothing can be committed (a FixedArena, or before start()).
  std::size_t step_bytes() const noexcept { return step_bytes_; }

  // Commit from commit_end until `need_bytes` from base are covered: whole steps counted from base,
  // the last clipped to `capacity_bytes`, in one system call. Returns the new commit end, or null when
  // the OS refuses (nothing changed then). Under ASan the new range is poisoned: not handed out yet.
  std::byte* commit_to(std::byte* base, std::byte* commit_end, std::size_t capacity_bytes,
                       std::size_t need_bytes) noexcept;

  // Decommit everything above max(keep_bytes, what is in use) rounded up to a whole step, in one call.
  // `keep_bytes` must already include what is in use. Returns the new commit end: commit_end itself
  // when nothing lies above, or when the OS refused (the pages then stay committed and usable).
  std::byte* decommit_above(std::byte* base, std::byte* commit_end, std::size_t capacity_bytes,
                            std::size_t keep_bytes) noexcept;

 private:
  CommitStats stats_{};
  std::size_t step_bytes_ = 0;
};

}  // namespace vmb::detail
