// Noise made visible: how much of a CPU each cell had during its measured phase, and one summary line
// for the whole run when cells waited or times varied, with the likely cause (docs/metrics.md,
// "Noise"). A cell that got less than a CPU waited: for another process, for the disk, for a quota.
// Its time then includes the waiting, whatever the allocator did, and no ratio built on it holds.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace vmbench {

// A cell whose (user + sys) / wall is below this share of one CPU gets counted in the noise line.
inline constexpr double kMinCpuShare = 0.90;

// The system's 1, 5 and 15 minute load averages, or null when the kernel does not say.
nlohmann::json load_average_json();

// The one line that sums up the run's noise, or nothing when every ok cell had at least kMinCpuShare
// of a CPU and no group's time varied by more than kNoisyCv: how many cells waited (and the worst),
// how many groups varied (and the worst), the likely cause (from the context's load averages and CPU
// count), and what it means for the figures. `cells` and `groups` as in the results document.
std::optional<std::string> noise_summary(const nlohmann::json& cells, const nlohmann::json& groups,
                                         const nlohmann::json& context);

}  // namespace vmbench
