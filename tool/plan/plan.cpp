#include "plan.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "catalog.hpp"
#include "cell_limits.hpp"
#include "library_lookup.hpp"
#include "own_allocator.hpp"
#include "program_plan.hpp"
#include "thread_plan.hpp"
#include "trace_reader.hpp"

#ifndef VMB_JEMALLOC_LIBDIR
#define VMB_JEMALLOC_LIBDIR ""
#endif

namespace vmbench {

namespace {

// Where Debian puts the preloaded allocators: searched after the dynamic loader's own rules.
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

// The Debian paths, where the loader did not find the library (a build that names its own folder first).
std::string find_in_library_dirs(const std::string& file_name) {
  for (const char* dir : kLibraryDirs) {
    if (*dir == '\0') continue;
    const std::string path = std::string(dir) + "/" + file_name;
    if (access(path.c_str(), R_OK) == 0) return path;
  }
  return "";
}

}  // namespace

std::vector<AllocatorAvailability> allocator_availability() {
  std::vector<AllocatorAvailability> out;
  for (const auto& a : allocator_catalog()) {
    if (a.test_only) continue;
    AllocatorAvailability av{a.name, a.loading == Loading::builtin, "", "", ""};
    if (a.loading == Loading::preload) {
      av.preload_path = find_by_loader(a.library);
      av.found_by = "dynamic loader";
      if (av.preload_path.empty()) {
        av.preload_path = find_in_library_dirs(a.library);
        av.found_by = "Debian path";
      }
      av.available = !av.preload_path.empty();
      if (!av.available) {
        av.found_by.clear();
        av.reason = a.library + " not found (apt-get install " + a.debian_package + ")";
      }
    }
    out.push_back(av);
  }
  return out;
}

namespace {

// The options that are single values: scale, repetitions, warm-up, timeout, memory limit, dispatch.
void check_settings(const RunOptions& o, Plan& plan) {
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
}

std::vector<std::string> chosen_workloads(const RunOptions& o) {
  std::vector<std::string> all;
  std::vector<std::string> suite;  // the default: every workload that needs no input of its own
  for (const auto& w : workload_catalog()) {
    all.push_back(w.name);
    if (!w.on_request) suite.push_back(w.name);
  }
  for (const auto& w : o.workloads)
    if (find_workload(w) == nullptr) bad("unknown workload '" + w + "' (valid: " + join(all) + ")");
  return o.workloads.empty() ? suite : o.workloads;
}

// An allocator named by its library (-a NAME=PATH): chosen, or skipped with the reason.
void choose_own(const OwnAllocator& own, std::vector<std::string>& chosen, Plan& plan) {
  if (const std::string why = own_allocator_problem(own); !why.empty()) {
    plan.skipped.push_back(own.name + ": " + why);
    return;
  }
  chosen.push_back(own.name);
  plan.libraries[own.name] = own.path;
}

// The allocators asked for, each available here; none asked for: every available one, and the
// others in `skipped` with the reason. The preloaded ones' libraries go to `plan.libraries`.
std::vector<std::string> chosen_allocators(const RunOptions& o, Plan& plan) {
  const auto availability = allocator_availability();
  for (const auto& a : availability)
    if (a.available && !a.preload_path.empty()) plan.libraries[a.name] = a.preload_path;
  std::vector<std::string> chosen;
  if (o.allocators.empty()) {
    for (const auto& a : availability) {
      if (a.available) chosen.push_back(a.name);
      else plan.skipped.push_back(a.name + ": " + a.reason);
    }
    return chosen;
  }
  std::vector<std::string> all;
  for (const auto& a : availability) all.push_back(a.name);
  for (const auto& arg : o.allocators) {
    const std::optional<OwnAllocator> own = parse_own_allocator(arg);  // throws on a malformed NAME=PATH
    const std::string name = own ? own->name : arg;
    if (std::find(chosen.begin(), chosen.end(), name) != chosen.end()) bad("allocator " + name + " is given twice");
    if (own) {
      choose_own(*own, chosen, plan);
      continue;
    }
    const AllocatorInfo* info = find_allocator(name);
    if (info == nullptr || (info->test_only && std::getenv("VMBENCH_TEST_ALLOCATORS") == nullptr))
      bad("unknown allocator '" + name + "' (valid: " + join(all) + ", or NAME=PATH/lib.so for your own)");
    auto it = std::find_if(availability.begin(), availability.end(), [&](auto& a) { return a.name == name; });
    if (it != availability.end() && !it->available) bad("allocator " + name + " is not available: " + it->reason);
    chosen.push_back(name);
  }
  if (chosen.empty()) bad("no allocator left to run: " + join(plan.skipped, "; "));
  return chosen;
}

// Every given name must belong to a chosen workload or to the allocators, and every value must fit it.
void check_params(const GivenParams& given, const std::vector<std::string>& workloads) {
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
}

// One parameter a cell reads, with its values: the default at this scale unless given.
using Axis = std::pair<const ParamDef*, std::vector<std::string>>;

std::vector<Axis> axes_of(const WorkloadInfo& workload, const std::string& allocator, const GivenParams& given,
                          int scale) {
  std::vector<Axis> axes;
  for (const auto& d : workload.params) axes.push_back({&d, {d.defaults[scale]}});
  for (const auto& d : allocator_params())
    if (uses(d, allocator)) axes.push_back({&d, {d.defaults[scale]}});
  for (auto& [def, values] : axes)
    if (auto it = given.find(def->name); it != given.end()) values = it->second;
  return axes;
}

// The combination at one point `idx` of the axes' product.
Combination combination_at(const std::string& w, const std::string& a, const std::string& dispatch,
                           const std::vector<Axis>& axes, const std::vector<std::size_t>& idx, int scale) {
  Combination c{w, a, dispatch, {}, {}, w + "/" + a + "/" + dispatch};
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const std::string& name = axes[i].first->name;
    const std::string& value = axes[i].second[idx[i]];
    c.params.set(name, value);
    if (axes[i].second.size() > 1) {
      c.swept[name] = value;
      c.key += "/" + name + "=" + value;
    }
  }
  // Allocator parameters the allocator does not read still travel, at their defaults, so that
  // every heap finds what it asks for.
  for (const auto& def : allocator_params())
    if (!c.params.has(def.name)) c.params.set(def.name, def.defaults[scale]);
  return c;
}

// Every combination of one workload and one allocator: the Cartesian product of its parameters'
// values, each point once per dispatch.
void add_combinations(Plan& plan, const std::string& w, const std::string& a, const GivenParams& given,
                      const std::vector<std::string>& dispatches) {
  const int scale = static_cast<int>(plan.scale);
  const std::vector<Axis> axes = axes_of(*find_workload(w), a, given, scale);
  std::vector<std::size_t> idx(axes.size(), 0);
  for (;;) {
    for (const auto& d : dispatches) plan.combinations.push_back(combination_at(w, a, d, axes, idx, scale));
    std::size_t i = 0;
    while (i < axes.size() && ++idx[i] == axes[i].second.size()) idx[i++] = 0;
    if (i == axes.size()) return;
  }
}

// A program run: the command found, and only the allocators that can run a program. Those named
// must all be; by default, malloc and every preloaded one available.
std::vector<std::string> program_allocators(const RunOptions& o, Plan& plan, GivenParams& given) {
  plan.program_path = resolve_command(o.command.front());
  given["command"] = {quote_command(o.command)};
  std::vector<std::string> chosen;
  for (const auto& a : chosen_allocators(o, plan)) {
    if (runs_programs(a)) chosen.push_back(a);
    else if (!o.allocators.empty())
      bad("allocator " + a + " cannot run a program: only malloc and its replacements can "
          "(malloc, jemalloc, mimalloc, tcmalloc, NAME=PATH)");
  }
  return chosen;
}

// Parameters a workload cannot run without (a text with no default): given, or refused.
void check_required_params(const GivenParams& given, const std::vector<std::string>& workloads) {
  for (const auto& w : workloads)
    for (const auto& d : find_workload(w)->params)
      if (d.kind == ParamKind::text && d.defaults[1].empty() && given.count(d.name) == 0)
        bad("workload " + w + " needs --param " + d.name + "=...: " + d.help);
}

// A trace to replay is read whole before anything runs: a truncated or corrupted one is refused here,
// in one line naming the byte where it goes wrong.
void check_traces(const GivenParams& given, const std::vector<std::string>& workloads) {
  if (std::find(workloads.begin(), workloads.end(), "replay") == workloads.end() || given.count("trace") == 0) return;
  for (const auto& path : given.at("trace"))
    if (const std::string why = trace_problem(path); !why.empty()) bad(why);
}

// Combinations that cannot run (thread_plan.hpp) leave the plan, each with a warning; none left is an error.
void drop_refused(Plan& plan) {
  std::vector<Combination> kept;
  for (auto& c : plan.combinations) {
    if (const std::string why = thread_refusal(c); !why.empty()) plan.warnings.push_back(why);
    else kept.push_back(std::move(c));
  }
  if (kept.empty()) bad("nothing to run: " + plan.warnings.back());
  plan.combinations = std::move(kept);
}

}  // namespace

Plan make_plan(const RunOptions& o) {
  Plan plan;
  plan.options = o;
  check_settings(o, plan);
  const bool program = check_program_options(o);
  GivenParams given = parse_param_args(o.param_args);
  add_thread_counts(o.threads, given);
  const std::vector<std::string> workloads = program ? std::vector<std::string>{"program"} : chosen_workloads(o);
  const std::vector<std::string> allocators = program ? program_allocators(o, plan, given) : chosen_allocators(o, plan);
  check_thread_counts(given, workloads, o.threads.empty() ? "--param threads" : "--threads");
  check_params(given, workloads);
  check_required_params(given, workloads);
  check_traces(given, workloads);

  const std::vector<std::string> dispatches =
      o.dispatch == "both" ? std::vector<std::string>{"inline", "virtual"} : std::vector<std::string>{o.dispatch};
  for (const auto& w : workloads)
    for (const auto& a : allocators) add_combinations(plan, w, a, given, dispatches);
  plan.warnings = thread_warnings(given, workloads, o.deep);
  drop_refused(plan);
  for (int rep = 0; rep < o.reps; ++rep)
    for (int c = 0; c < static_cast<int>(plan.combinations.size()); ++c) plan.cells.push_back({c, rep});
  return plan;
}

}  // namespace vmbench
