// The machine facts Google Benchmark puts in its context and Bencher's cpp_google adapter requires:
// the caches of cpu0 (sysfs) and the clock rate. Read where the export runs, so run the export on the
// machine that measured (as CI does) for them to describe it.
#pragma once

#include <nlohmann/json.hpp>

namespace vmbench {

// [{type, level, size (bytes), num_sharing}], as Google Benchmark writes them; [] when sysfs has none.
nlohmann::json host_caches();

// The maximum clock of cpu0 in MHz (cpufreq), else /proc/cpuinfo's "cpu MHz", else 0.
long host_mhz_per_cpu();

}  // namespace vmbench
