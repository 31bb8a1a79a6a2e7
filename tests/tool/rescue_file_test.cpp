// When --out cannot be written mid-run, what was measured goes to a rescue file in the temporary
// directory, and one line says where (or why that failed too).
#include "rescue_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

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

// The file named in the line: what follows "saved in ".
std::string saved_path(const std::string& line) {
  const auto at = line.find("saved in ");
  return at == std::string::npos ? "" : line.substr(at + 9);
}

TEST(RescueFile, SavesTheDocumentAndSaysWhereInOneLine) {
  const std::string dir = scratch_dir();
  TmpDir tmp(dir + "/");
  const Rescue r = save_rescue("/gone/r.json", "No such file or directory", "{\"cells\": []}", 3);
  EXPECT_TRUE(r.saved);
  const std::string& line = r.line;
  const std::string rescue = saved_path(line);
  EXPECT_EQ(line, "cannot write results to /gone/r.json: No such file or directory; the 3 cells measured so far are "
                  "saved in " + rescue);
  EXPECT_EQ(rescue.rfind(dir + "/vmbench-rescue-" + kPid + "-", 0), 0u) << rescue;
  EXPECT_EQ(rescue.substr(rescue.size() - 5), ".json");
  EXPECT_EQ(slurp(rescue), "{\"cells\": []}");
  struct stat st {};
  ASSERT_EQ(stat(rescue.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // results of this user only
  EXPECT_NE(save_rescue("/gone/r.json", "why", "{}", 1).line.find("the 1 cell measured so far is saved"), std::string::npos);
}

// Another user's symbolic link at the rescue file's old, predictable name must not be followed.
TEST(RescueFile, APlantedLinkIsNotFollowed) {
  const std::string dir = scratch_dir(), victim = dir + "/victim";
  { std::ofstream(victim) << "victim"; }
  const std::string planted = dir + "/vmbench-rescue-" + kPid + ".json";
  ASSERT_EQ(symlink(victim.c_str(), planted.c_str()), 0);
  TmpDir tmp(dir);
  const std::string rescue = saved_path(save_rescue("/gone/r.json", "why", "{}", 1).line);
  EXPECT_NE(rescue, planted);
  EXPECT_EQ(slurp(victim), "victim");
}

TEST(RescueFile, SaysBothReasonsWhenTheRescueFailsToo) {
  TmpDir tmp("/nonexistent-dir");
  const Rescue r = save_rescue("/gone/r.json", "disk full", "{}", 2);
  EXPECT_FALSE(r.saved);
  const std::string& line = r.line;
  EXPECT_NE(line.find("cannot write results to /gone/r.json: disk full"), std::string::npos) << line;
  EXPECT_NE(line.find("saving them to /nonexistent-dir/vmbench-rescue-" + kPid + "-"), std::string::npos) << line;
  EXPECT_NE(line.find("failed too"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace vmbench
