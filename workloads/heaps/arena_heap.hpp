// vmb::VirtualArena, one per lifetime group: persistent objects in one, phase objects in the other,
// whose position is popped back at phase_end. No individual free: a dead object's bytes stay until
// its group goes, and the figures show what that costs.
#pragma once

#include <algorithm>

#include "heap.hpp"
#include "params.hpp"
#include "valgrind_reserve.hpp"
#include "vmb/arena.hpp"
#include "vmb/os.hpp"

namespace vmbench {

class ArenaHeap {
 public:
  static constexpr const char* kName = "arena";
  static constexpr bool kIndividualFree = false;
  static constexpr int kMaxPhaseDepth = 16;
  static constexpr int kRegions = 2;  // persistent and phase

  explicit ArenaHeap(const Params& p)
      : persistent_(options(p)), phase_(options(p)), reserve_bytes_(options(p).reserve_bytes),
        os_error_(ok() ? 0 : vmb::os::last_error()) {}

  bool ok() const noexcept { return persistent_.ok() && phase_.ok(); }
  std::string failure() const {
    for (const vmb::VirtualArena* a : {&persistent_, &phase_})
      if (!a->ok()) return region_failure(*a, reserve_bytes_, os_error_);
    return "";
  }

  template <Life L>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) noexcept {
    return region<L>().push(bytes, align);
  }
  template <Life L>
  VMB_INLINE void free(void*, std::size_t, std::size_t) noexcept {}

  void phase_begin() noexcept { marks_[depth_++] = phase_.pos(); }
  void phase_end() noexcept { phase_.pop_to(marks_[--depth_]); }
  bool grow_in_place(void* p, std::size_t old_bytes, std::size_t new_bytes) noexcept {
    return phase_.grow_last(p, old_bytes, new_bytes);
  }
  // Everything is dead: clear both arenas, which decommits all but `retain` bytes of each.
  void release_all() noexcept {
    persistent_.clear();
    phase_.clear();
  }
  HeapCounters counters() const {
    HeapCounters c;
    c.add_region(persistent_.stats());
    c.add_region(phase_.stats());
    return c;
  }

  static vmb::ArenaOptions options(const Params& p) {
    vmb::ArenaOptions o;
    o.reserve_bytes = region_reserve_bytes(p.bytes("reserve"), kRegions);  // capped under Valgrind
    o.commit_step_bytes = p.bytes("commit_step");
    o.retain_bytes = p.bytes("retain");
    o.huge_pages = p.text("huge_pages") == "on";
    return o;
  }

 private:
  template <Life L>
  VMB_INLINE vmb::VirtualArena& region() noexcept {
    if constexpr (L == Life::persistent) return persistent_;
    else return phase_;
  }

  vmb::VirtualArena persistent_;
  vmb::VirtualArena phase_;
  std::size_t reserve_bytes_;  // of each region: what failure() says was asked for
  int os_error_;               // errno of a refused reservation, taken before anything can change it
  std::size_t marks_[kMaxPhaseDepth] = {};
  int depth_ = 0;
};

}  // namespace vmbench
