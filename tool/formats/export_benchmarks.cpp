#include "export_benchmarks.hpp"

#include <algorithm>
#include <map>

#include "catalog.hpp"
#include "figure_values.hpp"
#include "json_text.hpp"

namespace vmbench {

using nlohmann::json;

namespace {

// A test allocator's parameter (test_delay_spins): a simulated change of code, not of configuration.
bool is_fault_injection(const ParamDef& p) {
  if (p.applies_to.empty()) return false;
  for (const std::string& a : p.applies_to)
    if (const AllocatorInfo* info = find_allocator(a); info == nullptr || !info->test_only) return false;
  return true;
}

// The parameter's default at the scale when it bears on this workload and allocator; nullopt for the
// others: an allocator parameter of another allocator, or a test allocator's fault injection
// (test_delay_spins stands for a change of code, which must keep the benchmark's name).
std::optional<std::string> default_of(const json& g, const std::string& param, Scale scale) {
  const std::size_t i = static_cast<std::size_t>(scale);
  if (const WorkloadInfo* w = find_workload(g["workload"].get<std::string>()))
    for (const ParamDef& p : w->params)
      if (p.name == param) return p.defaults[i];
  const std::string allocator = g["allocator"].get<std::string>();
  for (const ParamDef& p : allocator_params()) {
    if (p.name != param) continue;
    if (is_fault_injection(p)) return std::nullopt;
    const bool applies = p.applies_to.empty() ||
                         std::find(p.applies_to.begin(), p.applies_to.end(), allocator) != p.applies_to.end();
    return applies ? std::optional<std::string>(p.defaults[i]) : std::nullopt;
  }
  return std::nullopt;
}

// The key already carries the swept parameters (`/commit_step=4K`); the name adds the scale and every
// other parameter that bears on the benchmark and is not the scale's default.
std::string name_of(const json& g, const std::string& scale, json& shown) {
  std::string name = g["key"].get<std::string>() + "/scale:" + scale;
  const Scale s = parse_scale(scale).value_or(Scale::standard);
  // The loader checks a group's `swept` but not its `params` (written for the reader, not read back):
  // a file may lack either, and a const operator[] on a missing key is undefined behaviour (an
  // assertion in nlohmann's debug builds; the fuzzer found it).
  static const json kNone = json::object();
  const auto swept_at = g.find("swept");
  const json& swept = swept_at != g.end() && swept_at->is_object() ? *swept_at : kNone;
  const auto params_at = g.find("params");
  if (params_at == g.end() || !params_at->is_object()) return name;  // as written
  const json& params = *params_at;
  for (auto it = params.begin(); it != params.end(); ++it) {
    const std::string value = it.value().is_string() ? it.value().get<std::string>() : json_text(it.value());
    if (swept.contains(it.key())) {
      shown[it.key()] = value;
      continue;
    }
    const std::optional<std::string> fallback = default_of(g, it.key(), s);
    if (!fallback || value == *fallback) continue;
    name += "/" + it.key() + ":" + value;
    shown[it.key()] = value;
  }
  return name;
}

}  // namespace

std::vector<ExportBenchmark> export_benchmarks(const json& doc) {
  const std::string scale = doc["plan"].value("scale", "default");
  std::vector<ExportBenchmark> out;
  std::map<std::string, std::size_t> by_key;
  for (const auto& g : doc["groups"]) {
    ExportBenchmark b{&g, "", json::object(), {}, {}};
    b.name = name_of(g, scale, b.params);
    by_key[g["key"].get<std::string>()] = out.size();
    out.push_back(std::move(b));
  }
  for (const auto& c : doc["cells"]) {
    const auto it = by_key.find(c["key"].get<std::string>());
    if (it == by_key.end()) continue;  // the loader guarantees a group for every cell
    if (c["status"] == "ok") out[it->second].ok.push_back(&c);
    else out[it->second].failed.push_back(&c);
  }
  return out;
}

std::vector<double> figure_samples(const ExportBenchmark& b, std::size_t figure_index) {
  std::vector<double> v;
  for (const json* c : b.ok)
    if (const std::optional<double> x = cell_number((*c)["figures"], kFigures[figure_index])) v.push_back(*x);
  return v;
}

std::vector<double> ns_per_op_samples(const ExportBenchmark& b) {
  std::vector<double> v;
  for (const json* c : b.ok) {
    const std::optional<double> wall = cell_number((*c)["figures"], figure(FigureId::wall_s));
    const std::optional<double> ops = cell_number((*c)["figures"], figure(FigureId::ops));
    if (wall && ops && *ops > 0) v.push_back(*wall / *ops * 1e9);
  }
  return v;
}

std::string failed_note(const std::vector<ExportBenchmark>& benchmarks) {
  std::size_t failed = 0;
  std::string names;
  for (const ExportBenchmark& b : benchmarks) {
    if (b.failed.empty()) continue;
    failed += b.failed.size();
    names += (names.empty() ? "" : ", ") + b.name;
  }
  if (failed == 0) return "";
  return std::to_string(failed) + " failed repetition(s) exported as failures: " + names;
}

std::vector<std::string> export_notes(const json& doc, const std::vector<ExportBenchmark>& benchmarks) {
  std::vector<std::string> notes;
  if (!doc.value("complete", true))
    notes.push_back("the results file is partial (the run was interrupted): " + std::to_string(doc["cells"].size()) +
                    " of " + std::to_string(doc["plan"].value("cells_planned", 0)) + " planned cells");
  if (const std::string failed = failed_note(benchmarks); !failed.empty()) notes.push_back(failed);
  return notes;
}

}  // namespace vmbench
