#include <cstdio>

#include "catalog.hpp"
#include "commands.hpp"

namespace vmbench {

namespace {

void print_params(const std::vector<ParamDef>& params) {
  for (const auto& p : params) {
    if (p.name.rfind("test_", 0) == 0) continue;  // fault-injection knobs of the test allocators
    if (p.kind == ParamKind::text && p.defaults[1].empty()) {  // an input of its own: no default
      std::printf("      %-14s (required) %s\n", p.name.c_str(), p.help.c_str());
      continue;
    }
    std::printf("      %-14s ci=%s default=%s large=%s  %s", p.name.c_str(), p.defaults[0].c_str(), p.defaults[1].c_str(),
                p.defaults[2].c_str(), p.help.c_str());
    if (!p.choices.empty()) {
      std::printf(" (");
      for (std::size_t i = 0; i < p.choices.size(); ++i) std::printf("%s%s", i ? "|" : "", p.choices[i].c_str());
      std::printf(")");
    }
    std::printf("\n");
  }
}

}  // namespace

int command_list() {
  std::printf("Workloads (--workload NAME; parameters with --param NAME=VALUE[,VALUE...]):\n");
  for (const auto& w : workload_catalog()) {
    std::printf("  %-8s %s\n", w.name.c_str(), w.summary.c_str());
    std::printf("           operations: %s\n", w.operations.c_str());
    print_params(w.params);
  }
  std::printf("\nAllocators (--allocator NAME):\n");
  for (const auto& a : allocator_availability()) {
    const AllocatorInfo* info = find_allocator(a.name);
    std::printf("  %-14s %-13s %s\n", a.name.c_str(), a.available ? "available" : "not available", info->summary.c_str());
    if (!a.available) std::printf("  %-14s %-13s %s\n", "", "", a.reason.c_str());
    else if (!a.preload_path.empty())
      std::printf("  %-14s %-13s LD_PRELOAD=%s (found by the %s)\n", "", "", a.preload_path.c_str(), a.found_by.c_str());
  }
  std::printf("  %-14s %-13s %s\n", "NAME=PATH", "", "your own malloc replacement, loaded with LD_PRELOAD from PATH");
  std::printf("\nAllocator parameters:\n");
  print_params(allocator_params());
  return 0;
}

}  // namespace vmbench
