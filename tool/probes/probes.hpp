// Process probes for the measured phase (definitions: docs/metrics.md): monotonic time, CPU time,
// page faults, RSS and its peak (reset through /proc/self/clear_refs), page-table bytes.
// Readers use fixed buffers and raw read(2): a probe must not allocate inside the measured phase.
#pragma once

#include <cstdint>
#include <optional>

namespace vmbench {

struct ProcStatus {
  std::uint64_t vm_rss_bytes = 0;
  std::uint64_t vm_hwm_bytes = 0;    // peak RSS since process start or the last clear_refs reset
  std::uint64_t rss_anon_bytes = 0;
  std::uint64_t vm_pte_bytes = 0;    // page tables: what committing (not reserving) costs the kernel
  bool ok = false;
};

struct Usage {
  double user_s = 0;
  double sys_s = 0;
  std::uint64_t minor_faults = 0;
  std::uint64_t major_faults = 0;
};

// /proc/self/statm: cheaper than status (one short line, no names to search), for the timeline.
struct Statm {
  std::uint64_t resident_bytes = 0;
  std::uint64_t anon_bytes = 0;  // resident minus shared (file-backed and shmem): RssAnon
  bool ok = false;
};

ProcStatus read_proc_status() noexcept;
Statm read_statm() noexcept;
Usage read_usage() noexcept;
double monotonic_now_s() noexcept;

// Reset VmHWM to the current RSS (echo 5 > /proc/self/clear_refs). False where the kernel refuses;
// the peak figure is then reported as null with this reason.
bool reset_peak_rss() noexcept;

}  // namespace vmbench
