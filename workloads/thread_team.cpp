#include "thread_team.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <system_error>
#include <thread>

#include "catalog.hpp"
#include "cost_marker.hpp"

namespace vmbench {

int team_size(const Params& params) {
  if (!params.has(kThreadsParam)) return 1;
  const std::uint64_t n = params.count(kThreadsParam);
  if (n < 1 || n > kMaxThreads)
    throw std::runtime_error("threads=" + std::to_string(n) + ": must be 1 to " + std::to_string(kMaxThreads));
  return static_cast<int>(n);
}

std::uint64_t thread_seed(std::uint64_t seed, int thread) noexcept {
  if (thread == 0) return seed;
  std::uint64_t z = seed + static_cast<std::uint64_t>(thread) * 0x9e3779b97f4a7c15ULL;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void run_threads(int threads, const std::function<void(int)>& body) {
  std::latch go(1);
  bool abandon = false;  // written before go opens, read after: the latch orders the two
  std::string failure;
  std::vector<std::thread> team;
  team.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads && failure.empty(); ++i) {
    try {
      team.emplace_back([&, i] {
        go.wait();
        if (!abandon) body(i);
      });
    } catch (const std::system_error& e) {
      failure = "thread " + std::to_string(i + 1) + " of " + std::to_string(threads) +
                " could not be started: " + e.what();
    }
  }
  abandon = !failure.empty();
  go.count_down();
  for (std::thread& t : team) t.join();
  if (abandon) throw ThreadsNotStarted(failure);
}

std::uint64_t combine_checksums(const std::vector<ThreadRun>& runs) noexcept {
  std::uint64_t sum = 0;
  for (const ThreadRun& r : runs) sum = std::rotl(sum, 5) ^ r.stats.checksum;  // churn::fold
  return sum;
}

ThreadSpread spread_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {v.front(), median, v.back()};
}

std::vector<PhaseSpread> phase_spreads(const std::vector<ThreadRun>& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> seconds;
  for (const ThreadRun& r : runs)
    for (const PhaseTime& ph : r.stats.phases) {
      if (seconds.count(ph.name) == 0) order.push_back(ph.name);
      seconds[ph.name].push_back(ph.seconds);
    }
  std::vector<PhaseSpread> out;
  for (const std::string& name : order)
    out.push_back({name, static_cast<int>(seconds[name].size()), spread_of(seconds[name])});
  return out;
}

namespace {

void add_counts(WorkloadStats& to, const WorkloadStats& from) {
  for (const auto& count : from.counts) {  // not a structured binding: clang 14 cannot capture one
    auto it = std::find_if(to.counts.begin(), to.counts.end(), [&](const auto& c) { return c.first == count.first; });
    if (it == to.counts.end()) to.counts.push_back(count);
    else it->second += count.second;
  }
}

}  // namespace

WorkloadStats combine_stats(const std::vector<ThreadRun>& runs) {
  WorkloadStats all;
  for (const ThreadRun& r : runs) {
    all.allocations += r.stats.allocations;
    all.frees += r.stats.frees;
    all.frees_skipped += r.stats.frees_skipped;
    all.resizes += r.stats.resizes;
    all.resizes_moved += r.stats.resizes_moved;
    all.ops += r.stats.ops;
    all.peak_live_bytes += r.stats.peak_live_bytes;
    all.final_live_bytes += r.stats.final_live_bytes;
    add_counts(all, r.stats);
  }
  all.checksum = combine_checksums(runs);
  std::map<std::string, std::uint64_t> counts;
  for (const ThreadRun& r : runs)
    for (const PhaseTime& ph : r.stats.phases) counts[ph.name] += ph.count;
  for (const PhaseSpread& ph : phase_spreads(runs)) all.phases.push_back({ph.name, ph.seconds.median_s, counts[ph.name]});
  return all;
}

HeapCounters sum_counters(const std::vector<ThreadRun>& runs, HeapCounters ThreadRun::*which) {
  HeapCounters sum;
  for (const ThreadRun& r : runs) {
    const HeapCounters& c = r.*which;
    if (!c.known) continue;
    sum.add_region(c);
  }
  if (!runs.empty()) sum.note = (runs.front().*which).note;
  return sum;
}

TeamClock::TeamClock(int threads, std::function<void()> on_start, std::function<void()> on_end)
    : on_start_(std::move(on_start)), on_end_(std::move(on_end)), start_(threads, Edge{this, true}),
      end_(threads, Edge{this, false}), passes_(threads) {}

// Runs once per barrier, in the last thread to arrive, before any is released. The cost markers sit
// inside the probes' readings, as in a single-threaded cell (heap_runs/run_heap.hpp).
void TeamClock::Edge::operator()() noexcept {
  if (is_start) {
    if (clock->on_start_) clock->on_start_();
    cost_phase_begin();
    clock->started_s_ = monotonic_seconds();
  } else {
    cost_phase_end();
    if (clock->on_end_) clock->on_end_();
  }
}

void TeamClock::start() { start_.arrive_and_wait(); }
void TeamClock::finish() { end_.arrive_and_wait(); }
void TeamClock::between_passes() { passes_.arrive_and_wait(); }

void TeamClock::leave(bool started, bool finished) {
  (void)passes_.arrive_and_drop();  // whether or not the warm-up is over: no one waits for it any more
  if (!started) (void)start_.arrive_and_drop();
  if (!finished) (void)end_.arrive_and_drop();
}

bool TeamErrors::all_ready(bool mine_ok) {
  if (!mine_ok) any_failed_.store(true, std::memory_order_relaxed);
  ready_.arrive_and_wait();  // orders every thread's store before every load below
  return !any_failed_.load(std::memory_order_relaxed);
}

void TeamErrors::rethrow_first() const {
  for (const std::exception_ptr& e : errors_)
    if (e) std::rethrow_exception(e);
}

}  // namespace vmbench
