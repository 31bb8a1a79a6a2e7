// Which deep-metric passes a run asks for (--syscalls, --latency, --timeline, --heap-map, --cost, --deep):
// part of the plan; runner/deep_passes.hpp runs them.
#pragma once

#include <cstdint>

namespace vmbench {

struct DeepPassOptions {
  bool syscalls = false;
  bool latency = false;
  bool timeline = false;
  bool heap_map = false;
  bool cost = false;  // under callgrind (runner/cost_pass.hpp): instructions and simulated cache misses
  std::uint64_t timeline_every_ops = 0;  // 0: chosen for about kTimelinePoints points
  bool any() const noexcept { return syscalls || latency || timeline || heap_map || cost; }
};

inline constexpr std::uint64_t kTimelinePoints = 150;

}  // namespace vmbench
