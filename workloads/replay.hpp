// replay: a recorded program's allocation calls (vmbench record, docs/trace-format.md) against any
// heap. The trace's main stream (its largest process image) is turned into a script of slot
// operations before measuring (replay_script.hpp); the measured phase runs it in the recorded global
// order, on one thread (the calls of a multi-threaded program are replayed in the order they were
// recorded, one after another).
//   alloc    the recorded size and alignment; its first bytes stamped, and one byte written in each
//            page it spans (the first and the last byte, and every 4096th between), as a program that
//            used its memory would have touched it
//   free     its stamp read back into the checksum, then freed (an arena skips it: counted)
//   realloc  a new object, the old one's bytes copied over (what fits), the old one freed: the heap
//            interface has no realloc, so a malloc that would have grown in place is not credited
// Objects still live at the end stay allocated, as at the program's exit, and enter the checksum;
// they are freed after the measured phase (so that a leak checker sees none of vmbench's own).
// Every object is Life::persistent. peak_live_bytes is the ideal RSS: the most bytes the program
// asked for at once.
#pragma once

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "driver.hpp"
#include "replay_script.hpp"

namespace vmbench::replay {

inline constexpr std::size_t kTouchStepBytes = 4096;  // one write per page
inline constexpr std::uint64_t kStampSpread = 0x9e3779b97f4a7c15ULL;

struct Slot {
  unsigned char* p = nullptr;
  std::size_t bytes = 0;
  std::size_t align = kObjectAlign;
};

inline std::size_t stamp_bytes(std::size_t bytes) noexcept { return std::min(bytes, sizeof(std::uint64_t)); }

// The first bytes carry the object's serial; then one write per page to the last byte.
inline void touch(unsigned char* p, std::size_t bytes, std::uint64_t serial) noexcept {
  const std::uint64_t stamp = serial * kStampSpread;
  std::memcpy(p, &stamp, stamp_bytes(bytes));
  for (std::size_t at = kTouchStepBytes; at < bytes; at += kTouchStepBytes) p[at] = 1;
  if (bytes > sizeof stamp) p[bytes - 1] = 1;
}

inline std::uint64_t read_stamp(const Slot& s) noexcept {
  std::uint64_t stamp = 0;
  std::memcpy(&stamp, s.p, stamp_bytes(s.bytes));
  return std::rotl(stamp, 7) ^ s.bytes;
}

template <class H>
class Replayer {
 public:
  Replayer(Driver<H>& d, std::uint32_t slots) : d_(d), slots_(slots) {}
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;
  // After the measured phase: the program's survivors go back to the heap, uncounted.
  ~Replayer() {
    for (const Slot& s : slots_)
      if (s.p != nullptr) d_.heap().template free<Life::persistent>(s.p, s.bytes, s.align);
  }

  VMB_INLINE void step(const Op& op) {
    Slot& s = slots_[op.slot];
    if (op.kind == Kind::alloc) return allocate(s, op.bytes, std::size_t{1} << op.align_log2);
    if (op.kind == Kind::free) return release(s);
    Slot old = s;
    allocate(s, op.bytes, kObjectAlign);
    std::memcpy(s.p, old.p, std::min(old.bytes, s.bytes));
    touch(s.p, s.bytes, ++serial_);  // a fresh stamp: the copy may have carried only part of the old one
    release(old);
  }

  // The objects the program never freed: into the checksum, still allocated.
  std::uint64_t finish() {
    for (const Slot& s : slots_)
      if (s.p != nullptr) checksum_ = std::rotl(checksum_, 5) ^ read_stamp(s);
    return checksum_;
  }

 private:
  VMB_INLINE void allocate(Slot& s, std::size_t bytes, std::size_t align) {
    align = std::max(align, kObjectAlign);
    s = {static_cast<unsigned char*>(d_.alloc_aligned(bytes, align)), bytes, align};
    touch(s.p, bytes, ++serial_);
  }
  VMB_INLINE void release(Slot& s) {
    checksum_ = std::rotl(checksum_, 5) ^ read_stamp(s);
    d_.free_aligned(s.p, s.bytes, s.align);
    s = Slot{};
  }

  Driver<H>& d_;
  std::vector<Slot> slots_;
  std::uint64_t serial_ = 0;
  std::uint64_t checksum_ = 0;
};

template <class H>
WorkloadStats run(Driver<H>& d, const std::function<void()>& begin_measured) {
  const Trace trace(d.params().text("trace"));  // checked by the parent already: an error here is a failed cell
  const Script script = build_script(trace, trace.main_stream());
  Replayer<H> replayer(d, script.slots);
  begin_measured();
  d.timed("replay", [&] {
    for (const Op& op : script.ops) replayer.step(op);
  });
  WorkloadStats stats = d.finish(replayer.finish());
  stats.counts = {{"recorded_calls", script.recorded_calls},
                  {"recorded_allocations", script.recorded_allocations},
                  {"unknown_frees", script.unknown_frees},
                  {"failed_calls", script.failed_calls},
                  {"reused_addresses", script.reused_addresses},
                  {"process_images", trace.streams().size()},
                  {"pid", script.pid}};
  return stats;
}

}  // namespace vmbench::replay
