// What the kernel's memory work costs on this machine, measured in a fraction of a second at the
// start of a run: a first-touch page fault, a commit-like mprotect call, a madvise(MADV_DONTNEED) call
// and page. A simulator (the cost pass) counts instructions but cannot see this work, and vmbench counts
// it exactly (faults, commit and decommit calls); these unit costs turn those counts into time, so a
// reader sees how much of a cell is kernel work. Stored in the results' context.kernel_costs.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace vmbench {

// The sizes of one calibration. Each figure is the median over `rounds` rounds, each on fresh mappings;
// one more round first, discarded, brings the code and stack of the loops in (their faults would count).
struct KernelCostPlan {
  int rounds = 5;
  std::uint64_t fault_pages = 256;         // pages first-touched per round
  std::uint64_t mprotect_calls = 64;       // one page each, PROT_NONE -> read-write, in address order
  std::uint64_t madvise_calls = 64;        // one resident page each
  std::uint64_t madvise_range_pages = 256;  // resident pages dropped by one call
};

struct KernelCosts {
  bool ok = false;
  std::string error;  // one line when !ok: the call that failed and the kernel's reason
  std::uint64_t page_bytes = 0;
  KernelCostPlan plan;
  // Medians over the rounds.
  double fault_ns = 0;                // per first-touch fault of an anonymous 4 KiB page
  double mprotect_call_ns = 0;        // per commit-like call on one page
  double madvise_call_ns = 0;         // per MADV_DONTNEED call on one resident page
  double madvise_page_ns = 0;         // per resident page of one MADV_DONTNEED call over many pages
  // The check that a fault figure is per fault: minor faults the kernel reported (getrusage,
  // RUSAGE_THREAD) during the touch loops of the counted rounds, and the pages those loops touched.
  std::uint64_t faults_taken = 0;
  std::uint64_t pages_touched = 0;
  double elapsed_s = 0;  // the whole calibration, warm-up round included
};

// Runs the calibration in the calling thread. Never throws; a refused system call gives ok = false.
KernelCosts measure_kernel_costs(const KernelCostPlan& plan = {});

// The object stored in the results' context.kernel_costs (docs/ci.md, "Kernel costs"):
//   {"method": text, "page_bytes": n, "rounds": n, "elapsed_s": s, "error": null | text,
//    "fault":    {"ns_per_fault": x, "pages_per_round": n, "faults_taken": n, "pages_touched": n},
//    "mprotect": {"ns_per_call": x, "calls_per_round": n, "pages_per_call": 1},
//    "madvise_dontneed": {"ns_per_call": x, "calls_per_round": n, "pages_per_call": 1,
//                         "ns_per_page": x, "pages_per_range_call": n}}
// With an error, every ns figure is null.
nlohmann::json kernel_costs_json(const KernelCosts& costs);

}  // namespace vmbench
