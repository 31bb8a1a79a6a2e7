#include "probes.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace vmbench {

namespace {

constexpr std::size_t kStatusBufferBytes = 8192;  // /proc/self/status is ~1.5 KiB
constexpr std::size_t kStatmBufferBytes = 256;    // seven numbers
constexpr std::uint64_t kKiB = 1024;

// Value in kB of a "Name:   123 kB" line, converted to bytes.
bool field_kib(const char* text, const char* name, std::uint64_t* out_bytes) {
  const char* p = std::strstr(text, name);
  if (p == nullptr) return false;
  p += std::strlen(name);
  while (*p == ' ' || *p == '\t') ++p;
  std::uint64_t v = 0;
  bool any = false;
  for (; *p >= '0' && *p <= '9'; ++p, any = true) v = v * 10 + static_cast<std::uint64_t>(*p - '0');
  if (!any) return false;
  *out_bytes = v * kKiB;
  return true;
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }

}  // namespace

ProcStatus read_proc_status() noexcept {
  ProcStatus s;
  char buf[kStatusBufferBytes];
  const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  std::size_t used = 0;
  for (;;) {
    const ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
    if (n <= 0) break;
    used += static_cast<std::size_t>(n);
    if (used == sizeof buf - 1) break;
  }
  close(fd);
  buf[used] = '\0';
  s.ok = field_kib(buf, "VmRSS:", &s.vm_rss_bytes) && field_kib(buf, "VmHWM:", &s.vm_hwm_bytes);
  field_kib(buf, "RssAnon:", &s.rss_anon_bytes);
  field_kib(buf, "VmPTE:", &s.vm_pte_bytes);
  return s;
}

Statm read_statm() noexcept {
  Statm s;
  char buf[kStatmBufferBytes];
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  const ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return s;
  buf[n] = '\0';
  std::uint64_t v[3] = {};  // size, resident, shared, in pages
  const char* p = buf;
  for (std::uint64_t& x : v) {
    while (*p == ' ') ++p;
    if (*p < '0' || *p > '9') return s;
    for (; *p >= '0' && *p <= '9'; ++p) x = x * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  s.resident_bytes = v[1] * page;
  s.anon_bytes = (v[1] - std::min(v[1], v[2])) * page;
  s.ok = true;
  return s;
}

Usage read_usage() noexcept {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {seconds(ru.ru_utime), seconds(ru.ru_stime), static_cast<std::uint64_t>(ru.ru_minflt),
          static_cast<std::uint64_t>(ru.ru_majflt)};
}

double monotonic_now_s() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bool reset_peak_rss() noexcept {
  const int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

}  // namespace vmbench
