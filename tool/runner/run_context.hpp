// The context recorded with every result (docs/metrics.md): machine, kernel settings that change
// the figures (page size, transparent huge pages, overcommit), build, versions, command line, date,
// and what the kernel's memory work costs here (probes/kernel_costs.hpp, measured now, in about 10 ms)
// with the nominal frequency of the modelled time (results/modelled_time.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vmbench {

nlohmann::json collect_context(const std::string& command_line, std::uint64_t seed);

// vmbench's own version, with the git commit it was built from.
std::string version_string();

}  // namespace vmbench
