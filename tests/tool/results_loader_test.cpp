// Reading results files back: every problem is one line naming the file and the field.
#include "results_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "scratch_files.hpp"

namespace vmbench {
namespace {

using nlohmann::json;

json minimal_document() {
  const json figures = {{"wall_s", 0.01}, {"cpu_user_s", 0.01}, {"cpu_sys_s", 0.0}, {"minor_faults", 10},
                        {"major_faults", 0}, {"allocations", 5}, {"frees", 5}, {"frees_skipped", 0}, {"ops", 10},
                        {"ops_per_s", 1000.0}, {"peak_live_bytes", 64}, {"final_live_bytes", 0},
                        {"checksum", 18446744073709551615ULL}, {"heap", nullptr}};
  return {{"schema", "vmbench-results"}, {"schema_version", 1}, {"complete", true},
          {"context", {{"cpu_model", "x"}, {"kernel", "y"}, {"page_size", 4096}}},
          {"plan", {{"reps", 1}, {"scale", "ci"}}},
          {"cells", json::array({{{"key", "tree/malloc/inline"}, {"workload", "tree"}, {"allocator", "malloc"},
                                  {"dispatch", "inline"}, {"params", json::object()}, {"rep", 0}, {"status", "ok"},
                                  {"figures", figures}}})},
          {"groups", json::array()}, {"warnings", json::array()}};
}

// A document with one group that ran, as `vmbench run` writes it.
json document_with_a_group() {
  json d = minimal_document();
  const json summary = {{"n", 1}, {"median", 0.01}, {"min", 0.01}, {"max", 0.01}, {"mean", 0.01}, {"stddev", 0.0},
                        {"cv", 0.0}};
  json rate = summary;
  for (const char* f : {"median", "min", "max", "mean"}) rate[f] = 1000.0;
  d["groups"] = json::array({{{"key", "tree/malloc/inline"}, {"workload", "tree"}, {"allocator", "malloc"},
                              {"dispatch", "inline"}, {"params", json::object()}, {"swept", json::object()},
                              {"workload_params", json::object()}, {"reps_ok", 1}, {"reps_failed", 0},
                              {"figures", {{"wall_s", summary}, {"ops_per_s", rate}, {"cpu_user_s", summary},
                                           {"cpu_sys_s", summary}, {"minor_faults", rate}, {"major_faults", rate}}},
                              {"ops", 10},
                              {"allocations", 5}, {"frees", 5}, {"frees_skipped", 0}, {"peak_live_bytes", 64},
                              {"checksum", 7}, {"heap_note", nullptr}, {"vs_malloc", nullptr}}});
  return d;
}

std::string error_of(const std::string& text) { return parse_results(text, "r.json").error; }

void expect_one_line_naming(const std::string& error, const std::string& needle) {
  EXPECT_NE(error.find(needle), std::string::npos) << error;
  EXPECT_EQ(error.rfind("r.json: ", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

// A combination twice (an older vmbench given -w tree,tree) made compare judge a file against itself a
// regression, and the loader's fuzz target abort.
TEST(ResultsLoader, RefusesACombinationOrACellTwice) {
  json d = document_with_a_group();
  d["groups"].push_back(d["groups"][0]);
  expect_one_line_naming(error_of(d.dump()), "groups[1].key: \"tree/malloc/inline\" repeats groups[0]");
  d = document_with_a_group();
  d["cells"].push_back(d["cells"][0]);
  expect_one_line_naming(error_of(d.dump()), "cells[1]: repeats tree/malloc/inline rep 0");
}

TEST(ResultsLoader, RefusesAMemberTwiceInOneObject) {
  std::string text = minimal_document().dump();
  text.replace(text.find("\"complete\":true"), 15, "\"complete\":true,\"complete\":false");
  expect_one_line_naming(error_of(text), "the member \"complete\" appears twice");
}

TEST(ResultsLoader, RefusesGroupsWhoseCellsAreMissing) {
  json d = document_with_a_group();
  d["cells"] = json::array();
  expect_one_line_naming(error_of(d.dump()), "groups[0]: reps_ok and reps_failed disagree with the cells");
  EXPECT_TRUE(parse_results(document_with_a_group().dump(), "r.json").ok());
}

TEST(ResultsLoader, AcceptsAValidDocument) {
  const LoadedResults r = parse_results(minimal_document().dump(), "r.json");
  EXPECT_TRUE(r.ok()) << r.error;
}

TEST(ResultsLoader, NamesNaNInsteadOfASyntaxError) {
  std::string text = minimal_document().dump();
  text.replace(text.find("0.01"), 4, "NaN");
  expect_one_line_naming(error_of(text), "NaN");
}

TEST(ResultsLoader, SaysATruncatedFileIsTruncated) {
  const std::string text = minimal_document().dump();
  expect_one_line_naming(error_of(text.substr(0, text.size() / 2)), "truncated");
}

TEST(ResultsLoader, RefusesAnotherSchemaVersion) {
  json d = minimal_document();
  d["schema_version"] = 2;
  expect_one_line_naming(error_of(d.dump()), "unsupported version 2");
}

TEST(ResultsLoader, RefusesANegativeCount) {
  json d = minimal_document();
  d["cells"][0]["figures"]["allocations"] = -1;
  expect_one_line_naming(error_of(d.dump()), "cells[0].figures.allocations");
}

TEST(ResultsLoader, RefusesAnImplausibleTime) {
  json d = minimal_document();
  d["cells"][0]["figures"]["wall_s"] = 1e300;
  expect_one_line_naming(error_of(d.dump()), "cells[0].figures.wall_s");
}

TEST(ResultsLoader, NamesAMissingField) {
  json d = minimal_document();
  d["cells"][0]["figures"].erase("ops");
  expect_one_line_naming(error_of(d.dump()), "missing field 'ops'");
}

TEST(ResultsLoader, AcceptsAGroupThatRan) {
  const LoadedResults r = parse_results(document_with_a_group().dump(), "r.json");
  EXPECT_TRUE(r.ok()) << r.error;
}

// The loader is the gate for every consumer: a field they read must be there, with its type. These
// three were found by tests/fuzz/results_loader_fuzz.cpp reaching the renderers.
TEST(ResultsLoader, RefusesAGroupThatRanWithoutItsTime) {
  json d = document_with_a_group();
  d["groups"][0]["figures"].erase("wall_s");
  expect_one_line_naming(error_of(d.dump()), "groups[0].figures.wall_s");
}

TEST(ResultsLoader, RefusesASweptValueThatIsNotText) {
  json d = document_with_a_group();
  d["groups"][0]["swept"]["depth"] = 3;
  expect_one_line_naming(error_of(d.dump()), "groups[0].swept.depth");
}

TEST(ResultsLoader, RefusesAZeroSpeedupAndAWarningThatIsNotText) {
  json d = document_with_a_group();
  d["groups"][0]["vs_malloc"] = {{"speedup", 0}, {"peak_rss_ratio", nullptr}};
  expect_one_line_naming(error_of(d.dump()), "groups[0].vs_malloc.speedup");
  d = document_with_a_group();
  d["warnings"] = json::array({1});
  expect_one_line_naming(error_of(d.dump()), "warnings[0]");
}

// What the loader requires comes from the figure registry (figure_registry.hpp).
TEST(ResultsLoader, RequiresEveryFigureTheRegistrySaysACellAlwaysHas) {
  json d = minimal_document();
  d["cells"][0]["figures"].erase("final_live_bytes");
  expect_one_line_naming(error_of(d.dump()), "missing field 'final_live_bytes'");
}

TEST(ResultsLoader, AcceptsAnAbsentOrNullOptionalFigureButNotAWrongOne) {
  json d = minimal_document();
  d["cells"][0]["figures"]["peak_rss_delta_bytes"] = nullptr;
  EXPECT_TRUE(parse_results(d.dump(), "r.json").ok());
  d["cells"][0]["figures"]["peak_rss_delta_bytes"] = -4096;  // a delta may be negative
  EXPECT_TRUE(parse_results(d.dump(), "r.json").ok());
  d["cells"][0]["figures"]["rss_baseline_bytes"] = -1;  // a reading may not
  expect_one_line_naming(error_of(d.dump()), "cells[0].figures.rss_baseline_bytes");
}

TEST(ResultsLoader, RequiresEveryHeapFigureWhenTheHeapObjectIsThere) {
  json d = minimal_document();
  d["cells"][0]["figures"]["heap"] = {{"commit_calls", 1}, {"decommit_calls", 0}, {"committed_bytes", 4096},
                                      {"peak_committed_bytes", 4096}, {"reserved_bytes", 1 << 30}};
  EXPECT_TRUE(parse_results(d.dump(), "r.json").ok());
  d["cells"][0]["figures"]["heap"].erase("decommit_calls");
  expect_one_line_naming(error_of(d.dump()), "missing field 'decommit_calls'");
}

TEST(ResultsLoader, RequiresAGroupThatRanToSummariseEveryFigureItsCellsAlwaysHave) {
  json d = document_with_a_group();
  d["groups"][0]["figures"]["cpu_sys_s"] = nullptr;
  expect_one_line_naming(error_of(d.dump()), "groups[0].figures.cpu_sys_s");
}

TEST(ResultsLoader, RefusesAnEmptyFileAndAMissingOne) {
  expect_one_line_naming(error_of("  \n"), "empty");
  const LoadedResults r = load_results("/nonexistent/r.json");
  EXPECT_NE(r.error.find("cannot read"), std::string::npos) << r.error;
}

// Reading is bounded: only a regular file, of at most kMaxResultsFileBytes. `compare /dev/zero x.json`
// grew by 65 MB/s until memory ran out; a FIFO with no writer blocked the open.
TEST(ResultsLoader, ReadsOnlyARegularFileOfBoundedSize) {
  const std::string dir = test_files::scratch_dir("vmbench-loader");
  const std::string fifo = dir + "/fifo", big = dir + "/big.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {std::string("/dev/zero"), fifo}) {
    const LoadedResults r = load_results(path);
    EXPECT_NE(r.error.find(path + ": not a regular file"), std::string::npos) << r.error;
  }
  const int fd = open(big.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, kMaxResultsFileBytes + 1), 0);  // sparse: no disk used
  close(fd);
  const LoadedResults r = load_results(big);
  EXPECT_NE(r.error.find("larger than a results file can be (256 MiB)"), std::string::npos) << r.error;
  EXPECT_NE(load_results(dir).error.find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace vmbench
