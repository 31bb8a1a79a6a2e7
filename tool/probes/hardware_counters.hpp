// Hardware counters of the measured phase (cycles, instructions, cache and TLB misses) through
// perf_event_open, where the kernel and the machine allow it. Where they do not (virtual machines,
// perf_event_paranoid), the figure is null and the reason is the kernel's own error text.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace vmbench {

class HardwareCounters {
 public:
  static constexpr int kCounters = 4;
  static constexpr std::array<const char*, kCounters> kNames = {"cycles", "instructions", "cache_misses",
                                                                "dtlb_load_misses"};
  HardwareCounters();  // opens the counters, disabled
  ~HardwareCounters();
  HardwareCounters(const HardwareCounters&) = delete;
  HardwareCounters& operator=(const HardwareCounters&) = delete;

  bool ok() const noexcept { return error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  void start() noexcept;
  void stop() noexcept;
  // Value of counter i over the phase; -1 when that counter could not be opened or read.
  std::int64_t value(int i) const noexcept { return values_[static_cast<std::size_t>(i)]; }

 private:
  std::array<int, kCounters> fds_{-1, -1, -1, -1};
  std::array<std::int64_t, kCounters> values_{-1, -1, -1, -1};
  std::string error_;
};

}  // namespace vmbench
