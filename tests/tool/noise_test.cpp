// Noise made visible (noise.hpp): cells that had less than 90% of a CPU and groups whose time varied are
// folded into one warning line with their count, the worst case and the likely cause. Doctored cells:
// never the real machine's load.
#include "noise.hpp"

#include <gtest/gtest.h>

#include "formats.hpp"
#include "results_document.hpp"

namespace vmbench {
namespace {

using nlohmann::json;

json cell(const std::string& key, int rep, double cpu_s_per_s) {
  return {{"key", key}, {"rep", rep}, {"status", "ok"}, {"figures", {{"cpu_s_per_s", cpu_s_per_s}}}};
}

json group(const std::string& key, int n, double cv) {
  return {{"key", key}, {"figures", {{"wall_s", {{"n", n}, {"cv", cv}, {"median", 1.0}}}}}};
}

json busy_machine() { return {{"cpu_count", 2}, {"load_average_before", {7.07, 6.5, 5.5}}, {"load_average_after", {8.5, 7, 6}}}; }

bool has(const std::string& line, const std::string& part) { return line.find(part) != std::string::npos; }

TEST(Noise, StarvedCellsAndVariedGroupsFoldIntoOneLineWithTheCause) {
  const json cells = {cell("tree/arena/inline", 0, 0.5), cell("tree/arena/inline", 1, 0.13),
                      cell("tree/malloc/inline", 0, 0.95), cell("tree/malloc/inline", 1, 0.98)};
  const json groups = {group("tree/arena/inline", 2, 0.59), group("tree/malloc/inline", 2, 0.05)};
  const std::optional<std::string> line = noise_summary(cells, groups, busy_machine());
  ASSERT_TRUE(line);
  EXPECT_TRUE(has(*line, "2 of 4 cells got less than 90% of a CPU")) << *line;
  EXPECT_TRUE(has(*line, "lowest 13%: tree/arena/inline rep 1")) << *line;
  EXPECT_TRUE(has(*line, "in 1 of 2 groups (up to 59%: tree/arena/inline)")) << *line;
  EXPECT_TRUE(has(*line, "other processes competing for the CPUs (load average 7.07 before the run, 8.50 after, on 2 CPUs)"))
      << *line;
}

TEST(Noise, OneRepetitionIsWarnedToo) {
  const std::optional<std::string> line =
      noise_summary(json::array({cell("churn/pool/inline", 0, 0.4)}), json::array({group("churn/pool/inline", 1, 0)}),
                    busy_machine());
  ASSERT_TRUE(line);
  EXPECT_TRUE(has(*line, "1 of 1 cells got less than 90% of a CPU")) << *line;
  EXPECT_FALSE(has(*line, "CV")) << "one repetition has no spread: " << *line;
}

TEST(Noise, AQuietRunHasNoLine) {
  EXPECT_FALSE(noise_summary(json::array({cell("a", 0, 0.97), cell("a", 1, 1.01)}), json::array({group("a", 2, 0.02)}),
                             {{"cpu_count", 2}, {"load_average_before", {0.5, 0.5, 0.5}}}));
  // Files written before cpu_s_per_s: nothing to judge the cells by.
  EXPECT_FALSE(noise_summary(json::array({{{"key", "a"}, {"rep", 0}, {"status", "ok"}, {"figures", json::object()}}}),
                             json::array(), json::object()));
}

TEST(Noise, TheCauseFollowsTheLoad) {
  const json idle = {{"cpu_count", 4}, {"load_average_before", {0.2, 0.2, 0.2}}, {"load_average_after", {1.1, 0.5, 0.3}}};
  const auto waited = noise_summary(json::array({cell("a", 0, 0.5)}), json::array(), idle);
  ASSERT_TRUE(waited);
  EXPECT_TRUE(has(*waited, "waited without a CPU")) << *waited;
  const auto varied = noise_summary(json::array({cell("a", 0, 0.99)}), json::array({group("a", 3, 0.3)}), idle);
  ASSERT_TRUE(varied);
  EXPECT_TRUE(has(*varied, "the timings themselves vary")) << *varied;
  EXPECT_TRUE(has(*varied, "1.10 after, on 4 CPUs")) << *varied;
}

TEST(Noise, TheDocumentCarriesOneLineAndTheTableMarksTheRows) {
  RunOptions o;
  o.workloads = {"tree"};
  o.allocators = {"arena", "malloc"};
  o.reps = 1;
  const json figures = {{"proof", {{"evidence", "test"}, {"version", ""}}}, {"wall_s", 1.0}, {"ops_per_s", 1000.0},
                        {"cpu_user_s", 0.3}, {"cpu_sys_s", 0.0}, {"cpu_s_per_s", 0.3}, {"minor_faults", 1},
                        {"major_faults", 0}, {"ops", 1000}, {"allocations", 500}, {"frees", 500},
                        {"frees_skipped", 0}, {"peak_live_bytes", 1}, {"checksum", 7}, {"heap", nullptr},
                        {"heap_note", ""}, {"phases", json::array()}};
  const json doc = build_document(make_plan(o), {{0, 0, true, "", figures, 0.1}, {1, 0, true, "", figures, 0.1}},
                                  busy_machine(), true);
  ASSERT_EQ(doc["warnings"].size(), 1u) << doc["warnings"].dump();
  EXPECT_TRUE(has(doc["warnings"][0].get<std::string>(), "2 of 2 cells"));
  const std::string table = render_table(doc);
  EXPECT_TRUE(has(table, " 30%!")) << table;
}

}  // namespace
}  // namespace vmbench
