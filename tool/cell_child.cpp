#include "cell_child.hpp"

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "allocator_proof.hpp"
#include "child_process.hpp"
#include "probes.hpp"
#include "run_cell.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxCheckpoints = 256;  // reserved up front: no allocation inside the phase

struct Checkpoint {
  std::string label;
  std::uint64_t live_bytes;
  ProcStatus status;
  double at_s;
};

int fail(int code, const std::string& what) {
  std::fprintf(stderr, "vmbench: %s\n", what.c_str());
  return code;
}

bool write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

json counters_json(const HeapCounters& total, const HeapCounters& delta) {
  return {{"commit_calls", delta.commit_calls},         {"decommit_calls", delta.decommit_calls},
          {"committed_bytes", total.committed_bytes},   {"peak_committed_bytes", total.peak_committed_bytes},
          {"reserved_bytes", total.reserved_bytes}};
}

}  // namespace

int cell_child_main(const std::string& spec_json) {
  CellRequest req;
  try {
    const json spec = json::parse(spec_json);
    req.workload = spec.at("workload").get<std::string>();
    req.allocator = spec.at("allocator").get<std::string>();
    req.virtual_dispatch = spec.at("dispatch").get<std::string>() == "virtual";
    req.params = Params(spec.at("params").get<std::map<std::string, std::string>>());
    req.seed = spec.at("seed").get<std::uint64_t>();
    req.warmup = spec.at("warmup").get<int>();
  } catch (const std::exception& e) {
    return fail(2, std::string("bad cell specification: ") + e.what());
  }

  const AllocatorProof proof = prove_allocator(req.allocator);
  if (!proof.ok) return fail(4, "allocator not proven: " + proof.evidence);

  ProcStatus before{}, at_reset{}, after{};
  Usage usage_before{}, usage_after{};
  double t_begin = 0, t_end = 0;
  bool peak_reset = false;
  std::vector<Checkpoint> checkpoints;
  checkpoints.reserve(kMaxCheckpoints);

  CellHooks hooks;
  hooks.begin_measured = [&] {
    before = read_proc_status();
    peak_reset = reset_peak_rss();
    at_reset = read_proc_status();
    usage_before = read_usage();
    t_begin = monotonic_now_s();
  };
  hooks.end_measured = [&] {
    t_end = monotonic_now_s();
    usage_after = read_usage();
    after = read_proc_status();
  };
  hooks.checkpoint = [&](const std::string& label, std::uint64_t live) {
    if (checkpoints.size() < kMaxCheckpoints)
      checkpoints.push_back({label, live, read_proc_status(), monotonic_now_s() - t_begin});
  };

  CellOutcome outcome;
  try {
    outcome = run_cell(req, hooks);
  } catch (const std::exception& e) {
    return fail(5, e.what());
  }

  const WorkloadStats& st = outcome.stats;
  const double wall = t_end - t_begin;
  const std::uint64_t ops = st.allocations + st.frees;
  json unavailable = json::object();
  json r;
  r["proof"] = {{"evidence", proof.evidence}, {"version", proof.version}};
  r["wall_s"] = wall;
  r["cpu_user_s"] = usage_after.user_s - usage_before.user_s;
  r["cpu_sys_s"] = usage_after.sys_s - usage_before.sys_s;
  r["minor_faults"] = usage_after.minor_faults - usage_before.minor_faults;
  r["major_faults"] = usage_after.major_faults - usage_before.major_faults;
  r["allocations"] = st.allocations;
  r["frees"] = st.frees;
  r["frees_skipped"] = st.frees_skipped;
  r["ops"] = ops;
  r["ops_per_s"] = wall > 0 ? static_cast<double>(ops) / wall : 0.0;
  r["peak_live_bytes"] = st.peak_live_bytes;
  r["final_live_bytes"] = st.final_live_bytes;
  r["checksum"] = st.checksum;
  if (before.ok && after.ok) {
    r["rss_baseline_bytes"] = at_reset.vm_rss_bytes;
    r["final_rss_bytes"] = after.vm_rss_bytes;
    r["final_rss_delta_bytes"] = static_cast<std::int64_t>(after.vm_rss_bytes) - static_cast<std::int64_t>(at_reset.vm_rss_bytes);
    r["page_table_delta_bytes"] = static_cast<std::int64_t>(after.vm_pte_bytes) - static_cast<std::int64_t>(before.vm_pte_bytes);
    if (peak_reset) {
      r["peak_rss_bytes"] = after.vm_hwm_bytes;
      r["peak_rss_delta_bytes"] = static_cast<std::int64_t>(after.vm_hwm_bytes) - static_cast<std::int64_t>(at_reset.vm_rss_bytes);
    } else {
      r["peak_rss_bytes"] = nullptr;
      r["peak_rss_delta_bytes"] = nullptr;
      unavailable["peak_rss_bytes"] = "the kernel refused the peak reset (/proc/self/clear_refs)";
    }
  } else {
    unavailable["rss"] = "/proc/self/status could not be read";
  }
  if (outcome.counters.known) {
    r["heap"] = counters_json(outcome.counters, outcome.counters_delta);
  } else {
    r["heap"] = nullptr;
    unavailable["heap"] = "the allocator keeps no commit counters of its own";
  }
  r["heap_note"] = outcome.counters.note;
  json phases = json::array();
  for (const auto& p : st.phases) phases.push_back({{"name", p.name}, {"seconds", p.seconds}, {"count", p.count}});
  r["phases"] = phases;
  json cps = json::array();
  for (const auto& c : checkpoints)
    cps.push_back({{"label", c.label},
                   {"live_bytes", c.live_bytes},
                   {"rss_bytes", c.status.vm_rss_bytes},
                   {"rss_anon_bytes", c.status.rss_anon_bytes},
                   {"at_s", c.at_s}});
  r["checkpoints"] = cps;
  r["unavailable"] = unavailable;

  if (!write_all(kResultFd, r.dump())) return fail(6, "cannot write the result to the parent");
  return 0;
}

}  // namespace vmbench
