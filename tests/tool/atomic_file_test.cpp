// Results files are replaced atomically: a failed write leaves the previous file whole.
#include "atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

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

TEST(AtomicFile, CheckOutputFileRefusesAMissingDirectory) {
  EXPECT_NE(check_output_file("/nonexistent-dir/r.json").find("/nonexistent-dir/r.json"), std::string::npos);
  EXPECT_EQ(check_output_file(scratch_dir() + "/r.json"), "");
}

TEST(AtomicFile, CheckOutputFileRefusesADirectoryAsTheTarget) {
  const std::string dir = scratch_dir();
  EXPECT_NE(check_output_file(dir).find("is a directory"), std::string::npos);
}

// Only a regular file, or nothing, is ever replaced: as root, a rename onto /dev/null replaced the
// system's /dev/null with a regular file. The devices written to here are made in the scratch
// directory (as root), never the system's.
TEST(AtomicFile, NothingButARegularFileIsReplaced) {
  const std::string dir = scratch_dir();
  const std::string fifo = dir + "/fifo", link = dir + "/link", victim = dir + "/victim", device = dir + "/full";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_EQ(write_file_atomically(victim, "victim"), "");
  ASSERT_EQ(symlink(victim.c_str(), link.c_str()), 0);
  std::vector<std::string> targets = {fifo, link};
  if (mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0) targets.push_back(device);  // root only
  for (const std::string& target : targets) {
    EXPECT_NE(check_output_file(target).find("not a regular file"), std::string::npos) << target;
    EXPECT_NE(write_file_atomically(target, "x").find("not a regular file"), std::string::npos) << target;
    struct stat st {};
    ASSERT_EQ(lstat(target.c_str(), &st), 0);
    EXPECT_FALSE(S_ISREG(st.st_mode)) << target;
  }
  EXPECT_NE(check_output_file("/dev/full").find("a character device"), std::string::npos);  // checked, not written
  EXPECT_EQ(slurp(victim), "victim");
  EXPECT_EQ(entries(dir), static_cast<int>(targets.size()) + 1);  // no temporary left beside them
}

// A symbolic link planted where a temporary used to be named (PATH.tmp.PID) is never followed: the
// temporary's name is random and it is created exclusively.
TEST(AtomicFile, APlantedLinkAtATemporaryNameIsNotFollowed) {
  const std::string dir = scratch_dir(), path = dir + "/r.json", victim = dir + "/victim";
  ASSERT_EQ(write_file_atomically(victim, "victim"), "");
  const std::string planted = path + ".tmp." + std::to_string(getpid());
  ASSERT_EQ(symlink(victim.c_str(), planted.c_str()), 0);
  ASSERT_EQ(write_file_atomically(path, "results"), "");
  EXPECT_EQ(slurp(victim), "victim");
  EXPECT_EQ(slurp(path), "results");
}

TEST(AtomicFile, AReadOnlyTargetIsRefusedBeforeMeasuring) {
  const std::string dir = scratch_dir(), path = dir + "/r.json";
  ASSERT_EQ(write_file_atomically(path, "kept"), "");
  ASSERT_EQ(chmod(path.c_str(), 0444), 0);
  EXPECT_NE(check_output_file(path).find("read-only"), std::string::npos);
}

TEST(AtomicFile, ANameWithNoRoomForItsSiblingsIsRefusedBeforeMeasuring) {
  const std::string dir = scratch_dir();
  const std::string fits(255 - kLongestSiblingSuffix, 'n'), too_long(250, 'n');
  EXPECT_EQ(check_output_file(dir + "/" + fits), "");
  EXPECT_NE(check_output_file(dir + "/" + too_long).find("its name is 250 bytes"), std::string::npos);
}

TEST(AtomicFile, TheReplacedFileKeepsItsPermissions) {
  const std::string dir = scratch_dir(), path = dir + "/r.json";
  ASSERT_EQ(write_file_atomically(path, "one"), "");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  ASSERT_EQ(write_file_atomically(path, "two"), "");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

}  // namespace
}  // namespace vmbench
