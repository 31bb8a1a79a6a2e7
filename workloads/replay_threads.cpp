// The script of a multi-threaded stream (replay_script.hpp, ThreadedScript): the trace read once in its
// recorded global order, each call given to its thread's list, each object its own slot.
#include <algorithm>
#include <unordered_map>

#include "replay_script.hpp"

namespace vmbench::replay {

namespace {

namespace trace = vmb::trace;

// Where each object came from: its creating thread and the index of that operation in its list.
struct Origin {
  std::uint32_t thread;
  std::uint32_t op;
};

class Builder {
 public:
  explicit Builder(ThreadedScript& s, std::uint32_t threads) : s_(s) {
    s_.threads.resize(threads);
    s_.survivors.resize(threads);
  }

  void free(const trace::Event& e) {
    std::uint32_t slot = 0;
    if (!take(e.ptr, slot)) {
      ++s_.unknown_frees;
      return;
    }
    push(e.thread, {0, slot, 0, Kind::free, 0, false, consumed_by(e.thread, slot)});
  }

  void alloc(const trace::Event& e) {
    if (e.null_result) {
      ++s_.failed_calls;
      return;
    }
    const auto align_log2 = static_cast<std::uint8_t>(trace::is_aligned_op(e.op) ? trace::log2_of(e.align) : 0);
    create(e, {e.size, 0, 0, Kind::alloc, align_log2, false, false});
  }

  // As build_script's add_realloc: realloc(NULL, n) allocates, realloc(p, 0) returning null frees, another
  // null result failed (p stays), an unknown p is counted and allocated.
  void realloc(const trace::Event& e) {
    if (e.old_ptr == 0) return alloc(e);
    std::uint32_t old = 0;
    const bool known = take(e.old_ptr, old);
    if (e.null_result) {
      if (!known) ++s_.unknown_frees;
      else if (e.size == 0) push(e.thread, {0, old, 0, Kind::free, 0, false, consumed_by(e.thread, old)});
      else {
        ++s_.failed_calls;
        live_[e.old_ptr] = old;
      }
      return;
    }
    if (!known) {
      ++s_.unknown_frees;
      return alloc(e);
    }
    create(e, {e.size, 0, old, Kind::realloc, 0, false, consumed_by(e.thread, old)});
  }

  void finish() {
    for (const auto& [address, slot] : live_) s_.survivors[origin_[slot].thread].push_back(slot);
    for (auto& list : s_.survivors) std::sort(list.begin(), list.end());
  }

 private:
  void push(std::uint32_t thread, const ThreadOp& op) { s_.threads[thread].push_back(op); }

  void create(const trace::Event& e, ThreadOp op) {
    op.slot = s_.slots++;
    origin_.push_back({e.thread, static_cast<std::uint32_t>(s_.threads[e.thread].size())});
    push(e.thread, op);
    auto [it, fresh] = live_.try_emplace(e.ptr, op.slot);
    if (!fresh) {  // the old object at that address stays allocated in the replay: its free was missed
      ++s_.reused_addresses;
      it->second = op.slot;
    }
  }

  bool take(std::uint64_t address, std::uint32_t& slot) {
    const auto it = live_.find(address);
    if (it == live_.end()) return false;
    slot = it->second;
    live_.erase(it);
    return true;
  }

  // Whether `thread` frees or moves another thread's object; if so its creator must publish it.
  bool consumed_by(std::uint32_t thread, std::uint32_t slot) {
    const Origin o = origin_[slot];
    if (o.thread == thread) return false;
    s_.threads[o.thread][o.op].handed = true;
    ++s_.cross_thread_frees;
    return true;
  }

  ThreadedScript& s_;
  std::unordered_map<std::uint64_t, std::uint32_t> live_;
  std::vector<Origin> origin_;  // by slot
};

}  // namespace

ThreadedScript build_threaded_script(const Trace& trace, const TraceStream& stream) {
  ThreadedScript s;
  static_cast<TraceCounts&>(s) = trace_counts(stream);
  Builder b(s, std::max<std::uint32_t>(stream.threads, 1));
  trace.for_each_event(stream, [&](const trace::Event& e) {
    switch (e.op) {
      case trace::Op::free:
        return b.free(e);
      case trace::Op::realloc:
        return b.realloc(e);
      default:
        return b.alloc(e);
    }
  });
  b.finish();
  return s;
}

}  // namespace vmbench::replay
