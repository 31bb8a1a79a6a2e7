#include "cell_child.hpp"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <vector>

#include "allocator_proof.hpp"
#include "cell_protocol.hpp"
#include "hardware_counters.hpp"
#include "heap_map_probe.hpp"
#include "latency_probe.hpp"
#include "native_stats.hpp"
#include "probes.hpp"
#include "run_cell.hpp"
#include "syscall_marker.hpp"
#include "timeline_probe.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxCheckpoints = 256;  // reserved up front: no allocation inside the phase

struct Checkpoint {
  std::string label;
  std::uint64_t live_bytes;
  ProcStatus status;
  double at_s;
};

int fail(CellExit code, const std::string& what) {
  std::fprintf(stderr, "vmbench: %s\n", what.c_str());
  return exit_status(code);
}

bool write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

json counters_json(const HeapCounters& total, const HeapCounters& delta) {
  return {{"commit_calls", delta.commit_calls},         {"decommit_calls", delta.decommit_calls},
          {"committed_bytes", total.committed_bytes},   {"peak_committed_bytes", total.peak_committed_bytes},
          {"reserved_bytes", total.reserved_bytes}};
}

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

}  // namespace

int cell_child_main(const std::string& spec_json) {
  CellRequest req;
  Pass pass = Pass::throughput;
  std::uint64_t every_ops = 0, max_objects = 0, peak_live_bytes = 0;
  try {
    const json spec = json::parse(spec_json);
    req.workload = spec.at("workload").get<std::string>();
    req.allocator = spec.at("allocator").get<std::string>();
    req.virtual_dispatch = spec.at("dispatch").get<std::string>() == "virtual";
    req.params = Params(spec.at("params").get<std::map<std::string, std::string>>());
    req.seed = spec.at("seed").get<std::uint64_t>();
    req.warmup = spec.at("warmup").get<int>();
    const std::string pass_text = spec.value("pass", std::string(pass_name(Pass::throughput)));
    every_ops = spec.value("every_ops", std::uint64_t{0});
    max_objects = spec.value("max_objects", std::uint64_t{0});
    peak_live_bytes = spec.value("peak_live_bytes", std::uint64_t{0});
    const std::optional<Pass> parsed = parse_pass(pass_text);
    if (!parsed) throw std::invalid_argument("unknown pass '" + pass_text + "'");
    pass = *parsed;
  } catch (const std::exception& e) {
    return fail(CellExit::bad_spec, std::string("bad cell specification: ") + e.what());
  }

  const AllocatorProof proof = prove_allocator(req.allocator);
  if (!proof.ok) return fail(CellExit::allocator_not_proven, "allocator not proven: " + proof.evidence);

  ProcStatus before{}, at_reset{}, after{};
  Usage usage_before{}, usage_after{};
  double t_begin = 0, t_end = 0;
  bool peak_reset = false;
  std::vector<Checkpoint> checkpoints;
  checkpoints.reserve(kMaxCheckpoints);

  // Each pass adds its own probe; everything is constructed here, before the measured phase.
  const bool mark_phase = pass == Pass::syscalls;
  const NativeStatsReader native(req.allocator);
  std::unique_ptr<HardwareCounters> hardware;
  std::string hardware_error;
  if (pass == Pass::throughput) {
    hardware = std::make_unique<HardwareCounters>();
    if (!hardware->ok()) {
      hardware_error = hardware->error();
      hardware.reset();
    }
  }
  std::unique_ptr<LatencyProbe> latency;
  std::unique_ptr<TimelineProbe> timeline;
  if (pass == Pass::latency) req.probe = (latency = std::make_unique<LatencyProbe>()).get();
  if (pass == Pass::timeline) req.probe = (timeline = std::make_unique<TimelineProbe>(every_ops, native)).get();
  std::unique_ptr<HeapMapProbe> heap_map;
  if (pass == Pass::heap_map) {
    heap_map = std::make_unique<HeapMapProbe>(max_objects, peak_live_bytes);
    if (!heap_map->ok()) return fail(CellExit::allocation_failed, "heap map: cannot map the registry of live objects");
    req.probe = heap_map.get();
  }

  CellHooks hooks;
  hooks.begin_measured = [&] {
    before = read_proc_status();
    peak_reset = reset_peak_rss();
    at_reset = read_proc_status();
    usage_before = read_usage();
    if (timeline) timeline->start();
    if (heap_map) heap_map->start();
    if (hardware) hardware->start();
    t_begin = monotonic_now_s();
    if (latency) latency->start();
    if (mark_phase) mark_measured_phase(kMarkerBegin);  // last: the tracer counts from here
  };
  hooks.end_measured = [&] {
    if (mark_phase) mark_measured_phase(kMarkerEnd);  // first: to here
    if (latency) latency->stop();
    t_end = monotonic_now_s();
    if (timeline) timeline->stop();
    if (heap_map) heap_map->stop();
    if (hardware) hardware->stop();
    usage_after = read_usage();
    after = read_proc_status();
  };
  hooks.checkpoint = [&](const std::string& label, std::uint64_t live) {
    if (checkpoints.size() < kMaxCheckpoints)
      checkpoints.push_back({label, live, read_proc_status(), monotonic_now_s() - t_begin});
    if (timeline) timeline->checkpoint(label, live);
    if (heap_map) heap_map->checkpoint(label, live);
  };

  CellOutcome outcome;
  try {
    outcome = run_cell(req, hooks);
  } catch (const AllocatorNotCreated& e) {
    return fail(CellExit::allocation_failed, e.what());
  } catch (const std::bad_alloc&) {
    return fail(CellExit::allocation_failed, "memory ran out outside the allocator under test (std::bad_alloc)");
  } catch (const std::exception& e) {
    return fail(CellExit::workload_error, e.what());
  }

  const WorkloadStats& st = outcome.stats;
  const double wall = t_end - t_begin;
  const std::uint64_t ops = st.allocations + st.frees;
  json unavailable = json::object();
  json r;
  r["proof"] = {{"evidence", proof.evidence}, {"version", proof.version}};
  r["wall_s"] = wall;
  r["cpu_user_s"] = usage_after.user_s - usage_before.user_s;
  r["cpu_sys_s"] = usage_after.sys_s - usage_before.sys_s;
  r["minor_faults"] = usage_after.minor_faults - usage_before.minor_faults;
  r["major_faults"] = usage_after.major_faults - usage_before.major_faults;
  r["allocations"] = st.allocations;
  r["frees"] = st.frees;
  r["frees_skipped"] = st.frees_skipped;
  r["ops"] = ops;
  r["ops_per_s"] = wall > 0 ? static_cast<double>(ops) / wall : 0.0;
  r["peak_live_bytes"] = st.peak_live_bytes;
  r["final_live_bytes"] = st.final_live_bytes;
  r["checksum"] = st.checksum;
  if (before.ok && after.ok) {
    r["rss_baseline_bytes"] = at_reset.vm_rss_bytes;
    r["final_rss_bytes"] = after.vm_rss_bytes;
    r["final_rss_delta_bytes"] = static_cast<std::int64_t>(after.vm_rss_bytes) - static_cast<std::int64_t>(at_reset.vm_rss_bytes);
    r["page_table_delta_bytes"] = static_cast<std::int64_t>(after.vm_pte_bytes) - static_cast<std::int64_t>(before.vm_pte_bytes);
    if (peak_reset) {
      r["peak_rss_bytes"] = after.vm_hwm_bytes;
      r["peak_rss_delta_bytes"] = static_cast<std::int64_t>(after.vm_hwm_bytes) - static_cast<std::int64_t>(at_reset.vm_rss_bytes);
    } else {
      r["peak_rss_bytes"] = nullptr;
      r["peak_rss_delta_bytes"] = nullptr;
      unavailable["peak_rss_bytes"] = "the kernel refused the peak reset (/proc/self/clear_refs)";
    }
  } else {
    unavailable["rss"] = "/proc/self/status could not be read";
  }
  if (outcome.counters.known) {
    r["heap"] = counters_json(outcome.counters, outcome.counters_delta);
  } else {
    r["heap"] = nullptr;
    unavailable["heap"] = "the allocator keeps no commit counters of its own";
  }
  r["heap_note"] = outcome.counters.note;
  json phases = json::array();
  for (const auto& p : st.phases) phases.push_back({{"name", p.name}, {"seconds", p.seconds}, {"count", p.count}});
  r["phases"] = phases;
  json cps = json::array();
  for (const auto& c : checkpoints)
    cps.push_back({{"label", c.label},
                   {"live_bytes", c.live_bytes},
                   {"rss_bytes", c.status.vm_rss_bytes},
                   {"rss_anon_bytes", c.status.rss_anon_bytes},
                   {"at_s", c.at_s}});
  r["checkpoints"] = cps;
  if (pass == Pass::throughput) {
    r["native"] = native_json(native);
    if (r["native"].is_null()) unavailable["native"] = native.source();
    r["hardware_counters"] = hardware ? hardware_json(*hardware) : json(nullptr);
    if (!hardware) unavailable["hardware_counters"] = hardware_error;
  }
  if (latency) r["latency"] = latency->to_json();
  if (timeline) r["timeline"] = timeline->to_json();
  if (heap_map) r["heap_map"] = heap_map->to_json();
  r["unavailable"] = unavailable;

  if (!write_all(kResultFd, r.dump())) return fail(CellExit::result_unwritable, "cannot write the result to the parent");
  return exit_status(CellExit::ok);
}

}  // namespace vmbench
