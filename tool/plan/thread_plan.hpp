// The thread counts of a run (--threads 1,2,4, or --param threads=...): checked before anything runs,
// folded into the parameters as `threads` (a swept parameter like any other: each count is a
// combination, and its key says threads=N), and the combinations that cannot run at a count.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "deep_pass_options.hpp"

namespace vmbench {

struct Combination;

using GivenParams = std::map<std::string, std::vector<std::string>>;

// --threads N,N... (empty: not given) as the `threads` parameter's values. Throws std::invalid_argument
// with one line when --param threads is given too.
void add_thread_counts(const std::vector<std::string>& threads_arg, GivenParams& given);

// Every thread count is 1 to kMaxThreads, some chosen workload runs on threads, and xfer's counts make
// pairs (1 or even). `option`: how the user gave them, for the message ("--threads" or "--param threads").
// Throws std::invalid_argument with one line.
void check_thread_counts(const GivenParams& given, const std::vector<std::string>& workloads, const std::string& option);

// What the user should know before the run: more threads than this process may run on (the figures
// then measure time-slicing), workloads that stay on one thread, deep passes that run on one thread.
std::vector<std::string> thread_warnings(const GivenParams& given, const std::vector<std::string>& workloads,
                                         const DeepPassOptions& deep);

// Why a combination cannot run on its threads: xfer or larson on several threads, or the replay of a
// trace of several, with a heap whose free lists belong to one thread; the oracle on several threads.
struct ThreadRefusal {
  enum class Kind { none, frees_across, oracle, replay_frees_across, replay_oracle };
  Kind kind = Kind::none;
  std::string threads;  // the count asked for, or the trace's
  explicit operator bool() const noexcept { return kind != Kind::none; }
};
ThreadRefusal thread_refusal(const Combination& c);

struct RefusedCombination {
  std::string key, workload, allocator;
  ThreadRefusal why;
};

// One line per reason and thread count, naming every combination refused for it, so that a default
// run says why six combinations did not run in two lines, not six: "xfer/pool/inline,
// larson/pool/inline: on 2 threads xfer and larson free objects in another thread than their own, and
// pool's free lists belong to one thread". In the order of the first combination of each.
std::vector<std::string> refusal_reasons(const std::vector<RefusedCombination>& refused);

// The CPUs this process may run on (its affinity), at least 1.
int usable_cpus();

}  // namespace vmbench
