#include "hardware_counters.hpp"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmbench {

namespace {

int open_counter(std::uint32_t type, std::uint64_t config) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.disabled = 1;
  attr.exclude_kernel = 1;  // the allocator's own work; page faults show in the software figures
  attr.exclude_hv = 1;
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

constexpr std::uint64_t kDtlbReadMiss = PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                                        (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);

}  // namespace

HardwareCounters::HardwareCounters() {
  const std::uint32_t types[kCounters] = {PERF_TYPE_HARDWARE, PERF_TYPE_HARDWARE, PERF_TYPE_HARDWARE,
                                          PERF_TYPE_HW_CACHE};
  const std::uint64_t configs[kCounters] = {PERF_COUNT_HW_CPU_CYCLES, PERF_COUNT_HW_INSTRUCTIONS,
                                            PERF_COUNT_HW_CACHE_MISSES, kDtlbReadMiss};
  for (int i = 0; i < kCounters; ++i) {
    fds_[static_cast<std::size_t>(i)] = open_counter(types[i], configs[i]);
    if (fds_[static_cast<std::size_t>(i)] < 0 && i == 0) {
      error_ = std::string("perf_event_open(cycles): ") + std::strerror(errno);
      return;  // no cycles counter: the others will not open either
    }
  }
}

HardwareCounters::~HardwareCounters() {
  for (int fd : fds_)
    if (fd >= 0) close(fd);
}

void HardwareCounters::start() noexcept {
  for (int fd : fds_)
    if (fd >= 0) {
      ioctl(fd, PERF_EVENT_IOC_RESET, 0);
      ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    }
}

void HardwareCounters::stop() noexcept {
  for (int i = 0; i < kCounters; ++i) {
    const int fd = fds_[static_cast<std::size_t>(i)];
    if (fd < 0) continue;
    ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    std::int64_t v = 0;
    if (read(fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v)) values_[static_cast<std::size_t>(i)] = v;
  }
}

}  // namespace vmbench
