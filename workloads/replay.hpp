// replay: a recorded program's allocation calls (vmbench record, docs/trace-format.md) against any
// heap. The trace's main stream (its largest process image) is turned into a script of slot
// operations before measuring (replay_script.hpp). A stream of one thread runs in its recorded order on
// one thread (Replayer). A stream of several runs on as many threads (the cell's team,
// heap_runs/run_heap.hpp), each thread its own calls in their recorded order (ThreadReplayer); a free
// or realloc of an object another thread created waits until that thread has created it, as glibc's
// trace tools do.
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
#include <atomic>
#include <bit>
#include <cstring>
#include <memory>
#include <thread>
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

// An allocation of the trace: at least the workloads' alignment, stamped and touched.
template <class H>
VMB_INLINE void place(Driver<H>& d, Slot& s, std::size_t bytes, std::size_t align, std::uint64_t serial) {
  align = std::max(align, kObjectAlign);
  s = {static_cast<unsigned char*>(d.alloc_aligned(bytes, align)), bytes, align};
  touch(s.p, bytes, serial);
}

// A free of the trace: its stamp folded into the checksum, then freed; returns the checksum.
template <class H>
VMB_INLINE std::uint64_t take_back(Driver<H>& d, Slot& s, std::uint64_t checksum) {
  checksum = std::rotl(checksum, 5) ^ read_stamp(s);
  d.free_aligned(s.p, s.bytes, s.align);
  s = Slot{};
  return checksum;
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
  VMB_INLINE void allocate(Slot& s, std::size_t bytes, std::size_t align) { place(d_, s, bytes, align, ++serial_); }
  VMB_INLINE void release(Slot& s) { checksum_ = take_back(d_, s, checksum_); }

  Driver<H>& d_;
  std::vector<Slot> slots_;
  std::uint64_t serial_ = 0;
  std::uint64_t checksum_ = 0;
};

// What the threads of a threaded replay share, made before they start: the script, the objects, and
// for each object the pass (warm-up or measured) in which it was created, so that a thread freeing
// another's object can wait for it without any flag to reset between passes.
struct SharedReplay {
  explicit SharedReplay(const Trace& trace)
      : script(build_threaded_script(trace, trace.main_stream())),
        slots(script.slots),
        created_in(std::make_unique<std::atomic<std::uint32_t>[]>(script.slots)),
        passes(script.threads.size(), 0),
        process_images(trace.streams().size()) {}
  ThreadedScript script;
  std::vector<Slot> slots;                                 // slot i: written by its creator only
  std::unique_ptr<std::atomic<std::uint32_t>[]> created_in;  // 0: not in any pass yet
  std::vector<std::uint32_t> passes;                       // by thread: passes it has begun
  std::size_t process_images;
};

// The threads of a stream: 1 for a stream of one thread (or none recorded).
inline int recorded_threads(const Trace& trace) {
  return static_cast<int>(std::max<std::uint32_t>(trace.main_stream().threads, 1));
}

// Waits until `slot` was created in `pass` (its creator runs on another thread). Out of line: only a
// free of a foreign object comes here, and it usually finds the object there already.
[[gnu::noinline]] inline void wait_created(const std::atomic<std::uint32_t>& created_in, std::uint32_t pass) {
  constexpr int kSpinsBeforeYield = 64;
  for (int spins = 0; created_in.load(std::memory_order_acquire) != pass; ++spins)
    if (spins >= kSpinsBeforeYield) std::this_thread::yield();
}

// One thread of a threaded replay. Its serials and its checksum are its own, so both are deterministic
// whatever the interleaving; the team combines the threads' checksums in thread order.
template <class H>
class ThreadReplayer {
 public:
  ThreadReplayer(Driver<H>& d, SharedReplay& shared, std::uint32_t thread)
      : d_(d), sh_(shared), thread_(thread), pass_(++shared.passes[thread]) {}
  ThreadReplayer(const ThreadReplayer&) = delete;
  ThreadReplayer& operator=(const ThreadReplayer&) = delete;
  // After the measured phase: this thread's survivors go back to its heap, uncounted.
  ~ThreadReplayer() {
    for (const std::uint32_t i : sh_.script.survivors[thread_]) {
      Slot& s = sh_.slots[i];
      if (s.p != nullptr) d_.heap().template free<Life::persistent>(s.p, s.bytes, s.align);
      s = Slot{};
    }
  }

  // Whether the operation can run now (its foreign object exists): what a thread would wait for.
  bool ready(const ThreadOp& op) const noexcept {
    return !op.foreign || sh_.created_in[consumed(op)].load(std::memory_order_acquire) == pass_;
  }

  VMB_INLINE void step(const ThreadOp& op) {
    if (op.foreign) {
      wait_created(sh_.created_in[consumed(op)], pass_);
      d_.take_over(sh_.slots[consumed(op)].bytes);  // its bytes become this thread's to free
    }
    if (op.kind == Kind::free) return release(sh_.slots[op.slot]);
    Slot& s = sh_.slots[op.slot];
    allocate(s, op.bytes, op.kind == Kind::alloc ? std::size_t{1} << op.align_log2 : kObjectAlign);
    if (op.kind == Kind::realloc) {
      Slot& old = sh_.slots[op.from];
      std::memcpy(s.p, old.p, std::min(old.bytes, s.bytes));
      touch(s.p, s.bytes, ++serial_);
      release(old);
    }
    if (op.handed) {
      d_.hand_over(s.bytes);  // another thread frees it: its bytes leave this thread's live count
      sh_.created_in[op.slot].store(pass_, std::memory_order_release);
    }
  }

  // This thread's objects the program never freed: into its checksum, still allocated.
  std::uint64_t finish() {
    for (const std::uint32_t i : sh_.script.survivors[thread_]) checksum_ = std::rotl(checksum_, 5) ^ read_stamp(sh_.slots[i]);
    return checksum_;
  }

 private:
  static std::uint32_t consumed(const ThreadOp& op) noexcept { return op.kind == Kind::realloc ? op.from : op.slot; }
  VMB_INLINE void allocate(Slot& s, std::size_t bytes, std::size_t align) { place(d_, s, bytes, align, ++serial_); }
  VMB_INLINE void release(Slot& s) { checksum_ = take_back(d_, s, checksum_); }

  Driver<H>& d_;
  SharedReplay& sh_;
  std::uint32_t thread_;
  std::uint32_t pass_;
  std::uint64_t serial_ = 0;
  std::uint64_t checksum_ = 0;
};

// The trace's counts, reported by thread 0 of a team (the team sums the threads' counts).
inline void add_trace_counts(WorkloadStats& stats, const ThreadedScript& s, std::uint64_t process_images) {
  stats.counts = {{"recorded_calls", s.recorded_calls},
                  {"recorded_allocations", s.recorded_allocations},
                  {"unknown_frees", s.unknown_frees},
                  {"failed_calls", s.failed_calls},
                  {"reused_addresses", s.reused_addresses},
                  {"process_images", process_images},
                  {"pid", s.pid},
                  {"recorded_threads", s.threads.size()},
                  {"cross_thread_frees", s.cross_thread_frees}};
}

// Thread `thread` of a threaded replay: its own calls, in their recorded order.
template <class H>
WorkloadStats run_thread(Driver<H>& d, const std::function<void()>& begin_measured, SharedReplay& shared,
                         int thread) {
  const auto t = static_cast<std::uint32_t>(thread);
  ThreadReplayer<H> replayer(d, shared, t);
  const std::vector<ThreadOp>& ops = shared.script.threads[t];
  begin_measured();
  d.timed("replay", [&] {
    for (const ThreadOp& op : ops) replayer.step(op);
  });
  WorkloadStats stats = d.finish(replayer.finish());
  if (thread == 0) add_trace_counts(stats, shared.script, shared.process_images);
  return stats;
}

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
