#include "scaling_efficiency.hpp"

#include <map>
#include <optional>
#include <string>

#include "catalog.hpp"
#include "figure_values.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

// Everything that makes two combinations the same work but for their threads.
std::string without_threads(const Combination& c) {
  std::map<std::string, std::string> params = c.params.values();
  params.erase(kThreadsParam);
  return c.workload + "/" + c.allocator + "/" + c.dispatch + "/" + json(params).dump();
}

bool one_thread(const Combination& c) {
  return c.params.has(kThreadsParam) && parse_count(c.params.text(kThreadsParam)) == std::uint64_t{1};
}

// The median thread_ops_per_s of the ok repetitions, when they have it and it is above 0.
std::optional<double> median_per_thread(const std::vector<const CellRecord*>& reps) {
  std::vector<double> v;
  for (const CellRecord* r : reps)
    if (const auto x = cell_number(r->data, figure(FigureId::thread_ops_per_s))) v.push_back(*x);
  if (v.empty()) return std::nullopt;
  const double median = summarize(v).median;
  return median > 0 ? std::optional<double>(median) : std::nullopt;
}

json summary_json(const Summary& s) {
  return {{"n", s.n},       {"median", s.median}, {"min", s.min}, {"max", s.max},
          {"mean", s.mean}, {"stddev", s.stddev}, {"cv", s.cv}};
}

}  // namespace

void add_scaling_efficiency(const Plan& plan, const std::vector<std::vector<const CellRecord*>>& ok, json& groups) {
  std::map<std::string, double> base;  // without_threads -> the 1-thread median
  for (std::size_t i = 0; i < plan.combinations.size(); ++i)
    if (one_thread(plan.combinations[i]))
      if (const auto m = median_per_thread(ok[i])) base[without_threads(plan.combinations[i])] = *m;
  const Figure& per_thread = figure(FigureId::thread_ops_per_s);
  for (std::size_t i = 0; i < plan.combinations.size(); ++i) {
    const Combination& c = plan.combinations[i];
    const auto it = c.params.has(kThreadsParam) ? base.find(without_threads(c)) : base.end();
    if (it == base.end()) continue;
    std::vector<double> ratios;
    for (const CellRecord* r : ok[i])
      if (const auto x = cell_number(r->data, per_thread)) ratios.push_back(*x / it->second);
    if (!ratios.empty()) groups[i]["figures"][std::string(figure(FigureId::scaling_efficiency).name)] = summary_json(summarize(ratios));
  }
}

}  // namespace vmbench
