// `vmbench compare BASE.json NEW.json`: is NEW a regression against BASE? Exit 0 no, 1 yes, 2 the
// input cannot be compared. The judgement itself is compare.cpp.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "commands.hpp"
#include "compare.hpp"
#include "exit_status.hpp"
#include "json_text.hpp"
#include "number_checks.hpp"
#include "results_loader.hpp"
#include "standard_output.hpp"

namespace vmbench {

namespace {

struct CompareArgs {
  std::string base_path, new_path;
  std::string format = "table";
  std::string min_effect = "10%";
  double alpha = 0.05;
  double tolerance_pages = 32;
  double min_time_s = 0.001;
  std::string normalize;
  std::vector<std::string> thresholds;
  bool verbose = false;
};

constexpr double kMaxMinEffect = 100;  // +10000%: a larger minimum effect judges nothing

// "15%" is 0.15; a bare number is already a fraction ("0.15"); from 0 to 10000%.
bool parse_fraction(const std::string& text, double& out) {
  const bool percent = !text.empty() && text.back() == '%';
  const std::string number = percent ? text.substr(0, text.size() - 1) : text;
  char* end = nullptr;
  const double x = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(x) || x < 0) return false;
  if ((percent ? x / 100 : x) > kMaxMinEffect) return false;
  out = percent ? x / 100 : x;
  return true;
}

int usage_error(const std::string& line) {
  std::fprintf(stderr, "vmbench compare: %s\n", line.c_str());
  return exit_code(ExitStatus::unusable_input);
}

// A BASE with no successful cell has nothing to compare against: every figure would be "not judged"
// and the comparison would pass.
std::string nothing_measured(const nlohmann::json& doc, const std::string& path) {
  for (const auto& c : doc["cells"])
    if (c["status"] == "ok") return "";
  return path + ": " + (doc["cells"].empty() ? "no cell was measured" : "every cell failed") +
         ": nothing to compare against";
}

// The seed each file was run with (its plan's, else its context's), as text; "" when absent.
std::string seed_of(const nlohmann::json& doc) {
  for (const char* part : {"plan", "context"})
    if (const auto it = doc.at(part).find("seed"); it != doc.at(part).end() && it->is_number()) return it->dump();
  return "";
}

// Files run with different seeds made different random choices: counts that follow them differ,
// and a verdict must say so.
void note_different_seeds(const nlohmann::json& base, const nlohmann::json& now, Comparison& c) {
  const std::string b = seed_of(base), n = seed_of(now);
  if (!b.empty() && !n.empty() && b != n)
    c.notes.push_back("the files were run with different seeds (BASE --seed " + b + ", NEW --seed " + n +
                      "): the workloads made different random choices, so figures that follow them may differ");
}

int run_compare(const CompareArgs& a) {
  CompareOptions o;
  if (!parse_fraction(a.min_effect, o.min_effect)) return usage_error("--min-effect '" + a.min_effect + "': use e.g. 10% (0 to 10000%)");
  o.alpha = a.alpha;
  o.tolerance_pages = a.tolerance_pages;
  o.min_time_s = a.min_time_s;
  if (a.normalize == "none") o.never_normalize = true;
  else o.normalize = a.normalize;
  for (const auto& t : a.thresholds) {
    std::string error;
    const auto parsed = parse_threshold(t, error);
    if (!parsed) return usage_error(error);
    o.thresholds[parsed->first] = parsed->second;
  }
  const LoadedResults base = load_results(a.base_path);
  if (!base.ok()) return usage_error(base.error);
  if (const std::string why = nothing_measured(base.doc, a.base_path); !why.empty()) return usage_error(why);
  const LoadedResults now = load_results(a.new_path);
  if (!now.ok()) return usage_error(now.error);
  Comparison c = compare_documents(base.doc, now.doc, o);
  if (!c.error.empty()) return usage_error(c.error);
  note_different_seeds(base.doc, now.doc, c);
  if (a.format == "json") print_out(json_text(comparison_json(c, a.base_path, a.new_path), 2) + "\n");
  else if (a.format == "markdown") print_out(render_comparison_markdown(a.verbose ? c : fold_unchanged(c)));
  else print_out(render_comparison_table(a.verbose ? c : fold_unchanged(c)));
  return exit_code(c.regressions > 0 ? ExitStatus::failed : ExitStatus::ok);
}

}  // namespace

Command register_compare(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Compare two results files: exit 1 on a regression, 0 if none");
  cmd->add_option("base", args->base_path, "The reference results (e.g. a committed baseline)")->required();
  cmd->add_option("new", args->new_path, "The results to judge")->required();
  cmd->add_option("--format,-f", args->format, "table, json or markdown")
      ->check(CLI::IsMember({"table", "json", "markdown"}));
  cmd->add_option("--threshold,-t", args->thresholds,
                  "FIGURE=VALUE: 15% (relative), 4096 (absolute, in the figure's unit) or off (report only); "
                  "for timings the minimum effect; repeatable");
  cmd->add_option("--min-effect", args->min_effect, "Smallest change of a median time that counts")
      ->capture_default_str();
  cmd->add_option("--alpha", args->alpha, "U test: significant when p is below this")
      ->check(finite_number(1e-6, 0.5))
      ->capture_default_str();
  cmd->add_option("--tolerance-pages", args->tolerance_pages,
                  "RSS and page tables may move by this many pages, page faults by this many faults")
      ->check(finite_number(0.0, 1e9))
      ->capture_default_str();
  cmd->add_option("--min-time", args->min_time_s, "Timings whose medians are both below this (s) are not judged")
      ->check(finite_number(0.0, 1e6))
      ->capture_default_str();
  cmd->add_flag("--verbose,-v", args->verbose,
               "List every judged figure; by default the unchanged ones are one line with their count (json: always all)");
  cmd->add_option("--normalize", args->normalize,
                  "Compare timings as ratios to this allocator in the same run (default: malloc when the files "
                  "come from different machines; none: never)");
  cmd->footer(
      "Exit codes: 0 no regression, 1 regression, 2 unusable input (one line on stderr).\n"
      "Deterministic counts are compared exactly; the cost pass's instructions and estimated cycles (run --cost)\n"
      "within 1%; RSS and faults within --tolerance-pages; timings are worse only when a Mann-Whitney U test\n"
      "gives p < --alpha AND the median moved by at least --min-effect. Each row shows the threshold it was\n"
      "judged by; the last line says what was judged, and what was not (timing above all) and why.\n"
      "Examples:\n"
      "  vmbench compare results/baseline/ci.json new.json\n"
      "  vmbench compare base.json new.json --normalize malloc --min-effect 25% -t cpu_sys_s=off\n"
      "  vmbench compare base.json new.json -t cost_instructions=0.5%    a tighter cost threshold\n"
      "  vmbench compare base.json new.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"");
  return {cmd, [args] { return run_compare(*args); }};
}

}  // namespace vmbench
