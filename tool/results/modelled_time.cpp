#include "modelled_time.hpp"

#include <string>

namespace vmbench {

namespace {

using nlohmann::json;

constexpr const char* kFormula =
    "modelled_s = estimated_cycles / nominal_hz + minor_faults x fault.ns_per_fault + commit calls x "
    "mprotect.ns_per_call + decommit calls x (madvise_dontneed.ns_per_call + mprotect.ns_per_call); the calls are the "
    "allocator's own counters (heap.commit_calls, heap.decommit_calls: the vmb arena and pool decommit with "
    "madvise(MADV_DONTNEED) then mprotect(PROT_NONE)), else the syscalls pass's commits and decommits when it ran, "
    "else none";

// A number at `outer.inner`, when it is one.
bool number_at(const json& j, const char* outer, const char* inner, double* out) {
  const auto o = j.find(outer);
  if (o == j.end() || !o->is_object()) return false;
  const auto i = o->find(inner);
  if (i == o->end() || !i->is_number()) return false;
  *out = i->get<double>();
  return true;
}

// The commit and decommit calls of the cell, and where they were counted ("" when nowhere).
std::string kernel_calls(const json& figures, double* commits, double* decommits) {
  *commits = *decommits = 0;
  if (number_at(figures, "heap", "commit_calls", commits) && number_at(figures, "heap", "decommit_calls", decommits))
    return "heap";
  *commits = *decommits = 0;
  if (number_at(figures, "syscalls", "commits", commits) && number_at(figures, "syscalls", "decommits", decommits))
    return "syscalls";
  *commits = *decommits = 0;
  return "";
}

}  // namespace

json cost_model_json() { return {{"nominal_hz", kNominalHz}, {"formula", kFormula}}; }

json modelled_time_json(const json& cost, const json& figures, const json& kernel_costs, std::string* why) {
  const auto cycles = cost.is_object() ? cost.find("estimated_cycles") : cost.end();
  const auto faults = figures.find("minor_faults");
  if (!cost.is_object() || cycles == cost.end() || !cycles->is_number()) {
    *why = "no cost figures";
    return nullptr;
  }
  if (faults == figures.end() || !faults->is_number()) {
    *why = "the timed pass counted no page faults";
    return nullptr;
  }
  double fault_ns = 0, mprotect_ns = 0, madvise_ns = 0;
  if (!kernel_costs.is_object() || !number_at(kernel_costs, "fault", "ns_per_fault", &fault_ns) ||
      !number_at(kernel_costs, "mprotect", "ns_per_call", &mprotect_ns) ||
      !number_at(kernel_costs, "madvise_dontneed", "ns_per_call", &madvise_ns)) {
    const auto error = kernel_costs.is_object() ? kernel_costs.find("error") : kernel_costs.end();
    *why = "no kernel cost calibration" +
           (error != kernel_costs.end() && error->is_string() ? ": " + error->get<std::string>() : std::string());
    return nullptr;
  }
  double commits = 0, decommits = 0;
  const std::string from = kernel_calls(figures, &commits, &decommits);
  const double cpu_s = cycles->get<double>() / kNominalHz;
  const double fault_s = faults->get<double>() * fault_ns * 1e-9;
  const double commit_s = commits * mprotect_ns * 1e-9;
  const double decommit_s = decommits * (madvise_ns + mprotect_ns) * 1e-9;
  const double kernel_s = fault_s + commit_s + decommit_s;
  return {{"modelled_s", cpu_s + kernel_s},
          {"modelled_kernel_s", kernel_s},
          {"modelled",
           {{"cpu_s", cpu_s},
            {"fault_s", fault_s},
            {"commit_s", commit_s},
            {"decommit_s", decommit_s},
            {"calls_from", from.empty() ? json(nullptr) : json(from)}}}};
}

}  // namespace vmbench
