#include "plan.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
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

// The values in their first order, each once; a repeated one is noted ("workload tree given twice:
// run once"). `same` says whether two values mean the same thing (1K and 1000 for a count).
template <class Same>
std::vector<std::string> unique_noted(const std::vector<std::string>& values, const std::string& what,
                                      std::vector<std::string>& notes, Same same) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    const auto first = std::find_if(out.begin(), out.end(), [&](const std::string& o) { return same(o, v); });
    if (first == out.end()) out.push_back(v);
    else notes.push_back(what + " " + (v == *first ? v : v + " (= " + *first + ")") + " given twice: run once");
  }
  return out;
}

std::vector<std::string> unique_noted(const std::vector<std::string>& values, const std::string& what,
                                      std::vector<std::string>& notes) {
  return unique_noted(values, what, notes, std::equal_to<std::string>());
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

// Whether `text` is UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF): a path that a
// cell receives inside its JSON spec must be, or encoding the spec would fail after the run began.
bool valid_utf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > text.size()) return false;
    std::uint32_t code = n == 1 ? c : c & (0xFFu >> (n + 1));
    for (std::size_t k = 1; k < n; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr std::uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kLeast[n] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += n;
  }
  return true;
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
  if (!(o.timeout_s > 0) || !std::isfinite(o.timeout_s)) bad("--timeout must be a positive, finite number of seconds");
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

std::vector<std::string> chosen_workloads(const RunOptions& o, std::vector<std::string>& notes) {
  std::vector<std::string> all;
  std::vector<std::string> suite;  // the default: every workload that needs no input of its own
  for (const auto& w : workload_catalog()) {
    all.push_back(w.name);
    if (!w.on_request) suite.push_back(w.name);
  }
  for (const auto& w : o.workloads)
    if (find_workload(w) == nullptr) bad("unknown workload '" + w + "' (valid: " + join(all) + ")");
  return o.workloads.empty() ? suite : unique_noted(o.workloads, "workload", notes);
}

// An allocator named by its library (-a NAME=PATH): chosen, or skipped with the reason.
void choose_own(const OwnAllocator& own, std::vector<std::string>& chosen, Plan& plan) {
  if (!valid_utf8(own.path)) bad("--allocator " + own.name + "=...: the library's path is not UTF-8; rename it");
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
  // A name given twice runs once (noted); NAME=PATH twice with the same library is the same name.
  const auto same = [](const std::string& a, const std::string& b) {
    const std::optional<OwnAllocator> own_a = parse_own_allocator(a), own_b = parse_own_allocator(b);
    return a == b || (own_a && own_b && own_a->name == own_b->name && own_a->path == own_b->path);
  };
  for (const auto& arg : unique_noted(o.allocators, "allocator", plan.notes, same)) {
    const std::optional<OwnAllocator> own = parse_own_allocator(arg);  // throws on a malformed NAME=PATH
    const std::string name = own ? own->name : arg;
    if (std::find(chosen.begin(), chosen.end(), name) != chosen.end())
      bad("allocator " + name + " is given twice, with two different libraries");
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

// The numeric value of a count or a byte size, for comparing two spellings of it.
std::optional<std::uint64_t> value_of(const ParamDef& def, const std::string& text) {
  if (def.kind == ParamKind::count) return parse_count(text);
  if (def.kind == ParamKind::bytes) return parse_bytes(text);
  return std::nullopt;
}

// Every given name must belong to a chosen workload or to the allocators, and every value must fit it;
// a value given twice (or spelled twice: 1K and 1000) is run once.
void check_params(GivenParams& given, const std::vector<std::string>& workloads, std::vector<std::string>& notes) {
  for (auto& [name, values] : given) {
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
    values = unique_noted(values, "parameter " + name + " value", notes, [&](const std::string& a, const std::string& b) {
      return a == b || (value_of(*def, a) && value_of(*def, a) == value_of(*def, b));
    });
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

// Cells in the plan, counted before anything is built: a sweep of several parameters multiplies, and
// a few hundred values each would ask for more combinations than memory holds. Saturates at
// UINT64_MAX.
std::uint64_t planned_cells(const std::vector<std::string>& workloads, const std::vector<std::string>& allocators,
                            const GivenParams& given, std::size_t dispatches, int reps, int scale) {
  const auto times = [](std::uint64_t a, std::uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; };
  std::uint64_t total = 0;
  for (const auto& w : workloads)
    for (const auto& a : allocators) {
      std::uint64_t n = dispatches;
      for (const auto& axis : axes_of(*find_workload(w), a, given, scale)) n = times(n, axis.second.size());
      total = total > UINT64_MAX - n ? UINT64_MAX : total + n;
    }
  return times(total, static_cast<std::uint64_t>(reps));
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
  for (const auto& path : given.at("trace")) {
    if (!valid_utf8(path)) bad("--param trace=" + echo_value(path) + ": the path is not UTF-8; rename the file");
    if (const std::string why = trace_problem(path); !why.empty()) bad(why);
  }
}

// Combinations that cannot run (thread_plan.hpp) leave the plan, said in one warning per reason; none
// left is an error.
void drop_refused(Plan& plan) {
  std::vector<Combination> kept;
  std::vector<RefusedCombination> refused;
  for (auto& c : plan.combinations) {
    if (const ThreadRefusal why = thread_refusal(c)) refused.push_back({c.key, c.workload, c.allocator, why});
    else kept.push_back(std::move(c));
  }
  const std::vector<std::string> reasons = refusal_reasons(refused);
  if (kept.empty()) bad("nothing to run: " + (reasons.empty() ? std::string("no combination") : reasons.back()));
  for (const std::string& r : reasons) plan.warnings.push_back("not run: " + r);
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
  const std::vector<std::string> workloads =
      program ? std::vector<std::string>{"program"} : chosen_workloads(o, plan.notes);
  const std::vector<std::string> allocators = program ? program_allocators(o, plan, given) : chosen_allocators(o, plan);
  check_thread_counts(given, workloads, o.threads.empty() ? "--param threads" : "--threads");
  check_params(given, workloads, plan.notes);
  check_required_params(given, workloads);
  check_traces(given, workloads);

  const std::vector<std::string> dispatches =
      o.dispatch == "both" ? std::vector<std::string>{"inline", "virtual"} : std::vector<std::string>{o.dispatch};
  const std::uint64_t cells = planned_cells(workloads, allocators, given, dispatches.size(), o.reps, static_cast<int>(plan.scale));
  if (cells > kMaxPlannedCells)
    bad("the plan has " + (cells == UINT64_MAX ? std::string("more than 2^64") : std::to_string(cells)) +
        " cells, more than " + std::to_string(kMaxPlannedCells) + ": sweep fewer values, or fewer at a time");
  for (const auto& w : workloads)
    for (const auto& a : allocators) add_combinations(plan, w, a, given, dispatches);
  plan.warnings = thread_warnings(given, workloads, o.deep);
  drop_refused(plan);
  for (int rep = 0; rep < o.reps; ++rep)
    for (int c = 0; c < static_cast<int>(plan.combinations.size()); ++c) plan.cells.push_back({c, rep});
  return plan;
}

}  // namespace vmbench
