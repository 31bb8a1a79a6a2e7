#include "kernel_costs.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace vmbench {

namespace {

using nlohmann::json;

constexpr const char* kMethod =
    "median of the counted rounds, each on fresh anonymous private mappings with MADV_NOHUGEPAGE (one fault per "
    "4 KiB page), timed with CLOCK_MONOTONIC, after one discarded warm-up round. fault: one write to each page "
    "of a fresh read-write mapping, time / minor faults taken (getrusage RUSAGE_THREAD); mprotect: PROT_NONE to "
    "read-write on one page at a time of a fresh PROT_NONE mapping, in address order (as an arena commits); "
    "madvise_dontneed: one call per resident page, and one call over a range of resident pages divided by its "
    "pages";

// A fresh anonymous mapping, unmapped at the end of its scope.
class Mapping {
 public:
  Mapping(std::uint64_t pages, std::size_t page_bytes, int prot) : bytes_(pages * page_bytes) {
    void* m = mmap(nullptr, bytes_, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
      error_ = std::string("mmap failed: ") + std::strerror(errno);
      return;
    }
    data_ = static_cast<char*>(m);
    if (madvise(data_, bytes_, MADV_NOHUGEPAGE) != 0)
      error_ = std::string("madvise(MADV_NOHUGEPAGE) failed: ") + std::strerror(errno);
  }
  ~Mapping() {
    if (data_ != nullptr) (void)munmap(data_, bytes_);  // a calibration mapping: nothing to do on failure
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  const std::string& error() const noexcept { return error_; }
  char* data() const noexcept { return data_; }

 private:
  std::size_t bytes_;
  char* data_ = nullptr;
  std::string error_;
};

// What runs between the two fault counts is not instrumented by a sanitizer: its shadow memory, and
// ThreadSanitizer's trace of function entries, would take faults of their own.
#define VMB_UNSANITIZED __attribute__((no_sanitize("address", "thread")))

VMB_UNSANITIZED double now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

VMB_UNSANITIZED std::uint64_t thread_minor_faults() noexcept {
  rusage ru{};
  if (getrusage(RUSAGE_THREAD, &ru) != 0) return 0;  // cannot fail with these arguments
  return static_cast<std::uint64_t>(ru.ru_minflt);
}

// One write per page.
VMB_UNSANITIZED __attribute__((noinline)) void touch_pages(char* p, std::uint64_t pages, std::size_t page_bytes) noexcept {
  for (std::uint64_t i = 0; i < pages; ++i) static_cast<volatile char*>(p)[i * page_bytes] = 1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The per-round samples, before the medians.
struct Samples {
  std::vector<double> fault_ns, mprotect_call_ns, madvise_call_ns, madvise_page_ns;
  std::uint64_t faults_taken = 0, pages_touched = 0;
};

std::string fault_round(const KernelCostPlan& plan, std::size_t page, bool counted, Samples& s) {
  const Mapping m(plan.fault_pages, page, PROT_READ | PROT_WRITE);
  if (!m.error().empty()) return m.error();
  const std::uint64_t faults_before = thread_minor_faults();
  const double t0 = now_ns();
  touch_pages(m.data(), plan.fault_pages, page);
  const double t1 = now_ns();
  const std::uint64_t faults = thread_minor_faults() - faults_before;
  if (faults == 0) return "touching fresh pages took no minor fault (getrusage reports none)";
  if (!counted) return "";
  s.fault_ns.push_back((t1 - t0) / static_cast<double>(faults));
  s.faults_taken += faults;
  s.pages_touched += plan.fault_pages;
  return "";
}

std::string mprotect_round(const KernelCostPlan& plan, std::size_t page, bool counted, Samples& s) {
  const Mapping m(plan.mprotect_calls, page, PROT_NONE);
  if (!m.error().empty()) return m.error();
  const double t0 = now_ns();
  for (std::uint64_t i = 0; i < plan.mprotect_calls; ++i)
    if (mprotect(m.data() + i * page, page, PROT_READ | PROT_WRITE) != 0)
      return std::string("mprotect(PROT_READ | PROT_WRITE) failed: ") + std::strerror(errno);
  const double t1 = now_ns();
  if (counted) s.mprotect_call_ns.push_back((t1 - t0) / static_cast<double>(plan.mprotect_calls));
  return "";
}

std::string madvise_round(const KernelCostPlan& plan, std::size_t page, bool counted, Samples& s) {
  const Mapping m(std::max(plan.madvise_calls, plan.madvise_range_pages), page, PROT_READ | PROT_WRITE);
  if (!m.error().empty()) return m.error();
  touch_pages(m.data(), plan.madvise_calls, page);
  double t0 = now_ns();
  for (std::uint64_t i = 0; i < plan.madvise_calls; ++i)
    if (madvise(m.data() + i * page, page, MADV_DONTNEED) != 0)
      return std::string("madvise(MADV_DONTNEED) failed: ") + std::strerror(errno);
  const double calls_ns = now_ns() - t0;
  touch_pages(m.data(), plan.madvise_range_pages, page);
  t0 = now_ns();
  if (madvise(m.data(), plan.madvise_range_pages * page, MADV_DONTNEED) != 0)
    return std::string("madvise(MADV_DONTNEED) failed: ") + std::strerror(errno);
  const double range_ns = now_ns() - t0;
  if (counted) {
    s.madvise_call_ns.push_back(calls_ns / static_cast<double>(plan.madvise_calls));
    s.madvise_page_ns.push_back(range_ns / static_cast<double>(plan.madvise_range_pages));
  }
  return "";
}

}  // namespace

KernelCosts measure_kernel_costs(const KernelCostPlan& plan) {
  KernelCosts k;
  k.plan = plan;
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0 || plan.rounds < 1 || plan.fault_pages == 0 || plan.mprotect_calls == 0 || plan.madvise_calls == 0 ||
      plan.madvise_range_pages == 0) {
    k.error = page <= 0 ? "the page size is unknown (sysconf)" : "kernel cost calibration: every count must be positive";
    return k;
  }
  k.page_bytes = static_cast<std::uint64_t>(page);
  const double t0 = now_ns();
  Samples s;
  for (int round = 0; round <= plan.rounds && k.error.empty(); ++round) {
    const bool counted = round > 0;  // round 0 is the warm-up
    for (auto* step : {&fault_round, &mprotect_round, &madvise_round}) {
      k.error = step(plan, static_cast<std::size_t>(page), counted, s);
      if (!k.error.empty()) break;
    }
  }
  k.elapsed_s = (now_ns() - t0) * 1e-9;
  if (!k.error.empty()) return k;
  k.ok = true;
  k.fault_ns = median(s.fault_ns);
  k.mprotect_call_ns = median(s.mprotect_call_ns);
  k.madvise_call_ns = median(s.madvise_call_ns);
  k.madvise_page_ns = median(s.madvise_page_ns);
  k.faults_taken = s.faults_taken;
  k.pages_touched = s.pages_touched;
  return k;
}

json kernel_costs_json(const KernelCosts& k) {
  auto ns = [&](double v) { return k.ok ? json(v) : json(nullptr); };
  return {{"method", kMethod},
          {"page_bytes", k.page_bytes},
          {"rounds", k.plan.rounds},
          {"elapsed_s", k.elapsed_s},
          {"error", k.ok ? json(nullptr) : json(k.error)},
          {"fault",
           {{"ns_per_fault", ns(k.fault_ns)},
            {"pages_per_round", k.plan.fault_pages},
            {"faults_taken", k.faults_taken},
            {"pages_touched", k.pages_touched}}},
          {"mprotect", {{"ns_per_call", ns(k.mprotect_call_ns)}, {"calls_per_round", k.plan.mprotect_calls}, {"pages_per_call", 1}}},
          {"madvise_dontneed",
           {{"ns_per_call", ns(k.madvise_call_ns)},
            {"calls_per_round", k.plan.madvise_calls},
            {"pages_per_call", 1},
            {"ns_per_page", ns(k.madvise_page_ns)},
            {"pages_per_range_call", k.plan.madvise_range_pages}}}};
}

}  // namespace vmbench
