// Judging one figure: a value against a tolerance, or two samples of timings with the U test.
#include <cmath>
#include <limits>

#include "compare.hpp"
#include "mann_whitney.hpp"
#include "summary_stats.hpp"

namespace vmbench {

namespace {

double median(std::vector<double> v) { return summarize(std::move(v)).median; }

// Relative change; NaN when the base is 0 and the new value is not (no meaningful percentage).
double relative_change(double base, double now) {
  if (base == now) return 0;
  if (base == 0) return std::numeric_limits<double>::quiet_NaN();
  return (now - base) / std::fabs(base);
}

}  // namespace

std::string too_few_repetitions(int n_base, int n_new, double alpha) {
  int least = 1;  // the fewest repetitions a side with which the U test can reach p < alpha
  while (least < 50 && smallest_possible_p(least, least) >= alpha) ++least;
  return std::to_string(n_base) + " against " + std::to_string(n_new) + " repetitions; the U test needs at least " +
         std::to_string(least) + " each";
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::unchanged: return "unchanged";
    case Verdict::better: return "better";
    case Verdict::worse: return "worse";
    case Verdict::not_judged: return "not judged";
  }
  return "?";
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
    v.note = too_few_repetitions(n1, n2, alpha);
    return v;
  }
  if (!(u.p < alpha) || !std::isfinite(v.effect)) return v;
  const double ratio = 1 + v.effect;  // new / base
  const double slower = lower_is_better ? ratio : 1 / ratio;
  if (slower >= 1 + min_effect) v.verdict = Verdict::worse;
  else if (slower <= 1 / (1 + min_effect)) v.verdict = Verdict::better;
  return v;
}

}  // namespace vmbench
