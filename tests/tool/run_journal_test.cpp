// The run journal (OUT.partial): one line appended per finished cell, never the document again; read
// back whole, it gives the same document the run would have written; it refuses a second run on the
// same OUT and keeps an unfinished run's cells from the next one.
#include "run_journal.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "journal_codec.hpp"
#include "scratch_files.hpp"

namespace vmbench {
namespace {

using test_files::slurp;

nlohmann::json figures(double wall_s) {
  return {{"proof", {{"evidence", "test"}, {"version", ""}}}, {"wall_s", wall_s}, {"ops_per_s", 1000 / wall_s},
          {"cpu_user_s", wall_s}, {"cpu_sys_s", 0.0}, {"peak_rss_delta_bytes", 4096}, {"minor_faults", 10},
          {"major_faults", 0}, {"ops", 1000}, {"allocations", 500}, {"frees", 500}, {"frees_skipped", 0},
          {"peak_live_bytes", 100}, {"checksum", 7}, {"heap", nullptr}, {"heap_note", ""},
          {"phases", nlohmann::json::array({{{"name", "build"}, {"seconds", wall_s / 2}, {"count", 1}}})}};
}

Plan a_plan(int reps) {
  RunOptions o;
  o.workloads = {"tree"};
  o.allocators = {"arena", "malloc"};
  o.reps = reps;
  o.param_args = {"depth=6,8"};
  return make_plan(o);
}

const nlohmann::json kContext = {{"cpu_model", "test"}, {"kernel", "test"}, {"page_size", 4096}};

off_t size_of(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// Appending a cell writes that cell's line and nothing else: the cost of a cell does not grow with
// the cells before it (rewriting the whole document after each cell made 800 cells take 155 s).
TEST(RunJournal, EachCellAppendsOneLineOfItsOwnSize) {
  const std::string path = test_files::scratch_dir("vmbench-journal") + "/r.json.partial";
  const Plan plan = a_plan(50);
  std::string why;
  RunJournal journal = RunJournal::create(path, plan, kContext, why);
  ASSERT_TRUE(journal.is_open()) << why;
  const CellRecord cell{0, 0, true, "", figures(0.5), 0.1};
  const off_t one_line = static_cast<off_t>(nlohmann::json(cell_record_to_json(cell)).dump().size() + 1);
  for (int i = 0; i < 50; ++i) {
    const off_t before = size_of(path);
    ASSERT_EQ(journal.append({i % 4, i / 4, true, "", figures(0.5), 0.1}), "");
    EXPECT_LE(size_of(path) - before, one_line + 8) << "cell " << i;  // the indices may take a digit more
  }
  EXPECT_EQ(journal.cells(), 50u);
}

TEST(RunJournal, ReadBackItGivesThePlanContextAndCells) {
  const std::string path = test_files::scratch_dir("vmbench-journal") + "/r.json.partial";
  const Plan plan = a_plan(2);
  std::string why;
  {
    RunJournal journal = RunJournal::create(path, plan, kContext, why);
    ASSERT_EQ(why, "");
    ASSERT_EQ(journal.append({1, 0, true, "", figures(0.25), 0.1}), "");
    ASSERT_EQ(journal.append({2, 0, false, "crashed with signal 11 (SIGSEGV)", nullptr, 0.2}), "");
  }  // vmbench killed: the journal stays
  const RecoveredRun run = read_journal(path);
  ASSERT_EQ(run.error, "");
  EXPECT_FALSE(run.cut_short);
  EXPECT_EQ(plan_to_json(run.plan), plan_to_json(plan));
  EXPECT_EQ(run.context, kContext);
  ASSERT_EQ(run.cells.size(), 2u);
  EXPECT_EQ(build_document(run.plan, run.cells, run.context, false),
            build_document(plan, {{1, 0, true, "", figures(0.25), 0.1}, {2, 0, false, "crashed with signal 11 (SIGSEGV)", nullptr, 0.2}},
                           kContext, false));
}

// What `vmbench recover` rebuilds the document from: every option and every plan field, the cost
// pass, a program run and the libraries of preloaded allocators among them.
TEST(RunJournal, EveryFieldOfThePlanIsKept) {
  Plan plan = a_plan(1);
  plan.options.deep.cost = true;
  plan.options.clean_env = true;
  plan.options.program = true;
  plan.options.command = {"/bin/echo", "a b", ""};
  plan.options.program_output = "/tmp/kept";
  plan.libraries["mine"] = "/opt/libmine.so";
  plan.program_path = "/bin/echo";
  const Plan back = plan_from_json(plan_to_json(plan));
  EXPECT_TRUE(back.options.deep.cost);
  EXPECT_TRUE(back.options.clean_env);
  EXPECT_TRUE(back.options.program);
  EXPECT_EQ(back.options.command, plan.options.command);
  EXPECT_EQ(back.options.program_output, "/tmp/kept");
  EXPECT_EQ(back.libraries, plan.libraries);
  EXPECT_EQ(back.program_path, "/bin/echo");
  EXPECT_EQ(build_document(back, {}, kContext, false)["plan"], build_document(plan, {}, kContext, false)["plan"]);
  EXPECT_TRUE(build_document(back, {}, kContext, false)["plan"]["deep_passes"]["cost"].get<bool>());
}

TEST(RunJournal, ALineCutShortByADeathIsLeftOut) {
  const std::string path = test_files::scratch_dir("vmbench-journal") + "/r.json.partial";
  std::string why;
  {
    RunJournal journal = RunJournal::create(path, a_plan(1), kContext, why);
    ASSERT_EQ(journal.append({0, 0, true, "", figures(0.25), 0.1}), "");
  }
  std::ofstream(path, std::ios::app) << "{\"combination\":1,\"rep\":0,\"ok\":tr";
  const RecoveredRun run = read_journal(path);
  ASSERT_EQ(run.error, "");
  EXPECT_TRUE(run.cut_short);
  EXPECT_EQ(run.cells.size(), 1u);
}

// Two runs on the same OUT: the second is refused while the first holds the journal, and a journal
// or partial document an unfinished run left is never overwritten.
TEST(RunJournal, ASecondRunOnTheSameOutIsRefused) {
  const std::string path = test_files::scratch_dir("vmbench-journal") + "/r.json.partial";
  std::string why;
  RunJournal first = RunJournal::create(path, a_plan(1), kContext, why);
  ASSERT_EQ(why, "");
  EXPECT_TRUE(journal_in_use(path));
  RunJournal second = RunJournal::create(path, a_plan(1), kContext, why);
  EXPECT_FALSE(second.is_open());
  EXPECT_NE(why.find("another vmbench run is writing these results"), std::string::npos) << why;
  ASSERT_EQ(first.append({0, 0, true, "", figures(0.25), 0.1}), "");
  first.release();  // killed
  EXPECT_FALSE(journal_in_use(path));
  RunJournal third = RunJournal::create(path, a_plan(1), kContext, why);
  EXPECT_FALSE(third.is_open());
  EXPECT_NE(why.find("vmbench recover " + path), std::string::npos) << why;
  EXPECT_EQ(read_journal(path).cells.size(), 1u);  // untouched
}

TEST(RunJournal, AFinishedRunRemovesItsJournal) {
  const std::string dir = test_files::scratch_dir("vmbench-journal"), path = dir + "/r.json.partial";
  std::string why;
  RunJournal journal = RunJournal::create(path, a_plan(1), kContext, why);
  journal.remove();
  EXPECT_EQ(size_of(path), -1);
  EXPECT_EQ(rmdir(dir.c_str()), 0) << "something was left beside the journal";
}

TEST(RunJournal, NotAJournalIsOneLine) {
  const std::string path = test_files::scratch_dir("vmbench-journal") + "/r.json";
  std::ofstream(path) << "{\"schema\": \"vmbench-results\"}\n";
  const RecoveredRun run = read_journal(path);
  EXPECT_NE(run.error.find(path + ": not a vmbench run journal"), std::string::npos) << run.error;
}

}  // namespace
}  // namespace vmbench
