// PoolPolicy: what a pool type does beyond its work (checks, counters), chosen at compile time.
#pragma once

#include "vmb/config.hpp"

namespace vmb {

// What a pool type does beyond the work itself, fixed at compile time so that a pool without it
// pays nothing: no branch, no counter update on its fast paths.
struct PoolPolicy {
  // O(1) detection of double frees and foreign pointers (a bitmap of live slots, reserved beside the
  // pool) and a fill pattern in freed slots. Default: debug builds (VMB_DEBUG).
  bool checks = kDebugBuild;
  // Count allocations and frees (PoolStats::allocations, frees): one memory update per call.
  // Default: builds that count operations (VMB_COUNT_OPS; debug builds by default).
  bool counts = kCountOps;
};

}  // namespace vmb
