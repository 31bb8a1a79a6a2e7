// The commit bookkeeping shared by VirtualArena and Pool (vmb/detail/commit_ledger.hpp).
#include "vmb/detail/commit_ledger.hpp"

#include <algorithm>

#include "vmb/assert.hpp"
#include "vmb/config.hpp"
#include "vmb/detail/size_math.hpp"
#include "vmb/os.hpp"

namespace vmb::detail {

void CommitLedger::start(std::size_t reserved_bytes, std::size_t step_bytes) noexcept {
  VMB_ASSERT(step_bytes != 0 && step_bytes % os::page_size() == 0, "commit step not a whole number of pages");
  stats_ = CommitStats{};
  stats_.reserved_bytes = reserved_bytes;
  step_bytes_ = step_bytes;
}

void CommitLedger::start_committed(std::size_t committed_bytes) noexcept {
  stats_ = CommitStats{};
  stats_.committed_bytes = stats_.peak_committed_bytes = committed_bytes;
  step_bytes_ = 0;
}

std::byte* CommitLedger::commit_to(std::byte* base, std::byte* commit_end, std::size_t capacity_bytes,
                                   std::size_t need_bytes) noexcept {
  VMB_ASSERT(step_bytes_ != 0, "commit in an allocator that cannot commit");
  VMB_ASSERT(static_cast<std::size_t>(commit_end - base) == stats_.committed_bytes,
             "the committed range is not the prefix the counters say");
  VMB_ASSERT(need_bytes <= capacity_bytes, "commit beyond the capacity");
  std::byte* const new_end = base + whole_steps_capped(need_bytes, step_bytes_, capacity_bytes);
  VMB_ASSERT(new_end > commit_end, "commit of nothing");
  const std::size_t bytes = static_cast<std::size_t>(new_end - commit_end);
  if (!os::commit(commit_end, bytes)) return nullptr;
  VMB_POISON(commit_end, bytes);
  ++stats_.commit_calls;
  stats_.committed_bytes += bytes;
  stats_.peak_committed_bytes = std::max(stats_.peak_committed_bytes, stats_.committed_bytes);
  return new_end;
}

std::byte* CommitLedger::decommit_above(std::byte* base, std::byte* commit_end, std::size_t capacity_bytes,
                                        std::size_t keep_bytes) noexcept {
  if (step_bytes_ == 0) return commit_end;  // committed for good: nothing to give back
  VMB_ASSERT(static_cast<std::size_t>(commit_end - base) == stats_.committed_bytes,
             "the committed range is not the prefix the counters say");
  std::byte* const from = base + whole_steps_capped(keep_bytes, step_bytes_, capacity_bytes);
  if (from >= commit_end) return commit_end;
  const std::size_t bytes = static_cast<std::size_t>(commit_end - from);
  if (!os::decommit(from, bytes)) return commit_end;  // still committed and usable: nothing to undo
  ++stats_.decommit_calls;
  stats_.committed_bytes -= bytes;
  return from;
}

}  // namespace vmb::detail
