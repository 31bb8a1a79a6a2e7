// The results document: summaries over repetitions, ratios against malloc of the same run, failed
// cells kept with their reason, and warnings when the figures cannot be trusted.
#include "results_document.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "formats.hpp"
#include "summary_stats.hpp"

namespace vmbench {
namespace {

nlohmann::json figures(double wall_s, std::uint64_t checksum = 7, double peak_rss = 1 << 20) {
  return {{"proof", {{"evidence", "test"}, {"version", ""}}},
          {"wall_s", wall_s},
          {"ops_per_s", 1000 / wall_s},
          {"cpu_user_s", wall_s},
          {"cpu_sys_s", 0.0},
          {"peak_rss_delta_bytes", peak_rss},
          {"peak_rss_bytes", peak_rss + (8 << 20)},
          {"minor_faults", 10},
          {"major_faults", 0},
          {"ops", 1000},
          {"allocations", 500},
          {"frees", 500},
          {"frees_skipped", 0},
          {"peak_live_bytes", 100},
          {"checksum", checksum},
          {"heap", nullptr},
          {"heap_note", ""},
          {"phases", nlohmann::json::array({{{"name", "build"}, {"seconds", wall_s / 2}, {"count", 1}}})}};
}

Plan two_allocators(int reps) {
  RunOptions o;
  o.workloads = {"tree"};
  o.allocators = {"arena", "malloc"};
  o.reps = reps;
  return make_plan(o);
}

TEST(ResultsDocument, RatiosComeFromMediansOfTheSameRun) {
  const Plan plan = two_allocators(3);
  std::vector<CellRecord> cells;
  const double arena[] = {1.0, 1.2, 9.0}, malloc_s[] = {5.0, 6.0, 4.0};
  for (int rep = 0; rep < 3; ++rep) {
    cells.push_back({0, rep, true, "", figures(arena[rep], 7, 1 << 20), 0.1});
    cells.push_back({1, rep, true, "", figures(malloc_s[rep], 7, 2 << 20), 0.1});
  }
  const auto doc = build_document(plan, cells, nlohmann::json::object(), true);
  const auto& g = doc["groups"][0];
  EXPECT_EQ(g["allocator"], "arena");
  EXPECT_DOUBLE_EQ(g["figures"]["wall_s"]["median"].get<double>(), 1.2);
  EXPECT_DOUBLE_EQ(g["vs_malloc"]["speedup"].get<double>(), 5.0 / 1.2);
  EXPECT_DOUBLE_EQ(g["vs_malloc"]["peak_rss_ratio"].get<double>(), 0.5);
  // arena's 9 s outlier makes its timing noisy: the one noise line says so.
  ASSERT_EQ(doc["warnings"].size(), 1u) << doc["warnings"].dump();
  const std::string w = doc["warnings"][0].get<std::string>();
  EXPECT_NE(w.find("time varies by more than 10% (CV) in 2 of 2 groups (up to 122%: tree/arena/inline)"),
            std::string::npos) << w;
}

TEST(ResultsDocument, AFailedCellIsKeptWithItsReason) {
  const Plan plan = two_allocators(1);
  std::vector<CellRecord> cells = {{0, 0, false, "crashed with signal 11 (SIGSEGV)", nullptr, 0.1},
                                   {1, 0, true, "", figures(1.0), 0.1}};
  const auto doc = build_document(plan, cells, nlohmann::json::object(), true);
  EXPECT_EQ(doc["cells"][0]["status"], "failed");
  EXPECT_EQ(doc["cells"][0]["error"], "crashed with signal 11 (SIGSEGV)");
  EXPECT_EQ(doc["groups"][0]["reps_failed"], 1);
  EXPECT_TRUE(doc["groups"][0]["vs_malloc"].is_null());
  EXPECT_EQ(doc["groups"][1]["reps_ok"], 1);
}

TEST(ResultsDocument, DifferentWorkIsFlagged) {
  const Plan plan = two_allocators(1);
  std::vector<CellRecord> cells = {{0, 0, true, "", figures(1.0, 1), 0.1}, {1, 0, true, "", figures(1.0, 2), 0.1}};
  const auto doc = build_document(plan, cells, nlohmann::json::object(), true);
  bool warned = false;
  for (const auto& w : doc["warnings"]) warned |= w.get<std::string>().find("checksum differs") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(ResultsDocument, AnInterruptedRunIsMarkedIncomplete) {
  const auto doc = build_document(two_allocators(1), {}, nlohmann::json::object(), false);
  EXPECT_FALSE(doc["complete"].get<bool>());
  EXPECT_EQ(doc["schema_version"], kSchemaVersion);
}

TEST(ResultsDocument, TheMemoryLimitIsRecordedInThePlan) {
  EXPECT_TRUE(build_document(two_allocators(1), {}, nlohmann::json::object(), true)["plan"]["memory_limit_bytes"].is_null())
      << "null: the cells ran under whatever limit vmbench inherited";
  Plan plan = two_allocators(1);
  plan.memory_limit_bytes = std::uint64_t{64} << 20;
  EXPECT_EQ(build_document(plan, {}, nlohmann::json::object(), true)["plan"]["memory_limit_bytes"], plan.memory_limit_bytes);
}

TEST(Formats, TheTableSaysHowMuchFasterAgainstMalloc) {
  const Plan plan = two_allocators(1);
  std::vector<CellRecord> cells = {{0, 0, true, "", figures(1.0), 0.1}, {1, 0, true, "", figures(5.0), 0.1}};
  const auto doc = build_document(plan, cells, nlohmann::json::object(), true);
  const std::string table = render_table(doc);
  EXPECT_NE(table.find("5.00x faster"), std::string::npos) << table;
  EXPECT_NE(render_markdown(doc).find("| arena |"), std::string::npos);
}

// The RSS columns of the arena's row (after the header): peak RSS, RSS growth, its ratio to malloc's.
std::string arena_row(const std::string& table) {
  const auto at = table.find("\n  arena");
  return at == std::string::npos ? "" : table.substr(at + 1, table.find('\n', at + 1) - at - 1);
}

nlohmann::json with_rss_growths(double arena_bytes, double malloc_bytes) {
  const Plan plan = two_allocators(1);
  std::vector<CellRecord> cells = {{0, 0, true, "", figures(1.0, 7, arena_bytes), 0.1},
                                   {1, 0, true, "", figures(5.0, 7, malloc_bytes), 0.1}};
  return build_document(plan, cells, nlohmann::json::object(), true);
}

TEST(Formats, NoRssRatioAgainstAReferenceThatGrewLessThanTheFloor) {
  const auto doc = with_rss_growths(3 << 20, kRssRatioFloorBytes - 4096);
  EXPECT_TRUE(doc["groups"][0]["vs_malloc"]["peak_rss_ratio"].is_null());
  const std::string table = render_table(doc);
  const std::string row = arena_row(table);
  EXPECT_NE(row.find("n/a"), std::string::npos) << row;
  EXPECT_EQ(row.find("more"), std::string::npos) << row;
  // Nor a 1.00x on malloc's own row, whose ratio the document leaves null too.
  const auto at = table.find("\n  malloc");
  const std::string malloc_row = table.substr(at + 1, table.find('\n', at + 1) - at - 1);
  EXPECT_TRUE(doc["groups"][1]["vs_malloc"]["peak_rss_ratio"].is_null());
  EXPECT_NE(malloc_row.find("n/a"), std::string::npos) << malloc_row;
  EXPECT_EQ(malloc_row.find("1.00x", malloc_row.find("MiB")), std::string::npos) << malloc_row;
  // A file written before the floor, with the ratio in it: the table still prints none.
  auto old = doc;
  old["groups"][0]["vs_malloc"]["peak_rss_ratio"] = 3.0 * (1 << 20) / (kRssRatioFloorBytes - 4096);
  const std::string old_row = arena_row(render_table(old));
  EXPECT_NE(old_row.find("n/a"), std::string::npos) << old_row;
  EXPECT_EQ(old_row.find("more"), std::string::npos) << old_row;
}

TEST(Formats, RssRatiosSayMoreOrLess) {
  EXPECT_DOUBLE_EQ(with_rss_growths(4 << 20, 2 << 20)["groups"][0]["vs_malloc"]["peak_rss_ratio"].get<double>(), 2.0);
  EXPECT_NE(arena_row(render_table(with_rss_growths(4 << 20, 2 << 20))).find("2.00x more"), std::string::npos);
  EXPECT_NE(arena_row(render_table(with_rss_growths(1 << 20, 4 << 20))).find("4.00x less"), std::string::npos);
}

TEST(Formats, TheTableLabelsAbsolutePeakAndGrowth) {
  const std::string table = render_table(with_rss_growths(4 << 20, 2 << 20));
  EXPECT_NE(table.find("peak RSS"), std::string::npos);
  EXPECT_NE(table.find("RSS growth"), std::string::npos);
  EXPECT_NE(table.find("RSS growth: that peak minus VmRSS at the phase's start"), std::string::npos) << table;
}

// The Mops/s column of a row.
double mops_of(const std::string& table, const std::string& label) {
  const auto at = table.find("\n  " + label + " ");
  std::istringstream row(table.substr(at + 1, table.find('\n', at + 1) - at - 1));
  std::string name, time, unit;
  double mops = 0;
  row >> name >> time >> unit >> mops;
  return mops;
}

// With two repetitions the median of the repetitions' rates can rank against the median times: A's
// times 1 s and 3 s (median 2 s, rates 1000 and 333: median 667/s), B's 1.9 s twice (526/s).
TEST(Formats, ThroughputRanksExactlyAsTimeDoes) {
  RunOptions o;
  o.workloads = {"tree"};
  o.allocators = {"arena", "pool"};
  o.reps = 2;
  const Plan plan = make_plan(o);
  const std::vector<CellRecord> cells = {{0, 0, true, "", figures(1.0), 0.1}, {1, 0, true, "", figures(1.9), 0.1},
                                         {0, 1, true, "", figures(3.0), 0.1}, {1, 1, true, "", figures(1.9), 0.1}};
  const auto doc = build_document(plan, cells, nlohmann::json::object(), true);
  ASSERT_GT(doc["groups"][0]["figures"]["ops_per_s"]["median"].get<double>(),
            doc["groups"][1]["figures"]["ops_per_s"]["median"].get<double>()) << "the case is not the hard one";
  const std::string table = render_table(doc);
  EXPECT_DOUBLE_EQ(mops_of(table, "arena"), 1000 / 2.0 / 1e6) << table;
  EXPECT_DOUBLE_EQ(mops_of(table, "pool"), std::stod("0.000526")) << table;  // 1000 / 1.9 s, 3 digits
  EXPECT_LT(mops_of(table, "arena"), mops_of(table, "pool")) << "arena is slower: its throughput must be lower";
}

// The row of `label` in the block whose title holds `title`, its runs of spaces collapsed to one:
// "arena < 30 ns 150 ns ...". Empty when there is no such block or row.
std::string collapsed_row(const std::string& table, const std::string& title, const std::string& label) {
  const auto block = table.find(title);
  if (block == std::string::npos) return "";
  const auto at = table.find("\n  " + label + " ", block);
  if (at == std::string::npos || at > table.find("\n\n", block)) return "";
  std::istringstream row(table.substr(at + 1, table.find('\n', at + 1) - at - 1));
  std::string word, out;
  while (row >> word) out += (out.empty() ? "" : " ") + word;
  return out;
}

TEST(Formats, LatencyBelowThreeTimerStepsIsPrintedAsABound) {
  const Plan plan = two_allocators(1);
  auto arena = figures(1.0);
  arena["latency"] = {{"timer", "rdtsc"}, {"ns_per_tick", 0.385}, {"timer_cost_ns", {{"min", 20.0}, {"median", 20.0}}},
                      {"resolution_ns", 10.0}, {"overhead_subtracted_ns", 20.0}, {"resolved_from_ns", 30.0},
                      {"relative_error_max", 1.0 / 128},
                      {"alloc", {{"count", 10}, {"p50_ns", 10.0}, {"p90_ns", 10.0}, {"p99_ns", 150.0},
                                 {"p99_9_ns", 1600.0}, {"p99_99_ns", 2600.0}, {"max_ns", 16e6}}},
                      {"free", nullptr}};
  const auto doc = build_document(plan, {{0, 0, true, "", arena, 0.1}, {1, 0, true, "", figures(5.0), 0.1}},
                                  nlohmann::json::object(), true);
  const std::string table = render_table(doc);
  // p50 p99 p99.9 max of alloc, then of free (none made: "-")
  EXPECT_EQ(collapsed_row(table, "tree  latency per call", "arena"), "arena < 30 ns 150 ns 1.6 us 16.0 ms - - - -")
      << table;
  EXPECT_NE(table.find("note: timer steps of 10 ns, its 20 ns read cost subtracted; < 30 ns: below three steps"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find(": latency alloc"), std::string::npos) << "the main table's latency note is gone\n" << table;
}

// The loader does not check a latency object field by field, so a file it accepts may lack a
// percentile or hold null where the timer's step was: the table says n/a instead of throwing.
TEST(Formats, ALatencyWithMissingFieldsSaysNotAvailable) {
  const Plan plan = two_allocators(1);
  auto arena = figures(1.0);
  arena["latency"] = {{"resolution_ns", nullptr},
                      {"alloc", {{"p50_ns", "fast"}, {"max_ns", 2500.0}}},
                      {"free", {{"p99_ns", nullptr}}}};
  const auto doc = build_document(plan, {{0, 0, true, "", arena, 0.1}, {1, 0, true, "", figures(5.0), 0.1}},
                                  nlohmann::json::object(), true);
  std::string table;
  ASSERT_NO_THROW(table = render_table(doc));
  EXPECT_EQ(collapsed_row(table, "tree  latency per call", "arena"), "arena n/a n/a n/a 2.5 us n/a n/a n/a n/a")
      << table;
  EXPECT_NE(table.find("note: each value includes the timer's read cost"), std::string::npos) << table;
}

// Two checkpoints of two repetitions: the table takes RSS above the baseline over live bytes, each the
// median of the repetitions; nothing live reads as what is held; a label from the file is only text.
TEST(Formats, RssOverLiveAtEachCheckpointIsTheRatioOfTheMedians) {
  const Plan plan = two_allocators(2);
  auto cell = [](double rss_at_peak) {
    auto f = figures(1.0);
    f["rss_baseline_bytes"] = 1000.0;
    f["checkpoints"] = {{{"label", "peak\x1b]0;owned\x07"}, {"live_bytes", 100}, {"rss_bytes", rss_at_peak}, {"at_s", 0.1}},
                        {{"label", "end"}, {"live_bytes", 0}, {"rss_bytes", 1000.0 + 2048}, {"at_s", 0.2}}};
    return f;
  };
  // arena: RSS growth 150 and 250 over 100 live (medians 200 / 100); malloc: 110 twice
  const auto doc = build_document(plan, {{0, 0, true, "", cell(1150), 0.1}, {1, 0, true, "", cell(1110), 0.1},
                                         {0, 1, true, "", cell(1250), 0.1}, {1, 1, true, "", cell(1110), 0.1}},
                                  nlohmann::json::object(), true);
  const std::string table = render_table(doc);
  const std::string title = "tree  RSS over live bytes at each checkpoint: closer to 1x is better";
  EXPECT_EQ(collapsed_row(table, title, "arena"), "arena 2.00x 2.0 KiB held") << table;
  EXPECT_EQ(collapsed_row(table, title, "malloc"), "malloc 1.10x 2.0 KiB held") << table;
  EXPECT_NE(table.find("  allocator peak\\x1b]0;owned\\x07"), std::string::npos) << table;
  EXPECT_EQ(table.find('\x1b'), std::string::npos) << "a label from the file reached the terminal raw";
}

TEST(Formats, CommitsOfAMallocAreTheTracedOnesMarked) {
  const Plan plan = two_allocators(1);
  auto traced = figures(5.0);
  traced["syscalls"] = {{"commits", 12}, {"decommits", 3}};
  const std::string table = render_table(build_document(
      plan, {{0, 0, true, "", figures(1.0), 0.1}, {1, 0, true, "", traced, 0.1}}, nlohmann::json::object(), true));
  const auto at = table.find("\n  malloc");
  const std::string row = table.substr(at + 1, table.find('\n', at + 1) - at - 1);
  EXPECT_NE(row.find(" 12* "), std::string::npos) << table;
  EXPECT_NE(table.find("with *, the commit calls the --syscalls trace counted"), std::string::npos) << table;
  // Without a trace: no figure, not a zero.
  const std::string untraced = render_table(build_document(
      plan, {{0, 0, true, "", figures(1.0), 0.1}, {1, 0, true, "", figures(5.0), 0.1}}, nlohmann::json::object(), true));
  EXPECT_EQ(untraced.find("12*"), std::string::npos);
}

TEST(Formats, TimeInFaultsWhenTheRunMeasuredTheirCost) {
  const Plan plan = two_allocators(1);
  const std::vector<CellRecord> cells = {{0, 0, true, "", figures(1.0), 0.1}, {1, 0, true, "", figures(5.0), 0.1}};
  EXPECT_EQ(render_table(build_document(plan, cells, nlohmann::json::object(), true)).find("in faults"),
            std::string::npos) << "no column without the kernel's costs";
  const nlohmann::json context = {{"kernel_costs", {{"fault", {{"ns_per_fault", 14000.0}}}}}};
  const std::string table = render_table(build_document(plan, cells, context, true));
  EXPECT_NE(table.find("in faults"), std::string::npos) << table;
  // 10 faults x 14 us = 140 us of arena's 1 s: 0%; of malloc's 5 s too.
  EXPECT_NE(table.find("140 us 0%"), std::string::npos) << table;
  EXPECT_NE(table.find("minor faults x 14000 ns, the cost of one measured at the start of the run "
                       "(context.kernel_costs), and its share of the time."),
            std::string::npos) << table;
}

TEST(Formats, CsvHasOneRowPerCellAndQuotesCommas) {
  const Plan plan = two_allocators(1);
  std::vector<CellRecord> cells = {{0, 0, false, "failed, badly", nullptr, 0.1}, {1, 0, true, "", figures(5.0), 0.1}};
  const std::string csv = render_csv(build_document(plan, cells, nlohmann::json::object(), true));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find("\"failed, badly\""), std::string::npos);
}

TEST(Formats, HumanUnits) {
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(3u << 20), "3.0 MiB");
  EXPECT_EQ(human_seconds(0.0123), "12.3 ms");
  EXPECT_EQ(human_seconds(2.5), "2.50 s");
}

}  // namespace
}  // namespace vmbench
