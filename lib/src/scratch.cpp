// Per-thread scratch arenas (vmb/scratch.hpp): each thread's arenas live in a thread_local array,
// created on first use and destroyed (their reservations released) when the thread exits; the
// options new arenas get are process-wide, behind a lock that only arena creation takes.
#include "vmb/scratch.hpp"

#include <mutex>
#include <optional>

namespace vmb {

namespace {

// 8 GiB: see default_scratch_options() in the header.
constexpr std::size_t kScratchReserveBytes = 8 * GiB;

struct ScratchOptions {
  std::mutex mutex;
  ArenaOptions options = default_scratch_options();
};

// Constructed on first use, whatever the order of static initialisation, and never destroyed, so that
// a thread still running while the process exits can create its arenas after static destructors ran.
ScratchOptions& shared_options() noexcept {
  static ScratchOptions* const shared = new ScratchOptions;
  return *shared;
}

// This thread's arenas, in the order scratch() offers them; empty until used.
thread_local std::optional<VirtualArena> t_arenas[kScratchArenasPerThread];

VirtualArena& arena_at(std::size_t i) noexcept {
  std::optional<VirtualArena>& slot = t_arenas[i];
  if (!slot.has_value()) slot.emplace(scratch_options());
  return *slot;
}

bool conflicts_with(std::span<const Arena* const> conflicts, const Arena* a) noexcept {
  for (const Arena* c : conflicts)
    if (c == a) return true;
  return false;
}

}  // namespace

ArenaOptions default_scratch_options() noexcept {
  ArenaOptions o;
  o.reserve_bytes = kScratchReserveBytes;
  return o;
}

void set_scratch_options(const ArenaOptions& options) noexcept {
  ScratchOptions& shared = shared_options();
  const std::lock_guard<std::mutex> lock(shared.mutex);
  shared.options = options;
}

ArenaOptions scratch_options() noexcept {
  ScratchOptions& shared = shared_options();
  const std::lock_guard<std::mutex> lock(shared.mutex);
  return shared.options;
}

// An arena not yet created cannot be a conflict (nobody holds it), so the first arena that is none of
// the conflicts is created only when every arena before it is in use as one.
VirtualArena& scratch(std::span<const Arena* const> conflicts) noexcept {
  for (std::size_t i = 0; i < kScratchArenasPerThread; ++i) {
    const std::optional<VirtualArena>& slot = t_arenas[i];
    if (!slot.has_value() || !conflicts_with(conflicts, &*slot)) return arena_at(i);
  }
  fatal("scratch: every scratch arena of this thread is a conflict (raise kScratchArenasPerThread)");
}

VirtualArena& scratch(std::initializer_list<const Arena*> conflicts) noexcept {
  return scratch(std::span<const Arena* const>(conflicts.begin(), conflicts.size()));
}

VirtualArena& scratch(const Arena* conflict) noexcept { return scratch(std::span<const Arena* const>(&conflict, 1)); }

VirtualArena& scratch() noexcept { return arena_at(0); }

void scratch_decommit_unused() noexcept {
  for (std::optional<VirtualArena>& slot : t_arenas)
    if (slot.has_value()) slot->decommit_unused();
}

}  // namespace vmb
