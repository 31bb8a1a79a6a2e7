#include "thread_plan.hpp"

#include <sched.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "catalog.hpp"
#include "plan.hpp"
#include "trace_reader.hpp"

namespace vmbench {

namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::vector<std::string> threaded_workloads() {
  std::vector<std::string> out;
  for (const auto& w : workload_catalog())
    if (runs_on_threads(w)) out.push_back(w.name);
  return out;
}

std::uint64_t largest(const std::vector<std::string>& counts) {
  std::uint64_t most = 0;
  for (const auto& c : counts) most = std::max(most, parse_count(c).value_or(0));
  return most;
}

}  // namespace

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;  // cannot fail for this process; 1 is safe
  return std::max(1, CPU_COUNT(&set));
}

void add_thread_counts(const std::vector<std::string>& threads_arg, GivenParams& given) {
  if (threads_arg.empty()) return;
  if (given.count(kThreadsParam) != 0) bad("--threads and --param threads are both given: use one");
  given[kThreadsParam] = threads_arg;
}

void check_thread_counts(const GivenParams& given, const std::vector<std::string>& workloads, const std::string& option) {
  const auto it = given.find(kThreadsParam);
  if (it == given.end()) return;
  const std::string range = "a thread count is 1 to " + std::to_string(kMaxThreads);
  for (const auto& value : it->second) {
    const std::string what = option + (option == "--threads" ? " " : "=") + value;
    std::string why;
    const auto n = parse_count(value, &why);
    if (!n) bad(what + ": " + why + " (" + range + ")");
    if (*n < 1 || *n > kMaxThreads) bad(what + ": " + range);
    const bool pairs = *n == 1 || *n % 2 == 0;
    if (!pairs && std::find(workloads.begin(), workloads.end(), "xfer") != workloads.end())
      bad(what + ": xfer runs producer/consumer pairs, so its thread count is 1 or even");
  }
  const bool any = std::any_of(workloads.begin(), workloads.end(),
                               [](const std::string& w) { return runs_on_threads(*find_workload(w)); });
  if (!any) bad(option + ": none of the chosen workloads runs on threads (those that do: " + join(threaded_workloads()) + ")");
}

std::vector<std::string> thread_warnings(const GivenParams& given, const std::vector<std::string>& workloads,
                                         const DeepPassOptions& deep) {
  std::vector<std::string> out;
  const auto it = given.find(kThreadsParam);
  // xfer and larson run on 2 threads by default: their default counts as asked for.
  const bool pairs = std::any_of(workloads.begin(), workloads.end(), frees_across_threads);
  const std::uint64_t most = std::max<std::uint64_t>(it == given.end() ? 1 : largest(it->second), pairs ? 2 : 1);
  const int cpus = usable_cpus();
  if (most > static_cast<std::uint64_t>(cpus))
    out.push_back(std::to_string(most) + " threads on the " + std::to_string(cpus) +
                  " CPUs this process may run on: the figures of cells with more threads than CPUs measure "
                  "time-slicing, not parallel scaling");
  if (it == given.end()) return out;
  std::vector<std::string> single;
  for (const auto& w : workloads)
    if (!runs_on_threads(*find_workload(w)) && w != "replay") single.push_back(w);
  if (std::find(workloads.begin(), workloads.end(), "replay") != workloads.end())
    out.push_back("replay runs on the threads its trace was recorded on, whatever --threads says");
  if (!single.empty())
    out.push_back(join(single) + (single.size() == 1 ? " runs" : " run") + " on one thread: threads apply to " +
                  join(threaded_workloads()));
  if (deep.any() && most > 1) out.push_back("the deep passes run for the 1-thread combinations only");
  return out;
}

namespace {

// The threads of a trace's replayed stream (1 for a file that cannot be read: check_traces refuses it),
// each file read once per plan run.
std::uint32_t trace_threads(const std::string& path) {
  static std::map<std::string, std::uint32_t> seen;
  if (const auto it = seen.find(path); it != seen.end()) return it->second;
  std::uint32_t threads = 1;
  try {
    threads = std::max<std::uint32_t>(Trace(path).main_stream().threads, 1);
  } catch (const std::exception&) {
  }
  return seen[path] = threads;
}

// A replay runs on the trace's threads: an allocator that cannot take a free from another thread, or the
// oracle (one pool's addresses in one order), is refused for a trace of several.
ThreadRefusal replay_refusal(const Combination& c) {
  if (!c.params.has("trace")) return {};
  const std::uint32_t threads = trace_threads(c.params.text("trace"));
  if (threads <= 1) return {};
  if (c.allocator == "oracle") return {ThreadRefusal::Kind::replay_oracle, std::to_string(threads)};
  if (frees_from_any_thread(c.allocator)) return {};
  return {ThreadRefusal::Kind::replay_frees_across, std::to_string(threads)};
}

// "a", "a and b", "a, b and c".
std::string in_words(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
  return s;
}

void add_once(std::vector<std::string>& v, const std::string& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// Whose free lists belong to one thread: "pool's free lists belong" or "the free lists of pool and
// pmr-pool belong".
std::string owned_free_lists(const std::vector<std::string>& allocators) {
  if (allocators.size() == 1) return allocators[0] + "'s free lists belong to one thread";
  return "the free lists of " + in_words(allocators) + " belong to one thread";
}

std::string refusal_reason(ThreadRefusal::Kind kind, const std::string& threads, const std::vector<std::string>& workloads,
                           const std::vector<std::string>& allocators) {
  switch (kind) {
    case ThreadRefusal::Kind::frees_across:
      return "on " + threads + " threads " + in_words(workloads) + (workloads.size() == 1 ? " frees" : " free") +
             " objects in another thread than their own, and " + owned_free_lists(allocators);
    case ThreadRefusal::Kind::oracle:
      return "the oracle replays the addresses of one pool in one thread, not " + threads;
    case ThreadRefusal::Kind::replay_frees_across:
      return "the trace was recorded on " + threads + " threads, replayed on as many, some frees are of another "
             "thread's object, and " + owned_free_lists(allocators);
    case ThreadRefusal::Kind::replay_oracle:
      return "the trace was recorded on " + threads + " threads, and the oracle replays the addresses of one pool "
             "in one thread";
    case ThreadRefusal::Kind::none: break;
  }
  return "";
}

}  // namespace

ThreadRefusal thread_refusal(const Combination& c) {
  if (c.workload == "replay") return replay_refusal(c);
  if (!c.params.has(kThreadsParam)) return {};
  const std::string threads = c.params.text(kThreadsParam);
  if (parse_count(threads).value_or(1) <= 1) return {};
  if (c.allocator == "oracle") return {ThreadRefusal::Kind::oracle, threads};
  if (!frees_across_threads(c.workload) || frees_from_any_thread(c.allocator)) return {};
  return {ThreadRefusal::Kind::frees_across, threads};
}

std::vector<std::string> refusal_reasons(const std::vector<RefusedCombination>& refused) {
  struct Group {
    ThreadRefusal::Kind kind;
    std::string threads;
    std::vector<std::string> keys, workloads, allocators;
  };
  std::vector<Group> groups;
  for (const RefusedCombination& r : refused) {
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const Group& x) { return x.kind == r.why.kind && x.threads == r.why.threads; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{r.why.kind, r.why.threads, {}, {}, {}});
    g->keys.push_back(r.key);
    add_once(g->workloads, r.workload);
    add_once(g->allocators, r.allocator);
  }
  std::vector<std::string> out;
  for (const Group& g : groups)
    out.push_back(join(g.keys) + ": " + refusal_reason(g.kind, g.threads, g.workloads, g.allocators));
  return out;
}

}  // namespace vmbench
