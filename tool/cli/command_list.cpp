// `vmbench list`: what can run (workloads with their parameters, allocators and whether they are
// available here) as text for people, or with --format json as the one description the Python side
// reads (scripts/plots/common.py): also the allocators' colours and the figure registry.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "catalog.hpp"
#include "commands.hpp"
#include "cost_pass.hpp"
#include "figure_registry.hpp"
#include "json_text.hpp"
#include "plot_style.hpp"
#include "standard_output.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

// The fault-injection knobs of the test allocators are not listed.
bool listed(const ParamDef& p) { return p.name.rfind("test_", 0) != 0; }

void print_params(const std::vector<ParamDef>& params) {
  for (const auto& p : params) {
    if (!listed(p)) continue;
    if (p.kind == ParamKind::text && p.defaults[1].empty()) {  // an input of its own: no default
      print_outf("      %-14s (required) %s\n", p.name.c_str(), p.help.c_str());
      continue;
    }
    print_outf("      %-14s ci=%s default=%s large=%s  %s", p.name.c_str(), p.defaults[0].c_str(), p.defaults[1].c_str(),
                p.defaults[2].c_str(), p.help.c_str());
    if (p.kind == ParamKind::choice) {
      print_outf(" (");
      for (std::size_t i = 0; i < p.choices.size(); ++i) print_outf("%s%s", i ? "|" : "", p.choices[i].c_str());
      print_outf(")");
    } else if (p.kind != ParamKind::text) {
      print_outf(" (%s)", describe_range(p).c_str());
    }
    print_outf("\n");
  }
}

int print_text() {
  print_outf("Workloads (--workload NAME; parameters with --param NAME=VALUE[,VALUE...]):\n");
  for (const auto& w : workload_catalog()) {
    print_outf("  %-8s %s\n", w.name.c_str(), w.summary.c_str());
    print_outf("           operations: %s\n", w.operations.c_str());
    print_params(w.params);
  }
  print_outf("\nAllocators (--allocator NAME):\n");
  for (const auto& a : allocator_availability()) {
    const AllocatorInfo* info = find_allocator(a.name);
    print_outf("  %-14s %-13s %s\n", a.name.c_str(), a.available ? "available" : "not available", info->summary.c_str());
    if (!a.available) print_outf("  %-14s %-13s %s\n", "", "", a.reason.c_str());
    else if (!a.preload_path.empty())
      print_outf("  %-14s %-13s LD_PRELOAD=%s (found by the %s)\n", "", "", a.preload_path.c_str(), a.found_by.c_str());
  }
  print_outf("  %-14s %-13s %s\n", "NAME=PATH", "", "your own malloc replacement, loaded with LD_PRELOAD from PATH");
  print_outf("\nAllocator parameters:\n");
  print_params(allocator_params());
  return 0;
}

const char* param_kind_name(ParamKind k) {
  switch (k) {
    case ParamKind::count: return "count";
    case ParamKind::bytes: return "bytes";
    case ParamKind::choice: return "choice";
    case ParamKind::text: return "text";  // an input of its own, such as a trace file
  }
  return "?";
}

json params_json(const std::vector<ParamDef>& params) {
  json out = json::array();
  for (const auto& p : params) {
    if (!listed(p)) continue;
    json defaults = json::object();
    for (std::size_t s = 0; s < p.defaults.size(); ++s) defaults[kScaleNames[s]] = p.defaults[s];
    json entry = {{"name", p.name}, {"kind", param_kind_name(p.kind)}, {"defaults", defaults}, {"help", p.help},
                  {"choices", p.choices}, {"applies_to", p.applies_to}};
    if (p.kind == ParamKind::count || p.kind == ParamKind::bytes) entry["range"] = {{"min", p.range.min}, {"max", p.range.max}};
    out.push_back(entry);
  }
  return out;
}

json workloads_json() {
  json out = json::array();
  for (const auto& w : workload_catalog())
    out.push_back({{"name", w.name}, {"summary", w.summary}, {"operations", w.operations},
                   {"params", params_json(w.params)}});
  return out;
}

// In the plots' order (plot_style.hpp), each with its colour and whether it can run here.
json allocators_json() {
  auto allocators = allocator_availability();
  std::stable_sort(allocators.begin(), allocators.end(), [](const auto& a, const auto& b) {
    return allocator_rank(a.name) < allocator_rank(b.name);
  });
  json out = json::array();
  for (const auto& a : allocators) {
    const AllocatorInfo* info = find_allocator(a.name);
    out.push_back({{"name", a.name},
                   {"summary", info->summary},
                   {"colour", allocator_colour(a.name)},
                   {"available", a.available},
                   {"reason", a.available ? json(nullptr) : json(a.reason)},
                   {"preload_path", a.preload_path.empty() ? json(nullptr) : json(a.preload_path)},
                   {"general_purpose", info->general_purpose}});
  }
  return out;
}

int print_json() {
  json out = {{"schema", "vmbench-list"}, {"schema_version", 1}, {"scales", kScaleNames},
              {"workloads", workloads_json()}, {"allocators", allocators_json()},
              {"allocator_params", params_json(allocator_params())}, {"unstyled_colour", kUnstyledColour}};
  // Whether `run --cost` can run here, and why not: what a test or a script asks before relying on it.
  const std::string no_cost = cost_pass_unavailable();
  out["cost_pass"] = {{"available", no_cost.empty()}, {"reason", no_cost.empty() ? json(nullptr) : json(no_cost)}};
  out.update(figure_registry_json());  // figures, sections
  print_out(json_text(out, 2) + "\n");
  return 0;
}

}  // namespace

Command register_list(CLI::App& app) {
  auto format = std::make_shared<std::string>("text");
  auto* cmd = app.add_subcommand("list", "List workloads (with parameters) and allocators (and availability)");
  cmd->add_option("--format,-f", *format,
                  "text, or json: also the allocators' plot colours and every figure's unit, label and gate")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->footer("Examples:\n  vmbench list\n  vmbench list --format json");
  return {cmd, [format] { return *format == "json" ? print_json() : print_text(); }};
}

}  // namespace vmbench
