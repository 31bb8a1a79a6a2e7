#include "cell_result.hpp"

#include <cstdint>

namespace vmbench {

namespace {

using nlohmann::json;

std::int64_t difference(std::uint64_t later, std::uint64_t earlier) {
  return static_cast<std::int64_t>(later) - static_cast<std::int64_t>(earlier);
}

// Time, CPU, faults and the workload's own counts.
void add_counts(json& r, const WorkloadStats& st, const PhaseReadings& p) {
  const double wall = p.end_s - p.begin_s;
  r["wall_s"] = wall;
  r["cpu_user_s"] = p.usage_after.user_s - p.usage_before.user_s;
  r["cpu_sys_s"] = p.usage_after.sys_s - p.usage_before.sys_s;
  const double cpu = r["cpu_user_s"].get<double>() + r["cpu_sys_s"].get<double>();
  r["cpu_s_per_s"] = wall > 0 ? cpu / wall : 0.0;  // noise.hpp: below 0.9 the cell waited
  r["minor_faults"] = p.usage_after.minor_faults - p.usage_before.minor_faults;
  r["major_faults"] = p.usage_after.major_faults - p.usage_before.major_faults;
  r["allocations"] = st.allocations;
  r["frees"] = st.frees;
  r["frees_skipped"] = st.frees_skipped;
  r["ops"] = st.ops;
  r["ops_per_s"] = wall > 0 ? static_cast<double>(st.ops) / wall : 0.0;
  r["peak_live_bytes"] = st.peak_live_bytes;
  r["final_live_bytes"] = st.final_live_bytes;
  r["checksum"] = st.checksum;
  if (!st.counts.empty()) {
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& [name, value] : st.counts) counts[name] = value;
    r["workload_counts"] = counts;
  }
}

// Throughput per thread, and each thread's time from the start barrier to its own end (one thread:
// the measured phase).
void add_thread_figures(json& r, const CellOutcome& outcome, const PhaseReadings& p) {
  const double wall = p.end_s - p.begin_s;
  const std::uint64_t ops = outcome.stats.ops;
  const double threads = outcome.threads;
  r["thread_ops_per_s"] = wall > 0 ? static_cast<double>(ops) / wall / threads : 0.0;
  const ThreadSpread one{wall, wall, wall};
  const ThreadSpread& s = outcome.threads > 1 ? outcome.thread_s : one;
  r["thread_min_s"] = s.min_s;
  r["thread_median_s"] = s.median_s;
  r["thread_max_s"] = s.max_s;
}

// RSS and page tables, from /proc/self/status before and after the phase.
void add_memory(json& r, json& unavailable, const PhaseReadings& p) {
  if (!p.before.ok || !p.after.ok) {
    unavailable["rss"] = "/proc/self/status could not be read";
    return;
  }
  r["rss_baseline_bytes"] = p.at_reset.vm_rss_bytes;
  r["final_rss_bytes"] = p.after.vm_rss_bytes;
  r["final_rss_delta_bytes"] = difference(p.after.vm_rss_bytes, p.at_reset.vm_rss_bytes);
  r["page_table_delta_bytes"] = difference(p.after.vm_pte_bytes, p.before.vm_pte_bytes);
  if (p.peak_reset) {
    r["peak_rss_bytes"] = p.after.vm_hwm_bytes;
    r["peak_rss_delta_bytes"] = difference(p.after.vm_hwm_bytes, p.at_reset.vm_rss_bytes);
  } else {
    r["peak_rss_bytes"] = nullptr;
    r["peak_rss_delta_bytes"] = nullptr;
    unavailable["peak_rss_bytes"] = "the kernel refused the peak reset (/proc/self/clear_refs)";
  }
}

// The heap's own commit counters, where the allocator keeps them.
void add_heap_counters(json& r, json& unavailable, const CellOutcome& outcome) {
  const HeapCounters& total = outcome.counters;
  const HeapCounters& delta = outcome.counters_delta;
  if (total.known) {
    r["heap"] = {{"commit_calls", delta.commit_calls},       {"decommit_calls", delta.decommit_calls},
                 {"committed_bytes", total.committed_bytes}, {"peak_committed_bytes", total.peak_committed_bytes},
                 {"reserved_bytes", total.reserved_bytes}};
  } else {
    r["heap"] = nullptr;
    unavailable["heap"] = "the allocator keeps no commit counters of its own";
  }
  r["heap_note"] = total.note;
}

// The workload's timed phases and its named checkpoints. A cell of several threads: each phase's
// seconds are the median over the threads that ran it, beside its minimum and maximum.
void add_phases_and_checkpoints(json& r, const CellOutcome& outcome, const PhaseReadings& p) {
  json phases = json::array();
  for (const auto& ph : outcome.stats.phases) phases.push_back({{"name", ph.name}, {"seconds", ph.seconds}, {"count", ph.count}});
  for (const PhaseSpread& spread : outcome.phase_spreads)
    for (json& ph : phases)
      if (ph["name"] == spread.name)
        ph.update({{"threads", spread.threads}, {"min_s", spread.seconds.min_s}, {"max_s", spread.seconds.max_s}});
  r["phases"] = phases;
  json cps = json::array();
  for (const auto& c : p.checkpoints)
    cps.push_back({{"label", c.label},
                   {"live_bytes", c.live_bytes},
                   {"rss_bytes", c.status.vm_rss_bytes},
                   {"rss_anon_bytes", c.status.rss_anon_bytes},
                   {"at_s", c.at_s}});
  r["checkpoints"] = cps;
}

}  // namespace

json cell_result_json(const AllocatorProof& proof, const CellOutcome& outcome, const PassProbes& probes) {
  const PhaseReadings& readings = probes.readings();
  json unavailable = json::object();
  json r;
  r["proof"] = {{"evidence", proof.evidence}, {"version", proof.version}};
  add_counts(r, outcome.stats, readings);
  add_thread_figures(r, outcome, readings);
  add_memory(r, unavailable, readings);
  add_heap_counters(r, unavailable, outcome);
  add_phases_and_checkpoints(r, outcome, readings);
  probes.add_pass_figures(r, unavailable);
  r["unavailable"] = unavailable;
  return r;
}

}  // namespace vmbench
