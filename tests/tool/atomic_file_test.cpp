// Results files are replaced atomically: a failed write leaves the previous file whole.
#include "atomic_file.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>

#include "scratch_files.hpp"

namespace vmbench {
namespace {

using test_files::slurp;

std::string scratch_dir() { return test_files::scratch_dir("vmbench-atomic"); }

int entries(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST(AtomicFile, WritesTheWholeContent) {
  const std::string dir = scratch_dir(), path = dir + "/r.json";
  ASSERT_EQ(write_file_atomically(path, "{\"a\": 1}"), "");
  EXPECT_EQ(slurp(path), "{\"a\": 1}");
  ASSERT_EQ(write_file_atomically(path, "second"), "");
  EXPECT_EQ(slurp(path), "second");
  EXPECT_EQ(entries(dir), 1);  // no temporary file left behind
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingThePath) {
  const std::string why = write_file_atomically("/nonexistent-dir/r.json", "x");
  EXPECT_NE(why.find("/nonexistent-dir/r.json"), std::string::npos);
}

// A full disk, for real: the file-size limit makes write(2) fail part-way (EFBIG).
TEST(AtomicFile, AFailedWriteLeavesTheOldFileWholeAndNoTemporary) {
  const std::string dir = scratch_dir(), path = dir + "/r.json";
  ASSERT_EQ(write_file_atomically(path, "good old results"), "");
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit lim{100, 100};
    setrlimit(RLIMIT_FSIZE, &lim);
    const std::string why = write_file_atomically(path, std::string(10000, 'x'));
    _exit(why.empty() ? 1 : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the oversized write should have been reported as failed";
  EXPECT_EQ(slurp(path), "good old results");
  EXPECT_EQ(entries(dir), 1);
}

TEST(AtomicFile, CheckWritableRefusesAMissingDirectory) {
  EXPECT_NE(check_writable("/nonexistent-dir/r.json"), "");
  EXPECT_EQ(check_writable(scratch_dir() + "/r.json"), "");
}

TEST(AtomicFile, CheckWritableRefusesADirectoryAsTheTarget) {
  const std::string dir = scratch_dir();
  EXPECT_NE(check_writable(dir), "");
}

}  // namespace
}  // namespace vmbench
