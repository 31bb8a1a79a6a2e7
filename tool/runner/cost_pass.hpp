// The cost pass: one cell run once more under Valgrind's callgrind, counting only inside its measured
// phase (workloads/cost_marker.hpp), with a fixed simulated cache and address-space randomisation off,
// so that two runs of unchanged code give the same instruction count (docs/ci.md, "The cost pass").
// The kernel work the simulator cannot see (faults, commit calls) is counted in the normal passes.
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "callgrind_totals.hpp"

namespace vmbench {

// The simulated caches: fixed, not the host's, so that a count means the same on every machine.
// A typical x86-64 core of the last decade: 32 KiB 8-way L1s and an 8 MiB 16-way last level, 64-byte lines.
inline constexpr const char* kCostCacheOptions[] = {"--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"};

// What to run: the cell child `exe __cell spec_json`, under LD_PRELOAD `preload` (empty: none).
struct CostChild {
  std::string exe;
  std::string spec_json;  // the cell's spec; the caller sets its "pass"
  std::string allocator;  // its name: which time-based purging to pin
  std::string preload;
  double timeout_s = 0;   // 0: none. A cell runs some 20 to 100 times slower under callgrind.
  bool clean_allocator_env = false;  // --clean-env: none of the allocators' variables (allocator_environment.hpp)
};

struct CostOutcome {
  bool ok = false;
  std::string error;                       // one line when !ok
  std::string result_json;                 // what the cell wrote on fd 3
  std::optional<CallgrindTotals> totals;   // when ok
  std::vector<std::string> notes;          // what the pass changed for determinism: pins, reservations
  double elapsed_s = 0;                    // the whole pass, Valgrind's start-up included
};

// The environment of the cost child, and a note per setting that changes the allocator's behaviour.
struct CostEnvironment {
  std::vector<std::string> variables;  // NAME=value, sorted
  std::vector<std::string> notes;
};

// The absolute path of `valgrind` on PATH; empty and a one-line reason naming the Debian package if
// there is none.
std::string find_valgrind(std::string* why);

// "" when the cost pass can run here, else the one-line reason: a sanitizer build, this build lacks the
// phase markers (valgrind/callgrind.h was missing), or valgrind is not installed.
std::string cost_pass_unavailable();

// valgrind --tool=callgrind with the options of the pass, then the cell's own argv.
std::vector<std::string> callgrind_argv(const std::string& valgrind, const std::string& out_file, const std::string& exe,
                                        const std::string& spec_json);

// A fixed environment: the parent's own only where it configures what is measured (VMBENCH_*, the
// allocators' MALLOC_CONF, MIMALLOC_*, TCMALLOC_*, GLIBC_TUNABLES, and VALGRIND_LIB), so that neither the
// stack layout (which moves with the environment's size) nor ~/.valgrindrc or VALGRIND_OPTS change a count;
// LD_PRELOAD = `preload`; and the pins of time-based purging for jemalloc and mimalloc. Under
// `clean_allocator_env` (--clean-env) the user's allocator variables are left out too; the pins stay.
CostEnvironment cost_environment(const std::string& allocator, const std::string& preload, const char* const* parent_env,
                                 bool clean_allocator_env = false);

// The stack of a process starts below its argument and environment strings and the pointers to them,
// so their sizes move every stack address, and with them the alignment-dependent paths of memcpy & co.:
// one checkout path against another moved strings/bump by 0.35% of its instructions. So the cell runs
// as ./vmbench (kCostExeName, a link in its private working directory), and pad_stack_strings appends
// kCostPadVariable=xxx... to `variables`, sized so that the client's strings and pointers fill whole
// multiples of kCostStackPadBytes. (Valgrind's own additions to the environment are the same for a given
// installation and allocator.)
inline constexpr const char* kCostExeName = "vmbench";
inline constexpr const char* kCostPadVariable = "VMBENCH_COST_PAD";
inline constexpr std::size_t kCostStackPadBytes = 4096;
void pad_stack_strings(const std::vector<std::string>& client_argv, std::vector<std::string>& variables);

// The notes of the arena's and the pool's reservations, capped under Valgrind
// (workloads/heaps/valgrind_reserve.hpp), for a cell of `allocator` with the spec's `params`.
std::vector<std::string> reservation_notes(const std::string& allocator, const nlohmann::json& params);

// Runs the pass. Never throws. A missing valgrind, a crash, a timeout, a cell that fails or never
// marks its phase: ok = false and the reason.
CostOutcome run_cost_pass(const CostChild& child, const std::atomic<bool>& cancel);

// The cost figures of a cell (callgrind_totals_json) with "method" (the options and the formula) and
// "notes" (CostOutcome::notes), or null when !ok (the caller records the reason).
nlohmann::json cost_json(const CostOutcome& outcome);

}  // namespace vmbench
