// Comparing two results files figure by figure (the logic behind `vmbench compare`): deterministic
// counts tightly, the cost pass's simulated counts within a relative tolerance (1%), RSS and page
// faults within a few pages, timings with a Mann-Whitney U test and a minimum effect, optionally as
// ratios to a reference allocator of the same run. Which figures are compared, in which order and how,
// is the figure registry's (figure_registry.hpp: Figure::gate). compare.cpp matches the groups and
// judges each figure of a pair, judge.cpp judges one figure, thresholds.cpp reads --threshold and says
// which tolerance a row used, verdict.cpp gives the last line (what was judged and what was not),
// format_compare.cpp renders.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vmbench {

// A per-figure threshold: `15%` (relative to the base), `4096` (absolute, in the figure's unit) or
// `off` (reported, never a regression).
struct Threshold {
  enum class Type { relative, absolute, off } type = Type::absolute;
  double value = 0;  // a fraction for relative (0.15), else in the figure's unit
};

// Parses "NAME=VALUE" (as given to --threshold) for a figure compare judges; nullopt and a one-line
// reason in `error` if bad.
std::optional<std::pair<std::string, Threshold>> parse_threshold(const std::string& text, std::string& error);

struct CompareOptions {
  double alpha = 0.05;          // U test: a difference is significant below this p
  double min_effect = 0.10;     // timings: smallest change of the median that counts (10%)
  double tolerance_pages = 32;  // RSS/page tables (in pages of the base's page size) and faults (in faults)
  double min_time_s = 0.001;    // timings whose medians are both below this are reported, not judged
  std::string normalize;        // reference allocator; empty: only when the machines differ ("malloc")
  bool never_normalize = false; // --normalize none
  std::map<std::string, Threshold> thresholds;  // per figure name (wall_s, peak_rss_delta_bytes...)
};

inline constexpr const char* kDefaultReferenceAllocator = "malloc";

enum class Verdict { unchanged, better, worse, not_judged };
const char* verdict_name(Verdict v);

struct FigureVerdict {
  Verdict verdict = Verdict::unchanged;
  double change = 0;  // relative change of new against base (0.12 = 12% more)
};

// Deterministic and page-noisy figures: `lower_is_better`; `tolerance` is already absolute.
FigureVerdict judge_value(double base, double now, double tolerance_abs, bool lower_is_better);

struct TimingVerdict {
  Verdict verdict = Verdict::unchanged;
  double effect = 0;     // median(new) / median(base) - 1
  double p = 1;          // U test, two-sided
  bool exact = false;    // exact U distribution
  std::string note;      // why it was not judged, if it was not
};

// Timings: worse when p < alpha AND the median moved the wrong way by at least min_effect; better
// when p < alpha and it moved the right way by a factor of at least 1 + min_effect.
TimingVerdict judge_timing(const std::vector<double>& base, const std::vector<double>& now, double alpha,
                           double min_effect, bool lower_is_better);

struct CompareRow {
  std::string key;        // the cell key, e.g. tree/arena/inline
  std::string figure;     // e.g. wall_s, or wall_s/malloc when normalised
  std::string kind;       // exact | pages | cost | timing | status
  std::string unit;       // s, bytes, count, ratio
  nlohmann::json base;    // the base value (median), or null
  nlohmann::json now;     // the new value (median), or null
  double change = 0;      // relative
  nlohmann::json p;       // timings only
  Verdict verdict = Verdict::unchanged;
  bool gated = true;      // false: threshold off, or not comparable here
  std::string note;
  std::string threshold;  // the tolerance it was judged by: "exact", "1%", "32 pages", "p < 0.05 and 10%", "off"
};

struct Comparison {
  std::string error;                // non-empty: unusable input (exit 2), one line
  std::vector<CompareRow> rows;
  std::vector<std::string> notes;   // how it was compared (normalisation, skipped cells, ...)
  std::string normalized_by;        // reference allocator, or empty
  int cells_compared = 0;
  int regressions = 0;              // gated rows judged worse
  int improvements = 0;
  int cost_only_in_one_file = 0;    // cells whose cost figures (--cost) one file lacks: not judged
  std::string verdict_line;         // one line, for the end of every format
};

Comparison compare_documents(const nlohmann::json& base, const nlohmann::json& now, const CompareOptions& options);

// The text of the tolerance a row of figure `name` (registry gate `gate`) is judged by: its
// --threshold, else the gate's default (thresholds.cpp).
struct Figure;
std::string threshold_text(const Figure& f, const Threshold* custom, const CompareOptions& o);

// The counts of regressions and improvements, and the last line: the verdict, how many figures of
// which kind were judged, and what was not judged and why, timing above all (verdict.cpp).
void give_verdict(Comparison& out);

// Samples of these sizes can never give p < alpha: the note of a timing row, and the last line's reason.
std::string too_few_repetitions(int n_base, int n_new, double alpha);

// The rows a reader needs: worse, better and not judged; the unchanged ones become one note with their
// count (compare --verbose keeps them all; the JSON always has every row).
Comparison fold_unchanged(const Comparison& c);

// Renderings (format_compare.cpp).
std::string render_comparison_table(const Comparison& c);
std::string render_comparison_markdown(const Comparison& c);
nlohmann::json comparison_json(const Comparison& c, const std::string& base_path, const std::string& new_path);

}  // namespace vmbench
