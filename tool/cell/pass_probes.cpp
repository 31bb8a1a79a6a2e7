#include "pass_probes.hpp"

#include "catalog.hpp"
#include "syscall_marker.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

json native_json(const NativeStatsReader& reader) {
  if (!reader.available()) return nullptr;
  const NativeStats n = reader.read();
  json fields = json::object();
  for (int i = 0; i < n.n_fields; ++i) fields[n.fields[static_cast<std::size_t>(i)].name] = n.fields[static_cast<std::size_t>(i)].value;
  return {{"source", reader.source()},
          {"committed_bytes", n.has_committed ? json(n.committed_bytes) : json(nullptr)},
          {"fields", fields}};
}

json hardware_json(const HardwareCounters& hw) {
  json out = json::object();
  for (int i = 0; i < HardwareCounters::kCounters; ++i)
    out[HardwareCounters::kNames[static_cast<std::size_t>(i)]] = hw.value(i) >= 0 ? json(hw.value(i)) : json(nullptr);
  return out;
}

// A cell of several threads: the hardware counters are opened for the calling thread alone.
bool several_threads(const CellSpec& spec) {
  const auto it = spec.params.find(kThreadsParam);
  return it != spec.params.end() && parse_count(it->second).value_or(1) > 1;
}

PhaseReadings with_room_for_checkpoints(std::size_t n) {
  PhaseReadings r;
  r.checkpoints.reserve(n);
  return r;
}

}  // namespace

PassProbes::PassProbes(const CellSpec& spec)
    : pass_(spec.pass), readings_(with_room_for_checkpoints(kMaxCheckpoints)), native_(spec.allocator) {
  if (pass_ == Pass::throughput && several_threads(spec)) {
    hardware_error_ = "the counters count the thread that opened them: not read in a cell of several threads";
  } else if (pass_ == Pass::throughput) {
    hardware_ = std::make_unique<HardwareCounters>();
    if (!hardware_->ok()) {
      hardware_error_ = hardware_->error();
      hardware_.reset();
    }
  }
  if (pass_ == Pass::latency) latency_ = std::make_unique<LatencyProbe>();
  if (pass_ == Pass::timeline) timeline_ = std::make_unique<TimelineProbe>(spec.every_ops, native_);
  if (pass_ == Pass::heap_map) {
    heap_map_ = std::make_unique<HeapMapProbe>(spec.max_objects, spec.peak_live_bytes);
    if (!heap_map_->ok()) error_ = "heap map: cannot map the registry of live objects";
  }
}

OpProbe* PassProbes::op_probe() const noexcept {
  if (latency_) return latency_.get();
  if (timeline_) return timeline_.get();
  return heap_map_.get();
}

CellHooks PassProbes::hooks() {
  CellHooks hooks;
  hooks.begin_measured = [this] { begin_measured(); };
  hooks.end_measured = [this] { end_measured(); };
  hooks.checkpoint = [this](const std::string& label, std::uint64_t live) { checkpoint(label, live); };
  return hooks;
}

// The order is the measurement: the cheap clock reads sit closest to the workload, and the tracer's
// marker is the very last thing before it (and the very first after it).
void PassProbes::begin_measured() {
  PhaseReadings& r = readings_;
  r.before = read_proc_status();
  r.peak_reset = reset_peak_rss();
  r.at_reset = read_proc_status();
  r.usage_before = read_usage();
  if (timeline_) timeline_->start();
  if (heap_map_) heap_map_->start();
  if (hardware_) hardware_->start();
  r.begin_s = monotonic_now_s();
  if (latency_) latency_->start();
  if (pass_ == Pass::syscalls) mark_measured_phase(kMarkerBegin);  // last: the tracer counts from here
}

void PassProbes::end_measured() {
  PhaseReadings& r = readings_;
  if (pass_ == Pass::syscalls) mark_measured_phase(kMarkerEnd);  // first: to here
  if (latency_) latency_->stop();
  r.end_s = monotonic_now_s();
  if (timeline_) timeline_->stop();
  if (heap_map_) heap_map_->stop();
  if (hardware_) hardware_->stop();
  r.usage_after = read_usage();
  r.after = read_proc_status();
}

void PassProbes::checkpoint(const std::string& label, std::uint64_t live) {
  PhaseReadings& r = readings_;
  if (r.checkpoints.size() < kMaxCheckpoints)
    r.checkpoints.push_back({label, live, read_proc_status(), monotonic_now_s() - r.begin_s});
  if (timeline_) timeline_->checkpoint(label, live);
  if (heap_map_) heap_map_->checkpoint(label, live);
}

void PassProbes::add_pass_figures(json& r, json& unavailable) const {
  if (pass_ == Pass::throughput) {
    r["native"] = native_json(native_);
    if (r["native"].is_null()) unavailable["native"] = native_.source();
    r["hardware_counters"] = hardware_ ? hardware_json(*hardware_) : json(nullptr);
    if (!hardware_) unavailable["hardware_counters"] = hardware_error_;
  }
  if (latency_) r["latency"] = latency_->to_json();
  if (timeline_) r["timeline"] = timeline_->to_json();
  if (heap_map_) r["heap_map"] = heap_map_->to_json();
}

}  // namespace vmbench
