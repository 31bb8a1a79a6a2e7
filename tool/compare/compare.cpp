// Comparing two results documents: match their groups, judge each figure the registry gates, give
// the verdict. How one figure is judged is judge.cpp's.
#include "compare.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "catalog.hpp"  // kThreadsParam
#include "figure_registry.hpp"
#include "figure_values.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

// The row's kind: how it was judged (the checksum is compared exactly, as written).
const char* row_kind(Gate g) {
  switch (g) {
    case Gate::match:
    case Gate::exact: return "exact";
    case Gate::pages: return "pages";
    case Gate::timing: return "timing";
    case Gate::relative:
    case Gate::report: return "cost";
    case Gate::none: break;
  }
  return "?";
}

double median(std::vector<double> v) { return summarize(std::move(v)).median; }

// A file written before the `threads` parameter ran every workload on one thread: a group of it did the
// same work as one with threads=1 (the same seed, counts and checksum), so the two compare as one.
json without_one_thread(const json& params) {
  json p = params;
  const auto it = p.is_object() ? p.find(kThreadsParam) : p.end();
  if (it != p.end() && it->is_string() && parse_count(it->get<std::string>()) == std::uint64_t{1}) p.erase(it);
  return p;
}

// Groups are matched by key and workload parameters: equal keys with other parameters (another
// --scale) did different work.
std::string match_id(const json& g) {
  return g["key"].get<std::string>() + "|" + without_one_thread(g["workload_params"]).dump();
}

struct Side {
  std::map<std::string, const json*> groups;                        // by match id
  std::map<std::string, std::map<long long, const json*>> cells;    // key -> rep -> figures (ok cells)
};

Side index(const json& doc) {
  Side s;
  for (const auto& g : doc["groups"]) s.groups.emplace(match_id(g), &g);
  for (const auto& c : doc["cells"])
    if (c["status"] == "ok") s.cells[c["key"].get<std::string>()][c["rep"].get<long long>()] = &c["figures"];
  return s;
}

// The group of the reference allocator that did the same work as `g` in the same run.
const json* reference_group(const Side& side, const json& g, const std::string& reference) {
  for (const auto& [id, r] : side.groups)
    if ((*r)["allocator"] == reference && (*r)["workload"] == g["workload"] && (*r)["dispatch"] == g["dispatch"] &&
        without_one_thread((*r)["workload_params"]) == without_one_thread(g["workload_params"]))
      return r;
  return nullptr;
}

// One value per repetition; as a ratio to the reference's value in the same repetition (the
// repetitions interleave, so rep i of both ran seconds apart) when `reference_key` is given.
std::vector<double> samples(const Side& side, const std::string& key, const Figure& f,
                            const std::string* reference_key) {
  std::vector<double> out;
  const auto it = side.cells.find(key);
  if (it == side.cells.end()) return out;
  const std::map<long long, const json*>* ref = nullptr;
  if (reference_key) {
    const auto r = side.cells.find(*reference_key);
    if (r == side.cells.end()) return out;
    ref = &r->second;
  }
  for (const auto& [rep, figures] : it->second) {
    const auto v = cell_number(*figures, f);
    if (!v) continue;
    if (!ref) {
      out.push_back(*v);
      continue;
    }
    const auto r = ref->find(rep);
    if (r == ref->end()) continue;
    const auto rv = cell_number(*r->second, f);
    if (rv && *rv > 0) out.push_back(*v / *rv);
  }
  return out;
}

bool same_context_field(const json& a, const json& b, const char* field) {
  const json& ca = a["context"];
  const json& cb = b["context"];
  return ca.value(field, json()) == cb.value(field, json());
}

bool has_allocator(const json& doc, const std::string& allocator) {
  for (const auto& g : doc["groups"])
    if (g["allocator"] == allocator) return true;
  return false;
}

// What judging needs beyond the two groups: the options, both sides, and how the files relate.
struct Judge {
  const CompareOptions& o;
  Side base, now;
  std::string normalized_by = {};  // reference allocator of the timings, or empty
  bool memory_comparable = true;  // same page size and THP mode
  double page_bytes = 0;
  bool reference_noted = false;
  int cost_only_in_base = 0, cost_only_in_new = 0;  // cells whose cost figures one file lacks
};

// Whether (and by what) timings are normalised, and the notes that say how the files are compared.
// False, with out.error, when the files cannot be compared as asked.
bool plan_comparison(const json& base_doc, const json& new_doc, Judge& j, Comparison& out) {
  const CompareOptions& o = j.o;
  const bool same_machine = same_context_field(base_doc, new_doc, "cpu_model") &&
                            same_context_field(base_doc, new_doc, "kernel");
  if (!o.never_normalize) {
    if (!o.normalize.empty()) j.normalized_by = o.normalize;
    else if (!same_machine) j.normalized_by = kDefaultReferenceAllocator;
  }
  out.normalized_by = j.normalized_by;
  if (!j.normalized_by.empty() && !o.normalize.empty() && !has_allocator(base_doc, j.normalized_by) &&
      !has_allocator(new_doc, j.normalized_by)) {
    out.error = "--normalize " + j.normalized_by + ": neither file has cells of that allocator";
    return false;
  }
  if (!same_machine)
    out.notes.push_back("the files come from different machines (cpu_model or kernel differ)" +
                        std::string(j.normalized_by.empty() ? ": timings compared as they are (--normalize none)"
                                                            : ""));
  if (!j.normalized_by.empty())
    out.notes.push_back("timings are compared as ratios to " + j.normalized_by +
                        " in the same run and repetition (figure/" + j.normalized_by + "), not as absolute times");
  j.memory_comparable = same_context_field(base_doc, new_doc, "page_size") &&
                        same_context_field(base_doc, new_doc, "transparent_hugepages");
  if (!j.memory_comparable)
    out.notes.push_back("page size or transparent huge pages differ: RSS, page-table and fault figures are reported, "
                        "not judged");
  if (!base_doc["complete"].get<bool>()) out.notes.push_back("BASE is partial (its run was interrupted)");
  if (!new_doc["complete"].get<bool>()) out.notes.push_back("NEW is partial (its run was interrupted)");
  j.page_bytes = base_doc["context"]["page_size"].get<double>();
  return true;
}

CompareRow row_of(const std::string& key, const Figure& f, const Threshold* th, const CompareOptions& o) {
  CompareRow r;
  r.key = key;
  r.figure = std::string(f.name);
  r.kind = row_kind(f.gate);
  r.unit = std::string(unit_name(f.unit));
  r.gated = !(th && th->type == Threshold::Type::off) && (f.gate != Gate::report || th != nullptr);
  r.threshold = threshold_text(f, th, o);
  return r;
}

// The checksum: compared as written, never through a double (a 64-bit value).
CompareRow judge_match(CompareRow r, const Figure& f, const json& bg, const json& ng) {
  const std::string name(f.name);
  r.base = bg.value(name, json());
  r.now = ng.value(name, json());
  r.change = r.base == r.now ? 0 : std::numeric_limits<double>::quiet_NaN();
  r.verdict = r.base == r.now ? Verdict::unchanged : Verdict::worse;
  if (r.base != r.now) r.note = "the work differs: refresh the baseline if the workload changed on purpose";
  return r;
}

// Exact and page-noisy figures: the groups' values or medians against a tolerance. None when neither
// side has the figure (e.g. heap counters of an allocator that keeps none).
std::optional<CompareRow> judge_group_figure(const Judge& j, CompareRow r, const Figure& f, const Threshold* th,
                                             const json& bg, const json& ng) {
  const auto b = group_number(bg, f), n = group_number(ng, f);
  if (!b && !n) return std::nullopt;
  r.base = b ? json(*b) : json(nullptr);
  r.now = n ? json(*n) : json(nullptr);
  if (!b || !n) {
    r.verdict = Verdict::not_judged;
    r.note = "missing on one side";
    return r;
  }
  double tolerance = 0;
  if (f.gate == Gate::pages) tolerance = j.o.tolerance_pages * (f.unit == Unit::bytes ? j.page_bytes : 1);
  if (f.gate == Gate::relative) tolerance = f.tolerance * std::fabs(*b);
  if (th && th->type == Threshold::Type::relative) tolerance = th->value * std::fabs(*b);
  if (th && th->type == Threshold::Type::absolute) tolerance = th->value;
  const FigureVerdict v = judge_value(*b, *n, tolerance, f.better != Better::higher);
  r.change = v.change;
  r.verdict = v.verdict;
  if (f.gate == Gate::pages && !j.memory_comparable) {
    r.gated = false;
    r.note = "machines differ in page size or THP";
  }
  return r;
}

// A timing was measured too briefly to judge when both medians of its duration are below --min-time;
// a rate is judged by the duration it was measured over.
bool too_short(const Judge& j, const std::string& key, const Figure& f, const std::vector<double>& raw_base,
               const std::vector<double>& raw_new) {
  const bool is_rate = f.unit == Unit::per_second;
  const Figure& wall = figure(FigureId::wall_s);
  const std::vector<double> time_base = is_rate ? samples(j.base, key, wall, nullptr) : raw_base;
  const std::vector<double> time_new = is_rate ? samples(j.now, key, wall, nullptr) : raw_new;
  return !time_base.empty() && !time_new.empty() && median(time_base) < j.o.min_time_s &&
         median(time_new) < j.o.min_time_s;
}

// Timings: the cells' samples (as ratios to the reference allocator when normalised), U test.
std::optional<CompareRow> judge_timing_figure(const Judge& j, CompareRow r, const Figure& f, const Threshold* th,
                                              const json* base_ref, const json* new_ref) {
  const double min_effect = th && th->type == Threshold::Type::relative ? th->value : j.o.min_effect;
  const std::vector<double> raw_base = samples(j.base, r.key, f, nullptr);
  const std::vector<double> raw_new = samples(j.now, r.key, f, nullptr);
  std::vector<double> sb = raw_base, sn = raw_new;
  if (!j.normalized_by.empty()) {
    r.figure += "/" + j.normalized_by;
    r.unit = "ratio";
    if (!base_ref || !new_ref) {
      r.verdict = Verdict::not_judged;
      r.gated = false;
      r.note = "no " + j.normalized_by + " cell with the same work in " + (!base_ref ? "BASE" : "NEW");
      return r;
    }
    const std::string bk = (*base_ref)["key"].get<std::string>(), nk = (*new_ref)["key"].get<std::string>();
    sb = samples(j.base, r.key, f, &bk);
    sn = samples(j.now, r.key, f, &nk);
  }
  if (sb.empty() && sn.empty()) return std::nullopt;
  r.base = sb.empty() ? json(nullptr) : json(median(sb));
  r.now = sn.empty() ? json(nullptr) : json(median(sn));
  const TimingVerdict v = judge_timing(sb, sn, j.o.alpha, min_effect, f.better != Better::higher);
  r.change = v.effect;
  r.p = v.p;
  r.verdict = v.verdict;
  r.note = v.note;
  if (too_short(j, r.key, f, raw_base, raw_new)) {
    r.verdict = Verdict::not_judged;
    r.note = "under " + std::to_string(static_cast<int>(j.o.min_time_s * 1e6)) + " us: too short to judge";
  }
  return r;
}

// Failed repetitions in NEW where BASE had none: a regression of their own. False when NEW has
// nothing left to compare.
bool judge_status(const std::string& key, const json& bg, const json& ng, Comparison& out) {
  const double new_ok = ng["reps_ok"].get<double>();
  const double new_failed = ng["reps_failed"].get<double>(), base_failed = bg["reps_failed"].get<double>();
  if (new_ok == 0 || (new_failed > 0 && base_failed == 0)) {
    out.rows.push_back({key, "status", "status", "count", json("ok"),
                        json(new_ok == 0 ? "failed" : std::to_string(static_cast<long long>(new_failed)) + " failed"),
                        0, nullptr, Verdict::worse, true, "repetitions failed in NEW (see its warnings)", "must run"});
  }
  return new_ok > 0;
}

// The cost pass's figures in one file only. Absent (a file run without --cost, or where valgrind was
// missing): not compared, counted for a note. Null in NEW's cell while BASE has figures: the pass ran
// and failed there (a crash under valgrind, a timeout), a failed measurement like a failed repetition.
// True when the cost figures are to be compared.
bool judge_cost_presence(Judge& j, const std::string& key, const json& bg, const json& ng, Comparison& out) {
  const Figure& instructions = figure(FigureId::cost_instructions);
  const bool in_base = group_number(bg, instructions).has_value(), in_new = group_number(ng, instructions).has_value();
  if (in_base == in_new) return in_base;
  const auto cells = j.now.cells.find(key);
  const json* first = cells != j.now.cells.end() && !cells->second.empty() ? cells->second.begin()->second : nullptr;
  if (!in_base || first == nullptr || !first->contains("cost") || !(*first)["cost"].is_null()) {
    ++(in_base ? j.cost_only_in_base : j.cost_only_in_new);
    return false;
  }
  const json& unavailable = first->value("unavailable", json::object());
  const std::string why = unavailable.value("cost", std::string("the cost pass failed"));
  out.rows.push_back({key, "cost pass", "status", "count", json("ok"), json("failed"), 0, nullptr, Verdict::worse, true,
                      "in NEW: " + why, "must run"});
  return false;
}

// Every gated figure of one matched pair of groups, in the registry's order.
void compare_group(Judge& j, const json& bg, const json& ng, Comparison& out) {
  const std::string key = bg["key"].get<std::string>();
  if (bg["reps_ok"].get<double>() == 0) {
    out.notes.push_back(key + ": every repetition failed in BASE: nothing to compare");
    return;
  }
  if (!judge_status(key, bg, ng, out)) return;
  const bool normalised = !j.normalized_by.empty();
  const bool is_reference = normalised && bg["allocator"] == j.normalized_by;
  const json* base_ref = normalised ? reference_group(j.base, bg, j.normalized_by) : nullptr;
  const json* new_ref = normalised ? reference_group(j.now, ng, j.normalized_by) : nullptr;
  const bool cost_compared = judge_cost_presence(j, key, bg, ng, out);
  for (const Figure& f : kFigures) {
    if (f.gate == Gate::none || (f.kind == FigureKind::cost && !cost_compared)) continue;
    const auto custom = j.o.thresholds.find(std::string(f.name));
    const Threshold* th = custom == j.o.thresholds.end() ? nullptr : &custom->second;
    CompareRow r = row_of(key, f, th, j.o);
    std::optional<CompareRow> judged;
    if (f.gate == Gate::match) judged = judge_match(r, f, bg, ng);
    else if (f.gate != Gate::timing) judged = judge_group_figure(j, r, f, th, bg, ng);
    else if (!is_reference) judged = judge_timing_figure(j, r, f, th, base_ref, new_ref);
    else if (!j.reference_noted) {
      out.notes.push_back(j.normalized_by + " is the reference: its own timings are not compared");
      j.reference_noted = true;
    }
    if (judged) out.rows.push_back(*judged);
  }
}

// "commit_step 64K in BASE, 4K in NEW; ...": the parameters two matched cells ran with that differ
// (a changed default, a -p that was not swept: the key names swept parameters only).
std::string parameter_difference(const json& bg, const json& ng) {
  const json base_params = without_one_thread(bg.value("params", json()));
  const json new_params = without_one_thread(ng.value("params", json()));
  const json* bp = &base_params;
  const json* np = &new_params;
  if (!bp->is_object() || !np->is_object()) return "";
  std::string out;
  auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  for (const auto& [name, value] : bp->items()) {
    const auto other = np->find(name);
    const std::string now = other == np->end() ? "absent" : text(*other);
    if (now != text(value)) out += (out.empty() ? "" : "; ") + name + " " + text(value) + " in BASE, " + now + " in NEW";
  }
  for (const auto& [name, value] : np->items())
    if (!bp->contains(name)) out += (out.empty() ? "" : "; ") + name + " absent in BASE, " + text(value) + " in NEW";
  return out;
}

void note_parameter_differences(const json& base_doc, const Side& now, Comparison& out) {
  std::map<std::string, int> cells_by_difference;
  for (const auto& bg : base_doc["groups"]) {
    const auto found = now.groups.find(match_id(bg));
    if (found == now.groups.end()) continue;
    if (std::string d = parameter_difference(bg, *found->second); !d.empty()) ++cells_by_difference[d];
  }
  for (const auto& [difference, cells] : cells_by_difference)
    out.notes.push_back(std::to_string(cells) + (cells == 1 ? " cell" : " cells") +
                        " matched by key ran with other parameters: " + difference);
}

}  // namespace

Comparison compare_documents(const json& base_doc, const json& new_doc, const CompareOptions& o) {
  Comparison out;
  if (base_doc["schema_version"] != new_doc["schema_version"]) {
    out.error = "the files have different schema versions (" + base_doc["schema_version"].dump() + " and " +
                new_doc["schema_version"].dump() + "): compare files written by the same vmbench";
    return out;
  }
  Judge j{o, index(base_doc), index(new_doc)};
  if (!plan_comparison(base_doc, new_doc, j, out)) return out;
  int only_base = 0, only_new = 0;
  for (const auto& [id, g] : j.now.groups)
    if (j.base.groups.count(id) == 0) ++only_new;
  for (const auto& bg : base_doc["groups"]) {
    const auto found = j.now.groups.find(match_id(bg));
    if (found == j.now.groups.end()) {
      ++only_base;
      continue;
    }
    ++out.cells_compared;
    compare_group(j, bg, *found->second, out);
  }
  if (out.cells_compared == 0) {
    out.error = "no common cells: BASE has " + std::to_string(j.base.groups.size()) + ", NEW has " +
                std::to_string(j.now.groups.size()) +
                ", none with the same key and workload parameters (another --scale, workload or allocator set?)";
    return out;
  }
  note_parameter_differences(base_doc, j.now, out);
  if (only_base > 0) out.notes.push_back(std::to_string(only_base) + " cells only in BASE (not compared)");
  if (only_new > 0) out.notes.push_back(std::to_string(only_new) + " cells only in NEW (not compared)");
  for (const auto& [count, side, other] : {std::tuple{j.cost_only_in_base, "BASE", "NEW"},
                                          std::tuple{j.cost_only_in_new, "NEW", "BASE"}})
    if (count > 0 && (out.cost_only_in_one_file += count) > 0)
      out.notes.push_back("cost figures (--cost) only in " + std::string(side) + " for " + std::to_string(count) +
                          " cells: compared as absent, not judged (" + other + " has none: run it with --cost)");
  give_verdict(out);
  return out;
}

}  // namespace vmbench
