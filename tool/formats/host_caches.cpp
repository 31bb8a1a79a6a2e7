#include "host_caches.hpp"

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace vmbench {

namespace {

std::optional<std::string> read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

// "32K" -> 32768 (sysfs writes K, sometimes M).
long size_bytes(const std::string& s) {
  long n = 0;
  try {
    n = std::stol(s);
  } catch (const std::exception&) {
    return 0;
  }
  if (s.find('K') != std::string::npos) return n * 1024;
  if (s.find('M') != std::string::npos) return n * 1024 * 1024;
  return n;
}

// "0-3,8" -> 5 CPUs.
int cpus_in_list(const std::string& list) {
  int count = 0;
  std::stringstream ss(list);
  std::string range;
  while (std::getline(ss, range, ',')) {
    const std::size_t dash = range.find('-');
    try {
      count += dash == std::string::npos ? 1 : std::stoi(range.substr(dash + 1)) - std::stoi(range) + 1;
    } catch (const std::exception&) {
      return 0;
    }
  }
  return count;
}

}  // namespace

nlohmann::json host_caches() {
  nlohmann::json caches = nlohmann::json::array();
  for (int i = 0;; ++i) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    const auto type = read_line(dir + "type");
    const auto level = read_line(dir + "level");
    const auto size = read_line(dir + "size");
    if (!type || !level || !size) break;
    const auto shared = read_line(dir + "shared_cpu_list");
    caches.push_back({{"type", *type},
                      {"level", size_bytes(*level)},
                      {"size", size_bytes(*size)},
                      {"num_sharing", shared ? cpus_in_list(*shared) : 0}});
  }
  return caches;
}

long host_mhz_per_cpu() {
  if (const auto khz = read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")) {
    try {
      return std::stol(*khz) / 1000;
    } catch (const std::exception&) {
    }
  }
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    try {
      return colon == std::string::npos ? 0 : static_cast<long>(std::stod(line.substr(colon + 1)) + 0.5);
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

}  // namespace vmbench
