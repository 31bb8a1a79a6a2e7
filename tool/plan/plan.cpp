#include "plan.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "catalog.hpp"
#include "cell_limits.hpp"

#ifndef VMB_JEMALLOC_LIBDIR
#define VMB_JEMALLOC_LIBDIR ""
#endif

namespace vmbench {

namespace {

const char* const kLibraryDirs[] = {VMB_JEMALLOC_LIBDIR, "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                                    "/usr/lib64", "/usr/lib", "/usr/local/lib"};

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// "a=1,2,b=3" -> {a: [1, 2], b: [3]}: a token with '=' starts a parameter, one without is another
// value of the previous one.
std::map<std::string, std::vector<std::string>> parse_param_args(const std::vector<std::string>& args) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& arg : args) {
    std::string current;
    for (const auto& token : split(arg, ',')) {
      const auto eq = token.find('=');
      if (eq != std::string::npos) {
        current = token.substr(0, eq);
        if (current.empty()) bad("--param " + arg + ": a parameter name is missing before '='");
        if (out.count(current) != 0) bad("--param " + current + " is given twice");
        out[current].push_back(token.substr(eq + 1));
      } else if (current.empty()) {
        bad("--param " + arg + ": expected NAME=VALUE");
      } else {
        out[current].push_back(token);
      }
    }
  }
  return out;
}

const ParamDef* find_def(const std::vector<ParamDef>& defs, const std::string& name) {
  for (const auto& d : defs)
    if (d.name == name) return &d;
  return nullptr;
}

bool uses(const ParamDef& def, const std::string& allocator) {
  return def.applies_to.empty() ||
         std::find(def.applies_to.begin(), def.applies_to.end(), allocator) != def.applies_to.end();
}

}  // namespace

std::vector<AllocatorAvailability> allocator_availability() {
  std::vector<AllocatorAvailability> out;
  for (const auto& a : allocator_catalog()) {
    if (a.test_only) continue;
    AllocatorAvailability av{a.name, a.loading == Loading::builtin, "", ""};
    if (a.loading == Loading::preload) {
      for (const char* dir : kLibraryDirs) {
        if (*dir == '\0') continue;
        const std::string path = std::string(dir) + "/" + a.library;
        if (access(path.c_str(), R_OK) == 0) {
          av.available = true;
          av.preload_path = path;
          break;
        }
      }
      if (!av.available) av.reason = a.library + " not found (apt-get install " + a.debian_package + ")";
    }
    out.push_back(av);
  }
  return out;
}

Plan make_plan(const RunOptions& o) {
  Plan plan;
  plan.options = o;
  const auto scale = parse_scale(o.scale);
  if (!scale) bad("unknown scale '" + o.scale + "' (valid: ci, default, large)");
  plan.scale = *scale;
  if (o.reps < 1) bad("--reps must be at least 1");
  if (o.warmup < 0) bad("--warmup must not be negative");
  if (!(o.timeout_s > 0)) bad("--timeout must be a positive number of seconds");
  if (!o.memory_limit.empty()) {
    std::string why;
    const auto bytes = parse_bytes(o.memory_limit, &why);
    if (!bytes) bad("--memory-limit " + o.memory_limit + ": " + why);
    if (*bytes == 0) bad("--memory-limit must be more than 0 bytes");
    if (const std::string refused = check_memory_limit(*bytes); !refused.empty()) bad(refused);
    plan.memory_limit_bytes = *bytes;
  }
  if (o.dispatch != "inline" && o.dispatch != "virtual" && o.dispatch != "both")
    bad("unknown dispatch '" + o.dispatch + "' (valid: inline, virtual, both)");

  std::vector<std::string> all_workloads;
  for (const auto& w : workload_catalog()) all_workloads.push_back(w.name);
  std::vector<std::string> workloads = o.workloads.empty() ? all_workloads : o.workloads;
  for (const auto& w : workloads)
    if (find_workload(w) == nullptr) bad("unknown workload '" + w + "' (valid: " + join(all_workloads) + ")");

  const auto availability = allocator_availability();
  std::vector<std::string> all_allocators;
  for (const auto& a : availability) all_allocators.push_back(a.name);
  std::vector<std::string> allocators;
  if (o.allocators.empty()) {
    for (const auto& a : availability) {
      if (a.available) allocators.push_back(a.name);
      else plan.skipped.push_back(a.name + ": " + a.reason);
    }
  } else {
    for (const auto& name : o.allocators) {
      const AllocatorInfo* info = find_allocator(name);
      if (info == nullptr || (info->test_only && std::getenv("VMBENCH_TEST_ALLOCATORS") == nullptr))
        bad("unknown allocator '" + name + "' (valid: " + join(all_allocators) + ")");
      auto it = std::find_if(availability.begin(), availability.end(), [&](auto& a) { return a.name == name; });
      if (it != availability.end() && !it->available) bad("allocator " + name + " is not available: " + it->reason);
      allocators.push_back(name);
    }
  }

  // Parameters: every given name must belong to a chosen workload or to the allocators.
  const auto given = parse_param_args(o.param_args);
  for (const auto& [name, values] : given) {
    const ParamDef* def = find_def(allocator_params(), name);
    for (const auto& w : workloads)
      if (def == nullptr) def = find_def(find_workload(w)->params, name);
    if (def == nullptr) {
      std::vector<std::string> valid;
      for (const auto& w : workloads)
        for (const auto& d : find_workload(w)->params) valid.push_back(d.name);
      for (const auto& d : allocator_params())
        if (d.name.rfind("test_", 0) != 0) valid.push_back(d.name);
      bad("unknown parameter '" + name + "' (valid here: " + join(valid) + ")");
    }
    for (const auto& v : values) {
      const std::string why = validate_param(*def, v);
      if (!why.empty()) bad(why);
    }
  }

  std::vector<std::string> dispatches;
  if (o.dispatch == "both") dispatches = {"inline", "virtual"};
  else dispatches = {o.dispatch};
  const int s = static_cast<int>(plan.scale);
  for (const auto& w : workloads) {
    const WorkloadInfo* info = find_workload(w);
    for (const auto& a : allocators) {
      // The parameters this cell reads, with their lists of values (defaults unless given).
      std::vector<std::pair<const ParamDef*, std::vector<std::string>>> axes;
      for (const auto& d : info->params) axes.push_back({&d, {d.defaults[s]}});
      for (const auto& d : allocator_params())
        if (uses(d, a)) axes.push_back({&d, {d.defaults[s]}});
      for (auto& [def, values] : axes)
        if (auto it = given.find(def->name); it != given.end()) values = it->second;
      // Cartesian product over the axes.
      std::vector<std::size_t> idx(axes.size(), 0);
      for (;;) {
        for (const auto& d : dispatches) {
          Combination c{w, a, d, {}, {}, w + "/" + a + "/" + d};
          for (std::size_t i = 0; i < axes.size(); ++i) {
            c.params.set(axes[i].first->name, axes[i].second[idx[i]]);
            if (axes[i].second.size() > 1) {
              c.swept[axes[i].first->name] = axes[i].second[idx[i]];
              c.key += "/" + axes[i].first->name + "=" + axes[i].second[idx[i]];
            }
          }
          // Allocator parameters the allocator does not read still travel, at their defaults, so
          // that every heap finds what it asks for.
          for (const auto& def : allocator_params())
            if (!c.params.has(def.name)) c.params.set(def.name, def.defaults[s]);
          plan.combinations.push_back(std::move(c));
        }
        std::size_t i = 0;
        while (i < axes.size() && ++idx[i] == axes[i].second.size()) idx[i++] = 0;
        if (i == axes.size()) break;
      }
    }
  }
  for (int rep = 0; rep < o.reps; ++rep)
    for (int c = 0; c < static_cast<int>(plan.combinations.size()); ++c) plan.cells.push_back({c, rep});
  return plan;
}

}  // namespace vmbench
