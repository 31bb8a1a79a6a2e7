#include "run_context.hpp"

#include "allocator_environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "noise.hpp"
#include "kernel_costs.hpp"
#include "modelled_time.hpp"

#ifndef VMB_GIT_COMMIT
#define VMB_GIT_COMMIT "unknown"
#endif
#ifndef VMB_BUILD_TYPE
#define VMB_BUILD_TYPE "unknown"
#endif
#ifndef VMB_BUILD_FLAGS
#define VMB_BUILD_FLAGS ""
#endif
#ifndef VMB_VERSION
#define VMB_VERSION "0.0.0"
#endif

namespace vmbench {

namespace {

#if defined(__clang__)
constexpr const char* kCompiler = "clang " __clang_version__;
#elif defined(__GNUC__)
constexpr const char* kCompiler = "g++ " __VERSION__;
#else
constexpr const char* kCompiler = "unknown";
#endif

std::string read_trimmed(const char* path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "always [madvise] never" -> "madvise"
std::string bracketed(const std::string& s) {
  const auto a = s.find('['), b = s.find(']');
  return a != std::string::npos && b != std::string::npos && b > a ? s.substr(a + 1, b - a - 1) : s;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  return "unknown";
}

std::string utc_now() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string version_string() { return std::string(VMB_VERSION) + " (" + VMB_GIT_COMMIT + ")"; }

nlohmann::json collect_context(const std::string& command_line, std::uint64_t seed) {
  utsname u{};
  uname(&u);
  const std::string thp = read_trimmed("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string overcommit = read_trimmed("/proc/sys/vm/overcommit_memory");
  return {
      {"vmbench_version", VMB_VERSION},
      {"git_commit", VMB_GIT_COMMIT},
      {"date_utc", utc_now()},
      {"command_line", command_line},
      {"seed", seed},
      {"cpu_model", cpu_model()},
      {"cpu_count", sysconf(_SC_NPROCESSORS_ONLN)},
      {"memory_bytes", static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE))},
      {"kernel", std::string(u.sysname) + " " + u.release},
      {"machine", u.machine},
      {"page_size", sysconf(_SC_PAGESIZE)},
      {"transparent_hugepages", thp.empty() ? nlohmann::json(nullptr) : nlohmann::json(bracketed(thp))},
      {"overcommit_memory", overcommit.empty() ? nlohmann::json(nullptr) : nlohmann::json(overcommit)},
      {"compiler", kCompiler},
      {"build_type", VMB_BUILD_TYPE},
      {"build_flags", VMB_BUILD_FLAGS},
      {"ci", std::getenv("CI") != nullptr},
      {"load_average_before", load_average_json()},  // and load_average_after, at the end (noise.hpp)
      {"allocator_environment", allocator_environment()},
      {"kernel_costs", kernel_costs_json(measure_kernel_costs())},
      {"cost_model", cost_model_json()},
  };
}

}  // namespace vmbench
