#include "replay_script.hpp"

#include <unordered_map>

namespace vmbench::replay {

namespace {

namespace trace = vmb::trace;

// The slots of the objects live in the trace, by recorded address.
class SlotMap {
 public:
  explicit SlotMap(Script& s) : script_(s) {}

  // A new object at `address`: a free slot, or a new one.
  std::uint32_t bind(std::uint64_t address) {
    std::uint32_t slot = script_.slots;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      ++script_.slots;
    }
    auto [it, fresh] = live_.try_emplace(address, slot);
    if (!fresh) {  // the old object at that address stays allocated in the replay: its free was missed
      ++script_.reused_addresses;
      it->second = slot;
    }
    return slot;
  }
  // The object at `address` leaves its address (freed, or moved by realloc): its slot, if it was live.
  bool take(std::uint64_t address, std::uint32_t& slot) {
    const auto it = live_.find(address);
    if (it == live_.end()) return false;
    slot = it->second;
    live_.erase(it);
    return true;
  }
  void release(std::uint32_t slot) { free_.push_back(slot); }
  void rebind(std::uint64_t address, std::uint32_t slot) {
    auto [it, fresh] = live_.try_emplace(address, slot);
    if (!fresh) {
      ++script_.reused_addresses;
      it->second = slot;
    }
  }

 private:
  Script& script_;
  std::unordered_map<std::uint64_t, std::uint32_t> live_;
  std::vector<std::uint32_t> free_;
};

void add_free(const trace::Event& e, Script& s, SlotMap& slots) {
  std::uint32_t slot = 0;
  if (!slots.take(e.ptr, slot)) {
    ++s.unknown_frees;
    return;
  }
  s.ops.push_back({0, slot, Kind::free, 0});
  slots.release(slot);
}

void add_alloc(const trace::Event& e, Script& s, SlotMap& slots) {
  if (e.null_result) {
    ++s.failed_calls;
    return;
  }
  const auto align_log2 = static_cast<std::uint8_t>(trace::is_aligned_op(e.op) ? trace::log2_of(e.align) : 0);
  s.ops.push_back({e.size, slots.bind(e.ptr), Kind::alloc, align_log2});
}

// realloc(NULL, n) allocates; realloc(p, 0) returning null frees (glibc); a null result otherwise
// failed and p stays; realloc of an unknown p is counted and replayed as an allocation.
void add_realloc(const trace::Event& e, Script& s, SlotMap& slots) {
  if (e.old_ptr == 0) return add_alloc(e, s, slots);
  std::uint32_t slot = 0;
  const bool known = slots.take(e.old_ptr, slot);
  if (e.null_result) {
    if (!known) ++s.unknown_frees;
    else if (e.size == 0) {
      s.ops.push_back({0, slot, Kind::free, 0});
      slots.release(slot);
    } else {
      ++s.failed_calls;
      slots.rebind(e.old_ptr, slot);
    }
    return;
  }
  if (!known) {
    ++s.unknown_frees;
    return add_alloc(e, s, slots);
  }
  s.ops.push_back({e.size, slot, Kind::realloc, 0});
  slots.rebind(e.ptr, slot);
}

}  // namespace

Script build_script(const Trace& trace, const TraceStream& stream) {
  Script s;
  static_cast<TraceCounts&>(s) = trace_counts(stream);
  s.ops.reserve(stream.events);
  SlotMap slots(s);
  trace.for_each_event(stream, [&](const vmb::trace::Event& e) {
    switch (e.op) {
      case vmb::trace::Op::free:
        return add_free(e, s, slots);
      case vmb::trace::Op::realloc:
        return add_realloc(e, s, slots);
      default:
        return add_alloc(e, s, slots);
    }
  });
  return s;
}

}  // namespace vmbench::replay
