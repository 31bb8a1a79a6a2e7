// The probes of one cell process: the readings every pass takes around the measured phase (time,
// CPU, faults, RSS, checkpoints) and the one probe its pass adds (hardware counters for the timed
// figures, or latency, timeline, heap map). Everything is constructed before the measured phase, so
// that no probe allocates inside it.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cell_spec.hpp"
#include "hardware_counters.hpp"
#include "heap_map_probe.hpp"
#include "latency_probe.hpp"
#include "native_stats.hpp"
#include "probes.hpp"
#include "run_cell.hpp"
#include "timeline_probe.hpp"

namespace vmbench {

struct Checkpoint {
  std::string label;
  std::uint64_t live_bytes;
  ProcStatus status;
  double at_s;  // since the start of the measured phase
};

// What every pass reads at the edges of the measured phase and at the workload's checkpoints.
struct PhaseReadings {
  ProcStatus before{}, at_reset{}, after{};
  Usage usage_before{}, usage_after{};
  double begin_s = 0, end_s = 0;
  bool peak_reset = false;  // the kernel accepted the peak-RSS reset
  std::vector<Checkpoint> checkpoints;
};

class PassProbes {
 public:
  static constexpr std::size_t kMaxCheckpoints = 256;  // reserved up front: no allocation inside the phase

  explicit PassProbes(const CellSpec& spec);
  PassProbes(const PassProbes&) = delete;
  PassProbes& operator=(const PassProbes&) = delete;

  // Non-empty when a probe could not be set up (the heap map's registry of live objects).
  const std::string& error() const noexcept { return error_; }
  // The probe the workload calls at every operation (latency, timeline, heap map), or null.
  OpProbe* op_probe() const noexcept;
  // The workload's hooks, bound to this object: it must outlive the run.
  CellHooks hooks();

  const PhaseReadings& readings() const noexcept { return readings_; }
  // The figures of this pass's own probe, beside the common ones; a figure that cannot be had is
  // null, with its reason in `unavailable`.
  void add_pass_figures(nlohmann::json& result, nlohmann::json& unavailable) const;

 private:
  void begin_measured();
  void end_measured();
  void checkpoint(const std::string& label, std::uint64_t live_bytes);

  Pass pass_;
  PhaseReadings readings_;    // first: its checkpoints are reserved before any probe allocates
  NativeStatsReader native_;  // before timeline_, which reads through it
  std::unique_ptr<HardwareCounters> hardware_;
  std::string hardware_error_;
  std::unique_ptr<LatencyProbe> latency_;
  std::unique_ptr<TimelineProbe> timeline_;
  std::unique_ptr<HeapMapProbe> heap_map_;
  std::string error_;
};

}  // namespace vmbench
