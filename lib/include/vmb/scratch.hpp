// Per-thread scratch arenas: temporary memory for the length of a call, without an arena passed down
// and without a lock, in the spirit of the RAD Debugger's scratch arenas. Every thread has
// kScratchArenasPerThread VirtualArenas of its own, each created on the thread's first use of it and
// released when the thread exits. A ScratchScope takes one and pops it back when it ends.
//
// Why more than one: a function that returns its result in an arena its caller passed in, and that
// needs scratch memory of its own, must not take its scratch from that same arena: its scope's end
// would pop the result away. It names that arena as a conflict, and gets another one:
//
//   Result* parse(vmb::Arena& out, const char* text) {
//     vmb::ScratchScope scratch(&out);        // a scratch arena of this thread that is not `out`
//     Token* tokens = scratch.arena().push_array<Token>(n);
//     ...                                     // the result is pushed on `out`; tokens go at the end
//   }
//
// Thread-safety contract: every function here works on the calling thread's own arenas, so threads
// never share one and nothing locks; an arena or a scope must not be handed to another thread.
// set_scratch_options() may be called from any thread at any time (it takes a lock; it is read only
// when a thread creates an arena).
//
// API, in groups:   get       scratch(), scratch(conflict), scratch(conflicts), ScratchScope
//                   options   default_scratch_options, set_scratch_options, scratch_options
//                   trim      scratch_decommit_unused
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>

#include "vmb/arena.hpp"
#include "vmb/config.hpp"

namespace vmb {

// Scratch arenas each thread may have. A function with k output arenas that needs scratch needs k + 1;
// two (the RAD Debugger's count) serve the usual case of one output arena, and the others cost
// nothing until a thread uses them.
inline constexpr std::size_t kScratchArenasPerThread = 4;

// The options a scratch arena gets unless set_scratch_options() says otherwise: ArenaOptions'
// defaults with 8 GiB reserved instead of 64 GiB, so that 1024 threads with every arena in use
// reserve 32 TiB of the 128 TiB of x86-64 user address space (reserving costs no memory).
ArenaOptions default_scratch_options() noexcept;
// The options of every scratch arena created after the call, by any thread; arenas already created
// keep theirs.
void set_scratch_options(const ArenaOptions& options) noexcept;
ArenaOptions scratch_options() noexcept;

// The calling thread's first scratch arena that is none of `conflicts` (null entries are ignored),
// created now if this is the thread's first use of it. Aborts with a message if every one of the
// thread's kScratchArenasPerThread arenas is a conflict. If the arena's reservation failed, the arena
// is returned anyway: ok() is false and every push returns null with last_error() saying why.
VirtualArena& scratch(std::span<const Arena* const> conflicts) noexcept;
VirtualArena& scratch(std::initializer_list<const Arena*> conflicts) noexcept;
VirtualArena& scratch(const Arena* conflict) noexcept;
VirtualArena& scratch() noexcept;

// A scratch arena of the calling thread, and an ArenaScope on it: everything pushed on arena() while
// the scope lives is popped when it ends. Scopes end in reverse order of creation on each arena
// (ArenaScope's rule, checked in every build), which nested calls give by themselves.
class ScratchScope {
 public:
  ScratchScope() noexcept : ScratchScope(scratch()) {}
  explicit ScratchScope(const Arena* conflict) noexcept : ScratchScope(scratch(conflict)) {}
  explicit ScratchScope(std::initializer_list<const Arena*> conflicts) noexcept
      : ScratchScope(scratch(conflicts)) {}
  explicit ScratchScope(std::span<const Arena* const> conflicts) noexcept : ScratchScope(scratch(conflicts)) {}
  ScratchScope(const ScratchScope&) = delete;
  ScratchScope& operator=(const ScratchScope&) = delete;

  VirtualArena& arena() const noexcept { return arena_; }
  // Where the arena's position was when the scope began.
  std::size_t saved_pos() const noexcept { return scope_.saved_pos(); }

 private:
  explicit ScratchScope(VirtualArena& arena) noexcept : arena_(arena), scope_(arena) {}

  VirtualArena& arena_;
  ArenaScope scope_;
};

// Decommit every committed page above the position of each of the calling thread's scratch arenas:
// after a call that needed much more scratch than usual (scopes pop, but keep pages committed).
void scratch_decommit_unused() noexcept;

}  // namespace vmb
