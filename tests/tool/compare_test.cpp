// The judgement behind `vmbench compare`: the Mann-Whitney U test, thresholds, and verdicts.
#include "compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mann_whitney.hpp"

namespace vmbench {
namespace {

using nlohmann::json;

// Brute force: every way to split the pooled values into samples of the given sizes.
double brute_force_two_sided_p(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> all(a);
  all.insert(all.end(), b.begin(), b.end());
  const int n = static_cast<int>(all.size()), m = static_cast<int>(a.size());
  auto u_of = [&](unsigned mask) {
    double u = 0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if ((mask >> i & 1u) && !(mask >> j & 1u)) {
          const double x = all[static_cast<std::size_t>(i)], y = all[static_cast<std::size_t>(j)];
          u += x > y ? 1 : x == y ? 0.5 : 0;
        }
    return u;
  };
  const double observed = u_of((1u << m) - 1);
  double total = 0, low = 0, high = 0;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    if (__builtin_popcount(mask) != m) continue;
    const double u = u_of(mask);
    total += 1;
    low += u <= observed + 1e-9 ? 1 : 0;
    high += u >= observed - 1e-9 ? 1 : 0;
  }
  return std::min(1.0, 2 * std::min(low, high) / total);
}

TEST(MannWhitney, FourAgainstFourFullySeparatedIsTheSmallestExactP) {
  const UTestResult r = mann_whitney_u({1, 2, 3, 4}, {5, 6, 7, 8});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_NEAR(r.p, 2.0 / 70.0, 1e-12);  // 2 of the C(8,4) = 70 splits are this extreme
  EXPECT_NEAR(smallest_possible_p(4, 4), 2.0 / 70.0, 1e-12);
}

TEST(MannWhitney, ThreeAgainstThreeCanNeverBeSignificant) {
  EXPECT_GE(mann_whitney_u({1, 2, 3}, {4, 5, 6}).p, 0.05);
  EXPECT_GE(smallest_possible_p(3, 3), 0.05);
  EXPECT_LT(smallest_possible_p(3, 5), 0.05);
}

TEST(MannWhitney, IsSymmetricInItsSamples) {
  const std::vector<double> a = {1.2, 3.4, 2.2, 5.0, 0.7}, b = {2.5, 4.1, 6.3, 5.5, 3.9, 7.0};
  EXPECT_DOUBLE_EQ(mann_whitney_u(a, b).p, mann_whitney_u(b, a).p);
}

TEST(MannWhitney, ExactPMatchesBruteForceWithoutTies) {
  const std::vector<double> a = {1.2, 3.4, 2.2, 5.0, 0.7}, b = {2.5, 4.1, 6.3, 5.5, 3.9, 7.0};
  EXPECT_NEAR(mann_whitney_u(a, b).p, brute_force_two_sided_p(a, b), 1e-12);
}

TEST(MannWhitney, ExactPMatchesBruteForceWithTies) {
  const std::vector<double> a = {1, 2, 2, 3, 5}, b = {2, 3, 3, 4, 5, 6};
  const UTestResult r = mann_whitney_u(a, b);
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p, brute_force_two_sided_p(a, b), 1e-12);
}

TEST(MannWhitney, IdenticalSamplesGiveP1) {
  EXPECT_DOUBLE_EQ(mann_whitney_u({2, 2, 2, 2}, {2, 2, 2, 2}).p, 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_u({1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}).p, 1.0);
}

TEST(MannWhitney, LargeSamplesUseTheNormalApproximation) {
  std::vector<double> a, b;
  for (int i = 1; i <= 26; ++i) a.push_back(i);
  for (int i = 27; i <= 52; ++i) b.push_back(i);
  const UTestResult r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  // U = 0, mean 338, sd sqrt(26*26*53/12); z = 337.5 / sd = 6.177: p = erfc(z / sqrt 2).
  EXPECT_NEAR(r.p, std::erfc(337.5 / std::sqrt(26.0 * 26 * 53 / 12) / std::sqrt(2.0)), 1e-15);
  EXPECT_LT(r.p, 1e-8);
}

TEST(MannWhitney, NormalApproximationCorrectsForTies) {
  std::vector<double> a(30, 1.0), b(30, 1.0);
  a[0] = 0;  // all but one value tied
  const UTestResult r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  // W = 1 + 29 * 31 (59 ones share the mid-rank 31): U = 435 against a mean of 450. Ties shrink the
  // variance from 30*30*61/12 to 30*30/12 * (61 - (59^3 - 59) / (60 * 59)) = 225, so z = 14.5 / 15.
  EXPECT_DOUBLE_EQ(r.u, 435);
  EXPECT_NEAR(r.p, std::erfc(14.5 / 15 / std::sqrt(2.0)), 1e-12);
}

TEST(MannWhitney, EmptySampleGivesP1) { EXPECT_DOUBLE_EQ(mann_whitney_u({}, {1, 2}).p, 1.0); }

TEST(Threshold, PercentIsRelative) {
  std::string error;
  const auto t = parse_threshold("wall_s=15%", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->first, "wall_s");
  EXPECT_EQ(t->second.type, Threshold::Type::relative);
  EXPECT_DOUBLE_EQ(t->second.value, 0.15);
}

TEST(Threshold, BareNumberIsAbsolute) {
  std::string error;
  const auto t = parse_threshold("heap_commit_calls=2", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->second.type, Threshold::Type::absolute);
  EXPECT_DOUBLE_EQ(t->second.value, 2);
}

TEST(Threshold, OffMeansReportOnly) {
  std::string error;
  const auto t = parse_threshold("cpu_sys_s=off", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->second.type, Threshold::Type::off);
}

TEST(Threshold, BadInputIsRefusedWithAReason) {
  for (const char* bad : {"wall_s", "=3", "wall_s=", "nonsense=3", "ops=-1", "ops=abc", "wall_s=3", "ops=nan"}) {
    std::string error;
    EXPECT_FALSE(parse_threshold(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
    EXPECT_EQ(error.find('\n'), std::string::npos) << bad;
  }
}

TEST(JudgeValue, ExactCountsAllowNoChangeByDefault) {
  EXPECT_EQ(judge_value(100, 100, 0, true).verdict, Verdict::unchanged);
  EXPECT_EQ(judge_value(100, 101, 0, true).verdict, Verdict::worse);
  EXPECT_EQ(judge_value(100, 99, 0, true).verdict, Verdict::better);
}

TEST(JudgeValue, ToleranceAbsorbsSmallChanges) {
  EXPECT_EQ(judge_value(1 << 20, (1 << 20) + 32 * 4096, 32 * 4096, true).verdict, Verdict::unchanged);
  EXPECT_EQ(judge_value(1 << 20, (1 << 20) + 33 * 4096, 32 * 4096, true).verdict, Verdict::worse);
}

TEST(JudgeValue, HigherIsBetterFlipsTheVerdict) {
  EXPECT_EQ(judge_value(100, 90, 0, false).verdict, Verdict::worse);
  EXPECT_NEAR(judge_value(100, 90, 0, false).change, -0.10, 1e-12);
}

TEST(JudgeTiming, ClearSlowdownIsWorse) {
  const TimingVerdict v = judge_timing({10, 10.2, 9.9, 10.1, 10.0}, {13, 13.1, 12.9, 13.3, 13.0}, 0.05, 0.10, true);
  EXPECT_EQ(v.verdict, Verdict::worse);
  EXPECT_LT(v.p, 0.05);
  EXPECT_NEAR(v.effect, 0.30, 1e-9);
}

TEST(JudgeTiming, SignificantButSmallerThanTheMinimumEffectIsUnchanged) {
  const TimingVerdict v = judge_timing({10, 10.2, 9.9, 10.1, 10.0}, {10.5, 10.6, 10.4, 10.7, 10.5}, 0.05, 0.10, true);
  EXPECT_LT(v.p, 0.05);
  EXPECT_EQ(v.verdict, Verdict::unchanged);
}

TEST(JudgeTiming, LargeButNotSignificantIsUnchanged) {
  // Medians 30% apart, but the samples overlap: noise, not a regression.
  const TimingVerdict v = judge_timing({10, 20, 5, 13, 30}, {13, 6, 25, 40, 11}, 0.05, 0.10, true);
  EXPECT_GE(v.p, 0.05);
  EXPECT_EQ(v.verdict, Verdict::unchanged);
}

TEST(JudgeTiming, ClearSpeedupIsBetter) {
  EXPECT_EQ(judge_timing({13, 13.1, 12.9, 13.3, 13.0}, {10, 10.2, 9.9, 10.1, 10.0}, 0.05, 0.10, true).verdict,
            Verdict::better);
}

TEST(JudgeTiming, ThroughputDropIsWorse) {
  EXPECT_EQ(judge_timing({13, 13.1, 12.9, 13.3, 13.0}, {10, 10.2, 9.9, 10.1, 10.0}, 0.05, 0.10, false).verdict,
            Verdict::worse);
}

TEST(JudgeTiming, TooFewRepetitionsAreNotJudged) {
  const TimingVerdict v = judge_timing({1, 1, 1}, {5, 5, 5}, 0.05, 0.10, true);
  EXPECT_EQ(v.verdict, Verdict::not_judged);
  EXPECT_FALSE(v.note.empty());
}

// A minimal results document: one tree group per allocator, `reps` cells each.
json doc_with(const std::vector<std::pair<std::string, std::vector<double>>>& wall_by_allocator,
              const std::string& cpu = "cpu A", int version = 1, std::uint64_t checksum = 7) {
  json doc = {{"schema", "vmbench-results"}, {"schema_version", version}, {"complete", true},
              {"context", {{"cpu_model", cpu}, {"kernel", "6.1"}, {"page_size", 4096}, {"transparent_hugepages", "madvise"}}},
              {"plan", {{"reps", 5}, {"scale", "ci"}}}, {"warnings", json::array()}};
  json cells = json::array(), groups = json::array();
  for (const auto& [allocator, walls] : wall_by_allocator) {
    const std::string key = "tree/" + allocator + "/inline";
    for (std::size_t i = 0; i < walls.size(); ++i)
      cells.push_back({{"key", key}, {"status", "ok"}, {"rep", i},
                       {"figures", {{"wall_s", walls[i]}, {"cpu_user_s", walls[i]}, {"cpu_sys_s", 0.0}, {"ops_per_s", 1e6 / walls[i]}}}});
    groups.push_back({{"key", key}, {"workload", "tree"}, {"allocator", allocator}, {"dispatch", "inline"},
                      {"workload_params", {{"depth", "14"}}}, {"reps_ok", walls.size()}, {"reps_failed", 0},
                      {"ops", 1000}, {"allocations", 500}, {"frees", 500}, {"frees_skipped", 0},
                      {"peak_live_bytes", 4096}, {"checksum", checksum}});
    const json faults = {{"n", 5}, {"median", 100}, {"min", 99}, {"max", 101}, {"mean", 100}, {"stddev", 1}, {"cv", 0.01}};
    groups.back()["figures"] = {{"minor_faults", faults}};
  }
  doc["cells"] = cells;
  doc["groups"] = groups;
  return doc;
}

const CompareRow* row(const Comparison& c, const std::string& key, const std::string& figure) {
  for (const auto& r : c.rows)
    if (r.key == key && r.figure == figure) return &r;
  return nullptr;
}

const std::vector<double> kFast = {1.0, 1.01, 0.99, 1.02, 1.0}, kMalloc = {2.0, 2.02, 1.98, 2.01, 2.0};

TEST(CompareDocuments, IdenticalDocumentsHaveNoRegression) {
  const json d = doc_with({{"arena", kFast}, {"malloc", kMalloc}});
  const Comparison c = compare_documents(d, d, CompareOptions{});
  EXPECT_TRUE(c.error.empty());
  EXPECT_EQ(c.regressions, 0);
  EXPECT_EQ(c.cells_compared, 2);
}

TEST(CompareDocuments, SlowerAllocatorIsARegression) {
  const json base = doc_with({{"arena", kFast}, {"malloc", kMalloc}});
  const json now = doc_with({{"arena", {1.5, 1.52, 1.49, 1.51, 1.5}}, {"malloc", kMalloc}});
  const Comparison c = compare_documents(base, now, CompareOptions{});
  ASSERT_NE(row(c, "tree/arena/inline", "wall_s"), nullptr);
  EXPECT_EQ(row(c, "tree/arena/inline", "wall_s")->verdict, Verdict::worse);
  EXPECT_GT(c.regressions, 0);
}

TEST(CompareDocuments, DifferentMachinesCompareRatiosToMalloc) {
  // The new machine is twice as slow for everybody: the ratio arena/malloc has not moved.
  const json base = doc_with({{"arena", kFast}, {"malloc", kMalloc}});
  const json now = doc_with({{"arena", {2.0, 2.02, 1.98, 2.04, 2.0}}, {"malloc", {4.0, 4.04, 3.96, 4.02, 4.0}}}, "cpu B");
  const Comparison c = compare_documents(base, now, CompareOptions{});
  EXPECT_EQ(c.normalized_by, "malloc");
  ASSERT_NE(row(c, "tree/arena/inline", "wall_s/malloc"), nullptr);
  EXPECT_EQ(row(c, "tree/arena/inline", "wall_s/malloc")->verdict, Verdict::unchanged);
  EXPECT_EQ(c.regressions, 0);
}

TEST(CompareDocuments, ThresholdOffReportsButDoesNotGate) {
  const json base = doc_with({{"arena", kFast}, {"malloc", kMalloc}});
  const json now = doc_with({{"arena", {1.5, 1.52, 1.49, 1.51, 1.5}}, {"malloc", kMalloc}});
  CompareOptions o;
  for (const char* f : {"wall_s", "cpu_user_s", "ops_per_s"}) o.thresholds[f] = Threshold{Threshold::Type::off, 0};
  const Comparison c = compare_documents(base, now, o);
  EXPECT_EQ(c.regressions, 0);
  EXPECT_FALSE(row(c, "tree/arena/inline", "wall_s")->gated);
}

TEST(CompareDocuments, ChangedChecksumIsARegression) {
  const Comparison c = compare_documents(doc_with({{"malloc", kMalloc}}), doc_with({{"malloc", kMalloc}}, "cpu A", 1, 8),
                                         CompareOptions{});
  EXPECT_EQ(row(c, "tree/malloc/inline", "checksum")->verdict, Verdict::worse);
  EXPECT_EQ(c.regressions, 1);
}

TEST(CompareDocuments, DifferentSchemaVersionsAreUnusable) {
  const Comparison c = compare_documents(doc_with({{"malloc", kMalloc}}), doc_with({{"malloc", kMalloc}}, "cpu A", 2),
                                         CompareOptions{});
  EXPECT_NE(c.error.find("schema versions"), std::string::npos);
}

// The cost pass's figures of every group (one value each, as from the first repetition), times `factor`.
json with_cost(json doc, double factor = 1.0) {
  for (auto& g : doc["groups"]) {
    const double instructions = std::round(1e7 * factor), cycles = std::round(1.5e7 * factor);
    auto one = [](double v) { return json{{"n", 1}, {"median", v}, {"min", v}, {"max", v}, {"mean", v}, {"stddev", 0}, {"cv", 0}}; };
    g["figures"]["cost_instructions"] = one(instructions);
    g["figures"]["cost_estimated_cycles"] = one(cycles);
    g["figures"]["cost_l1_misses"] = one(std::round(1e5 * factor * factor));
  }
  for (auto& c : doc["cells"])
    if (c["rep"] == 0) c["figures"]["cost"] = {{"instructions", 1}};
  return doc;
}

TEST(CompareDocuments, InstructionsAreJudgedWithinOnePercent) {
  const json base = with_cost(doc_with({{"arena", kFast}, {"malloc", kMalloc}}));
  const Comparison two = compare_documents(base, with_cost(doc_with({{"arena", kFast}, {"malloc", kMalloc}}), 1.02), {});
  EXPECT_EQ(row(two, "tree/arena/inline", "cost_instructions")->verdict, Verdict::worse);
  EXPECT_EQ(row(two, "tree/arena/inline", "cost_estimated_cycles")->verdict, Verdict::worse);
  EXPECT_EQ(row(two, "tree/arena/inline", "cost_instructions")->threshold, "1%");
  EXPECT_EQ(row(two, "tree/arena/inline", "cost_instructions")->kind, "cost");
  EXPECT_EQ(two.regressions, 4);  // both figures of both groups; the L1 misses (+4%) are shown, not judged
  EXPECT_FALSE(row(two, "tree/arena/inline", "cost_l1_misses")->gated);
  const Comparison small = compare_documents(base, with_cost(doc_with({{"arena", kFast}, {"malloc", kMalloc}}), 1.002), {});
  EXPECT_EQ(small.regressions, 0);
  EXPECT_EQ(row(small, "tree/arena/inline", "cost_instructions")->verdict, Verdict::unchanged);
}

TEST(CompareDocuments, AThresholdTightensOneCostFigureAndJudgesAShownOne) {
  const json base = with_cost(doc_with({{"malloc", kMalloc}}));
  const json now = with_cost(doc_with({{"malloc", kMalloc}}), 1.002);
  CompareOptions o;
  o.thresholds["cost_instructions"] = Threshold{Threshold::Type::relative, 0.001};
  o.thresholds["cost_l1_misses"] = Threshold{Threshold::Type::relative, 0.01};
  const Comparison c = compare_documents(base, now, o);
  EXPECT_EQ(row(c, "tree/malloc/inline", "cost_instructions")->verdict, Verdict::worse);
  EXPECT_EQ(row(c, "tree/malloc/inline", "cost_instructions")->threshold, "0.1%");
  EXPECT_TRUE(row(c, "tree/malloc/inline", "cost_l1_misses")->gated);
  EXPECT_EQ(row(c, "tree/malloc/inline", "cost_estimated_cycles")->verdict, Verdict::unchanged);  // still 1%
  EXPECT_EQ(c.regressions, 1);
}

TEST(CompareDocuments, EveryRowSaysWhichThresholdItUsed) {
  const json d = with_cost(doc_with({{"arena", kFast}, {"malloc", kMalloc}}));
  CompareOptions o;
  o.thresholds["cpu_sys_s"] = Threshold{Threshold::Type::off, 0};
  const Comparison c = compare_documents(d, d, o);
  EXPECT_EQ(row(c, "tree/arena/inline", "checksum")->threshold, "equal");
  EXPECT_EQ(row(c, "tree/arena/inline", "ops")->threshold, "exact");
  EXPECT_EQ(row(c, "tree/arena/inline", "minor_faults")->threshold, "32 faults");
  EXPECT_EQ(row(c, "tree/arena/inline", "wall_s")->threshold, "p < 0.05 and 10%");
  EXPECT_EQ(row(c, "tree/arena/inline", "cpu_sys_s")->threshold, "off");
  EXPECT_EQ(row(c, "tree/arena/inline", "cost_l1_misses")->threshold, "shown");
}

TEST(CompareDocuments, CostFiguresInOneFileOnlyAreAbsentWithANote) {
  const json with = with_cost(doc_with({{"malloc", kMalloc}})), without = doc_with({{"malloc", kMalloc}});
  const Comparison c = compare_documents(with, without, {});
  EXPECT_EQ(c.regressions, 0);
  EXPECT_EQ(row(c, "tree/malloc/inline", "cost_instructions"), nullptr);
  ASSERT_FALSE(c.notes.empty());
  EXPECT_NE(c.notes.back().find("only in BASE for 1 cells"), std::string::npos) << c.notes.back();
  EXPECT_NE(c.verdict_line.find("cost figures in one file only"), std::string::npos) << c.verdict_line;
}

TEST(CompareDocuments, ACostPassThatFailedInNewIsARegressionWithItsReason) {
  json failed = doc_with({{"malloc", kMalloc}});
  failed["cells"][0]["figures"]["cost"] = nullptr;
  failed["cells"][0]["figures"]["unavailable"] = {{"cost", "cost pass failed: crashed under valgrind with signal 11"}};
  const Comparison c = compare_documents(with_cost(doc_with({{"malloc", kMalloc}})), failed, {});
  ASSERT_NE(row(c, "tree/malloc/inline", "cost pass"), nullptr);
  EXPECT_EQ(row(c, "tree/malloc/inline", "cost pass")->verdict, Verdict::worse);
  EXPECT_NE(row(c, "tree/malloc/inline", "cost pass")->note.find("signal 11"), std::string::npos);
  EXPECT_EQ(c.regressions, 1);
}

TEST(CompareDocuments, TheLastLineSaysTimingWasNotJudgedAndWhy) {
  const std::vector<double> three = {1.0, 1.01, 0.99}, three_slow = {2.0, 2.02, 1.98};
  const Comparison c = compare_documents(doc_with({{"arena", three}}), doc_with({{"arena", three_slow}}), {});
  EXPECT_EQ(c.regressions, 0);  // twice as slow, and nothing can say so with 3 against 3
  EXPECT_NE(c.verdict_line.find("timing not judged: 3 against 3 repetitions; the U test needs at least 4 each"),
            std::string::npos)
      << c.verdict_line;
  CompareOptions off;
  for (const char* f : {"wall_s", "cpu_user_s", "cpu_sys_s", "ops_per_s"}) off.thresholds[f] = Threshold{Threshold::Type::off, 0};
  const json five = doc_with({{"arena", kFast}});
  const Comparison reported = compare_documents(five, five, off);
  EXPECT_NE(reported.verdict_line.find("timing not judged: reported only (--threshold"), std::string::npos)
      << reported.verdict_line;
  const Comparison judged = compare_documents(five, five, {});
  EXPECT_EQ(judged.verdict_line.find("timing not judged"), std::string::npos) << judged.verdict_line;
  EXPECT_NE(judged.verdict_line.find("3 timing"), std::string::npos) << judged.verdict_line;  // cpu_sys_s: 0 s
}

TEST(CompareDocuments, NoCommonCellsIsUnusable) {
  const Comparison c = compare_documents(doc_with({{"malloc", kMalloc}}), doc_with({{"arena", kFast}}), CompareOptions{});
  EXPECT_NE(c.error.find("no common cells"), std::string::npos);
}

}  // namespace
}  // namespace vmbench
