#include "compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "mann_whitney.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

enum class Source {
  group_value,   // a top-level field of the group (same in every repetition)
  group_median,  // the median of the group's summary
  cell_samples,  // one value per repetition, from the cells
};

struct FigureSpec {
  const char* name;
  FigureKind kind;
  Source source;
  const char* unit;  // s, bytes, count, 1/s
  bool lower_is_better;
  bool must_match;  // any difference means the work was not the same (checksum)
};

// Every figure compare reports, in report order. Workload-defined counts first: if they moved, the
// work itself changed and nothing below them is comparable like for like.
constexpr FigureSpec kFigures[] = {
    {"checksum", FigureKind::exact, Source::group_value, "count", true, true},
    {"ops", FigureKind::exact, Source::group_value, "count", true, false},
    {"allocations", FigureKind::exact, Source::group_value, "count", true, false},
    {"frees", FigureKind::exact, Source::group_value, "count", true, false},
    {"frees_skipped", FigureKind::exact, Source::group_value, "count", true, false},
    {"peak_live_bytes", FigureKind::exact, Source::group_value, "bytes", true, false},
    {"heap_commit_calls", FigureKind::exact, Source::group_median, "count", true, false},
    {"heap_decommit_calls", FigureKind::exact, Source::group_median, "count", true, false},
    {"heap_committed_bytes", FigureKind::exact, Source::group_median, "bytes", true, false},
    {"heap_peak_committed_bytes", FigureKind::exact, Source::group_median, "bytes", true, false},
    {"peak_rss_delta_bytes", FigureKind::pages, Source::group_median, "bytes", true, false},
    {"final_rss_delta_bytes", FigureKind::pages, Source::group_median, "bytes", true, false},
    {"peak_rss_bytes", FigureKind::pages, Source::group_median, "bytes", true, false},
    {"page_table_delta_bytes", FigureKind::pages, Source::group_median, "bytes", true, false},
    {"minor_faults", FigureKind::pages, Source::group_median, "count", true, false},
    {"major_faults", FigureKind::pages, Source::group_median, "count", true, false},
    {"wall_s", FigureKind::timing, Source::cell_samples, "s", true, false},
    {"cpu_user_s", FigureKind::timing, Source::cell_samples, "s", true, false},
    {"cpu_sys_s", FigureKind::timing, Source::cell_samples, "s", true, false},
    {"ops_per_s", FigureKind::timing, Source::cell_samples, "1/s", false, false},
};

const char* kind_name(FigureKind k) {
  switch (k) {
    case FigureKind::exact: return "exact";
    case FigureKind::pages: return "pages";
    case FigureKind::timing: return "timing";
  }
  return "?";
}

double median(std::vector<double> v) { return summarize(std::move(v)).median; }

// Relative change; NaN when the base is 0 and the new value is not (no meaningful percentage).
double relative_change(double base, double now) {
  if (base == now) return 0;
  if (base == 0) return std::numeric_limits<double>::quiet_NaN();
  return (now - base) / std::fabs(base);
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", fraction * 100);
  return buf;
}

// Groups are matched by key and workload parameters: equal keys with other parameters (another
// --scale) did different work.
std::string match_id(const json& g) { return g["key"].get<std::string>() + "|" + g["workload_params"].dump(); }

struct Side {
  const json* doc = nullptr;
  std::map<std::string, const json*> groups;                        // by match id
  std::map<std::string, std::map<long long, const json*>> cells;    // key -> rep -> figures (ok cells)
};

Side index(const json& doc) {
  Side s;
  s.doc = &doc;
  for (const auto& g : doc["groups"]) s.groups.emplace(match_id(g), &g);
  for (const auto& c : doc["cells"])
    if (c["status"] == "ok") s.cells[c["key"].get<std::string>()][c["rep"].get<long long>()] = &c["figures"];
  return s;
}

// The group of the reference allocator that did the same work as `g` in the same run.
const json* reference_group(const Side& side, const json& g, const std::string& reference) {
  for (const auto& [id, r] : side.groups)
    if ((*r)["allocator"] == reference && (*r)["workload"] == g["workload"] && (*r)["dispatch"] == g["dispatch"] &&
        (*r)["workload_params"] == g["workload_params"])
      return r;
  return nullptr;
}

std::optional<double> cell_value(const json& figures, const std::string& name) {
  const auto it = figures.find(name);
  if (it == figures.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// One value per repetition; as a ratio to the reference's value in the same repetition (the
// repetitions interleave, so rep i of both ran seconds apart) when `reference_key` is given.
std::vector<double> samples(const Side& side, const std::string& key, const std::string& figure,
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
    const auto v = cell_value(*figures, figure);
    if (!v) continue;
    if (!ref) {
      out.push_back(*v);
      continue;
    }
    const auto r = ref->find(rep);
    if (r == ref->end()) continue;
    const auto rv = cell_value(*r->second, figure);
    if (rv && *rv > 0) out.push_back(*v / *rv);
  }
  return out;
}

std::optional<double> group_number(const json& g, const FigureSpec& f) {
  if (f.source == Source::group_value) {
    const auto it = g.find(f.name);
    if (it == g.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  }
  const json& figures = g["figures"];
  const auto it = figures.find(f.name);
  if (it == figures.end() || !it->is_object()) return std::nullopt;
  return (*it)["median"].get<double>();
}

bool same_context_field(const json& a, const json& b, const char* field) {
  const json& ca = a["context"];
  const json& cb = b["context"];
  return ca.value(field, json()) == cb.value(field, json());
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::unchanged: return "unchanged";
    case Verdict::better: return "better";
    case Verdict::worse: return "worse";
    case Verdict::not_judged: return "not judged";
  }
  return "?";
}

const std::vector<std::string>& comparable_figures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& f : kFigures) v.push_back(f.name);
    return v;
  }();
  return names;
}

std::optional<FigureKind> figure_kind(const std::string& figure) {
  for (const auto& f : kFigures)
    if (figure == f.name) return f.kind;
  return std::nullopt;
}

std::optional<std::pair<std::string, Threshold>> parse_threshold(const std::string& text, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    error = "--threshold '" + text + "': expected FIGURE=VALUE, e.g. wall_s=15% or heap_commit_calls=2";
    return std::nullopt;
  }
  const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
  const auto kind = figure_kind(name);
  if (!kind) {
    std::string all;
    for (const auto& f : comparable_figures()) all += (all.empty() ? "" : ", ") + f;
    error = "--threshold: unknown figure '" + name + "' (figures: " + all + ")";
    return std::nullopt;
  }
  Threshold t;
  if (value == "off") {
    t.type = Threshold::Type::off;
    return std::make_pair(name, t);
  }
  const bool relative = value.back() == '%';
  const std::string number = relative ? value.substr(0, value.size() - 1) : value;
  char* end = nullptr;
  const double x = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(x) || x < 0) {
    error = "--threshold '" + text + "': the value must be a non-negative number, a percentage (15%) or off";
    return std::nullopt;
  }
  if (*kind == FigureKind::timing && !relative) {
    error = "--threshold '" + text + "': a timing threshold is a minimum effect in percent (e.g. " + name + "=15%)";
    return std::nullopt;
  }
  t.type = relative ? Threshold::Type::relative : Threshold::Type::absolute;
  t.value = relative ? x / 100 : x;
  return std::make_pair(name, t);
}

FigureVerdict judge_value(double base, double now, double tolerance_abs, bool lower_is_better) {
  FigureVerdict v;
  v.change = relative_change(base, now);
  const double delta = now - base;
  if (std::fabs(delta) <= tolerance_abs) return v;
  const bool increased = delta > 0;
  v.verdict = increased == lower_is_better ? Verdict::worse : Verdict::better;
  return v;
}

TimingVerdict judge_timing(const std::vector<double>& base, const std::vector<double>& now, double alpha,
                           double min_effect, bool lower_is_better) {
  TimingVerdict v;
  if (base.empty() || now.empty()) {
    v.verdict = Verdict::not_judged;
    v.note = "no samples";
    return v;
  }
  const double mb = median(base), mn = median(now);
  v.effect = mb > 0 ? mn / mb - 1 : (mn > 0 ? std::numeric_limits<double>::quiet_NaN() : 0);
  const UTestResult u = mann_whitney_u(base, now);
  v.p = u.p;
  v.exact = u.exact;
  const int n1 = static_cast<int>(base.size()), n2 = static_cast<int>(now.size());
  if (smallest_possible_p(n1, n2) >= alpha) {
    v.verdict = Verdict::not_judged;
    v.note = std::to_string(n1) + " vs " + std::to_string(n2) + " repetitions cannot reach p < alpha (4 vs 4 needed)";
    return v;
  }
  if (!(u.p < alpha) || !std::isfinite(v.effect)) return v;
  const double ratio = 1 + v.effect;  // new / base
  const double slower = lower_is_better ? ratio : 1 / ratio;
  if (slower >= 1 + min_effect) v.verdict = Verdict::worse;
  else if (slower <= 1 / (1 + min_effect)) v.verdict = Verdict::better;
  return v;
}

Comparison compare_documents(const json& base_doc, const json& new_doc, const CompareOptions& o) {
  Comparison out;
  if (base_doc["schema_version"] != new_doc["schema_version"]) {
    out.error = "the files have different schema versions (" + base_doc["schema_version"].dump() + " and " +
                new_doc["schema_version"].dump() + "): compare files written by the same vmbench";
    return out;
  }
  const Side base = index(base_doc), now = index(new_doc);

  const bool same_machine = same_context_field(base_doc, new_doc, "cpu_model") &&
                            same_context_field(base_doc, new_doc, "kernel");
  if (!o.never_normalize) {
    if (!o.normalize.empty()) out.normalized_by = o.normalize;
    else if (!same_machine) out.normalized_by = kDefaultReferenceAllocator;
  }
  if (!out.normalized_by.empty()) {
    auto has_reference = [&](const json& doc) {
      for (const auto& g : doc["groups"])
        if (g["allocator"] == out.normalized_by) return true;
      return false;
    };
    if (!has_reference(base_doc) && !has_reference(new_doc) && !o.normalize.empty()) {
      out.error = "--normalize " + out.normalized_by + ": neither file has cells of that allocator";
      return out;
    }
  }
  if (!same_machine)
    out.notes.push_back("the files come from different machines (cpu_model or kernel differ)" +
                        std::string(out.normalized_by.empty() ? ": timings compared as they are (--normalize none)"
                                                              : ""));
  if (!out.normalized_by.empty())
    out.notes.push_back("timings are compared as ratios to " + out.normalized_by +
                        " in the same run and repetition (figure/" + out.normalized_by + "), not as absolute times");
  const bool memory_comparable = same_context_field(base_doc, new_doc, "page_size") &&
                                 same_context_field(base_doc, new_doc, "transparent_hugepages");
  if (!memory_comparable)
    out.notes.push_back("page size or transparent huge pages differ: RSS, page-table and fault figures are reported, "
                        "not judged");
  if (!base_doc["complete"].get<bool>()) out.notes.push_back("BASE is partial (its run was interrupted)");
  if (!new_doc["complete"].get<bool>()) out.notes.push_back("NEW is partial (its run was interrupted)");
  const double page_bytes = base_doc["context"]["page_size"].get<double>();

  int only_base = 0, only_new = 0;
  for (const auto& [id, g] : now.groups)
    if (base.groups.count(id) == 0) ++only_new;
  bool reference_noted = false;
  for (const auto& bg_json : base_doc["groups"]) {
    const std::string id = match_id(bg_json);
    const auto found = now.groups.find(id);
    if (found == now.groups.end()) {
      ++only_base;
      continue;
    }
    const json& bg = bg_json;
    const json& ng = *found->second;
    const std::string key = bg["key"].get<std::string>();
    ++out.cells_compared;

    const double base_ok = bg["reps_ok"].get<double>(), new_ok = ng["reps_ok"].get<double>();
    const double new_failed = ng["reps_failed"].get<double>(), base_failed = bg["reps_failed"].get<double>();
    if (base_ok == 0) {
      out.notes.push_back(key + ": every repetition failed in BASE: nothing to compare");
      continue;
    }
    if (new_ok == 0 || (new_failed > 0 && base_failed == 0)) {
      CompareRow r{key, "status", "status", "count", json("ok"),
                   json(new_ok == 0 ? "failed" : std::to_string(static_cast<long long>(new_failed)) + " failed"),
                   0, nullptr, Verdict::worse, true, "repetitions failed in NEW (see its warnings)"};
      out.rows.push_back(r);
      if (new_ok == 0) continue;
    }

    const bool is_reference = !out.normalized_by.empty() && bg["allocator"] == out.normalized_by;
    const json* base_ref = out.normalized_by.empty() ? nullptr : reference_group(base, bg, out.normalized_by);
    const json* new_ref = out.normalized_by.empty() ? nullptr : reference_group(now, ng, out.normalized_by);

    for (const auto& f : kFigures) {
      const auto custom = o.thresholds.find(f.name);
      const Threshold* th = custom == o.thresholds.end() ? nullptr : &custom->second;
      CompareRow r;
      r.key = key;
      r.figure = f.name;
      r.kind = kind_name(f.kind);
      r.unit = f.unit;
      r.gated = !(th && th->type == Threshold::Type::off);
      if (f.must_match) {  // a 64-bit checksum: compared as written, never through a double
        r.base = bg.value(f.name, json());
        r.now = ng.value(f.name, json());
        r.unit = "hash";
        r.change = r.base == r.now ? 0 : std::numeric_limits<double>::quiet_NaN();
        r.verdict = r.base == r.now ? Verdict::unchanged : Verdict::worse;
        if (r.base != r.now) r.note = "the work differs: refresh the baseline if the workload changed on purpose";
        out.rows.push_back(r);
        continue;
      }
      if (f.kind != FigureKind::timing) {
        const auto b = group_number(bg, f), n = group_number(ng, f);
        if (!b && !n) continue;  // e.g. heap counters of an allocator that keeps none
        r.base = b ? json(*b) : json(nullptr);
        r.now = n ? json(*n) : json(nullptr);
        if (!b || !n) {
          r.verdict = Verdict::not_judged;
          r.note = "missing on one side";
          out.rows.push_back(r);
          continue;
        }
        double tolerance = 0;
        if (f.kind == FigureKind::pages) tolerance = o.tolerance_pages * (r.unit == std::string("bytes") ? page_bytes : 1);
        if (th && th->type == Threshold::Type::relative) tolerance = th->value * std::fabs(*b);
        if (th && th->type == Threshold::Type::absolute) tolerance = th->value;
        const FigureVerdict v = judge_value(*b, *n, tolerance, f.lower_is_better);
        r.change = v.change;
        r.verdict = v.verdict;
        if (f.kind == FigureKind::pages && !memory_comparable) {
          r.gated = false;
          r.note = "machines differ in page size or THP";
        }
        out.rows.push_back(r);
        continue;
      }

      // Timings.
      if (is_reference) {
        if (!reference_noted)
          out.notes.push_back(out.normalized_by + " is the reference: its own timings are not compared");
        reference_noted = true;
        break;
      }
      const double min_effect = th && th->type == Threshold::Type::relative ? th->value : o.min_effect;
      const std::vector<double> raw_base = samples(base, key, f.name, nullptr);
      const std::vector<double> raw_new = samples(now, key, f.name, nullptr);
      std::vector<double> sb = raw_base, sn = raw_new;
      if (!out.normalized_by.empty()) {
        r.figure = std::string(f.name) + "/" + out.normalized_by;
        r.unit = "ratio";
        if (!base_ref || !new_ref) {
          r.verdict = Verdict::not_judged;
          r.gated = false;
          r.note = "no " + out.normalized_by + " cell with the same work in " + (!base_ref ? "BASE" : "NEW");
          out.rows.push_back(r);
          continue;
        }
        const std::string bk = (*base_ref)["key"].get<std::string>(), nk = (*new_ref)["key"].get<std::string>();
        sb = samples(base, key, f.name, &bk);
        sn = samples(now, key, f.name, &nk);
      }
      if (sb.empty() && sn.empty()) continue;
      r.base = sb.empty() ? json(nullptr) : json(median(sb));
      r.now = sn.empty() ? json(nullptr) : json(median(sn));
      const TimingVerdict v = judge_timing(sb, sn, o.alpha, min_effect, f.lower_is_better);
      r.change = v.effect;
      r.p = v.p;
      r.verdict = v.verdict;
      r.note = v.note;
      // Throughput is judged by the duration it was measured over.
      const bool is_rate = std::string(f.unit) == "1/s";
      const std::vector<double> time_base = is_rate ? samples(base, key, "wall_s", nullptr) : raw_base;
      const std::vector<double> time_new = is_rate ? samples(now, key, "wall_s", nullptr) : raw_new;
      const bool too_short = !time_base.empty() && !time_new.empty() && median(time_base) < o.min_time_s &&
                             median(time_new) < o.min_time_s;
      if (too_short) {
        r.verdict = Verdict::not_judged;
        r.note = "under " + std::to_string(static_cast<int>(o.min_time_s * 1e6)) + " us: too short to judge";
      }
      out.rows.push_back(r);
    }
  }

  if (out.cells_compared == 0) {
    out.error = "no common cells: BASE has " + std::to_string(base.groups.size()) + ", NEW has " +
                std::to_string(now.groups.size()) +
                ", none with the same key and workload parameters (another --scale, workload or allocator set?)";
    return out;
  }
  if (only_base > 0) out.notes.push_back(std::to_string(only_base) + " cells only in BASE (not compared)");
  if (only_new > 0) out.notes.push_back(std::to_string(only_new) + " cells only in NEW (not compared)");

  std::string first_worse;
  int judged = 0;
  for (const auto& r : out.rows) {
    if (!r.gated || r.verdict == Verdict::not_judged) continue;
    ++judged;
    if (r.verdict == Verdict::worse) {
      if (++out.regressions == 1)
        first_worse = r.key + " " + r.figure + (std::isfinite(r.change) && r.kind != "status" ? " " + percent(r.change) : "");
    }
    if (r.verdict == Verdict::better) ++out.improvements;
  }
  const std::string how = out.normalized_by.empty() ? "" : "; timings relative to " + out.normalized_by;
  if (out.regressions > 0)
    out.verdict_line = "REGRESSION: " + std::to_string(out.regressions) + " of " + std::to_string(judged) +
                       " judged figures worse (first: " + first_worse + ")" + how;
  else
    out.verdict_line = "no regression: " + std::to_string(judged) + " figures judged in " +
                       std::to_string(out.cells_compared) + " cells, " + std::to_string(out.improvements) + " better" +
                       how;
  return out;
}

}  // namespace vmbench
