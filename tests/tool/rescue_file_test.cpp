// When --out cannot be written mid-run, what was measured goes to a rescue file in the temporary
// directory, and one line says where (or why that failed too).
#include "rescue_file.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>

#include "scratch_files.hpp"

namespace vmbench {
namespace {

using test_files::slurp;

std::string scratch_dir() { return test_files::scratch_dir("vmbench-rescue-test"); }

// Sets $TMPDIR for one test and puts the previous value back.
class TmpDir {
 public:
  explicit TmpDir(const std::string& dir) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~TmpDir() {
    if (old_.empty()) unsetenv("TMPDIR");
    else setenv("TMPDIR", old_.c_str(), 1);
  }

 private:
  std::string old_;
};

const std::string kPid = std::to_string(getpid());

TEST(RescueFile, LivesInTmpdirNamedAfterTheProcess) {
  const std::string dir = scratch_dir();
  {
    TmpDir tmp(dir + "/");
    EXPECT_EQ(rescue_path(), dir + "/vmbench-rescue-" + kPid + ".json");
  }
  TmpDir unset("");
  EXPECT_EQ(rescue_path(), "/tmp/vmbench-rescue-" + kPid + ".json");
}

TEST(RescueFile, SavesTheDocumentAndSaysWhereInOneLine) {
  const std::string dir = scratch_dir();
  TmpDir tmp(dir);
  const std::string line = save_rescue("/gone/r.json", "No such file or directory", "{\"cells\": []}", 3);
  EXPECT_EQ(line, "cannot write results to /gone/r.json: No such file or directory; the 3 cells measured so far are "
                  "saved in " + rescue_path());
  EXPECT_EQ(slurp(rescue_path()), "{\"cells\": []}");
  EXPECT_NE(save_rescue("/gone/r.json", "why", "{}", 1).find("the 1 cell measured so far is saved"), std::string::npos);
}

TEST(RescueFile, SaysBothReasonsWhenTheRescueFailsToo) {
  TmpDir tmp("/nonexistent-dir");
  const std::string line = save_rescue("/gone/r.json", "disk full", "{}", 2);
  EXPECT_NE(line.find("cannot write results to /gone/r.json: disk full"), std::string::npos) << line;
  EXPECT_NE(line.find("saving them to /nonexistent-dir/vmbench-rescue-" + kPid + ".json failed too"), std::string::npos)
      << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace vmbench
