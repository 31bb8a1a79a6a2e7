// Cells run in child processes: results come back, and a crash, a hang, a bad specification or an
// allocator that cannot be proven is a failed cell with its reason, never a lost run.
#include "child_process.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>
#include <nlohmann/json.hpp>

#include "plan.hpp"
#include "vmb/config.hpp"

namespace vmbench {
namespace {

CellSpec spec(const std::string& allocator, const std::string& depth = "6") {
  CellSpec s;
  s.workload = "tree";
  s.allocator = allocator;
  s.seed = 1;
  s.params = {{"depth", depth},          {"age_objects", "100"}, {"commit_step", "64K"},
              {"reserve", "1G"},         {"retain", "1M"},       {"huge_pages", "off"},
              {"pool_reserve", "1G"},    {"bump_region", "1G"},  {"test_crash_after", "10"},
              {"test_delay_spins", "0"}, {"test_bloat_bytes", "0"}};
  return s;
}

std::string preload(const std::string& name) {
  for (const auto& a : allocator_availability())
    if (a.name == name) return a.preload_path;
  return "";
}

const std::atomic<bool> kNoCancel{false};

// Under AddressSanitizer or ThreadSanitizer the sanitizer's runtime must be the first library loaded
// (and it replaces malloc), so no allocator can be preloaded into a sanitizer build's cells.
#if defined(VMB_ASAN) || defined(VMB_TSAN)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif

TEST(ChildProcess, ACellReturnsItsFigures) {
  const ChildOutcome o = run_child(VMBENCH_EXE, spec("arena"), "", {60}, kNoCancel);
  ASSERT_TRUE(o.ok) << o.error;
  const auto r = nlohmann::json::parse(o.result_json);
  EXPECT_GT(r["allocations"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(r["final_live_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(r["heap"].is_object());
  EXPECT_NE(r["proof"]["evidence"].get<std::string>().find(kSanitizerBuild ? "sanitizer" : "glibc"), std::string::npos);
}

TEST(ChildProcess, APreloadedAllocatorIsProvenBeforeMeasuring) {
  const std::string path = preload("jemalloc");
  if (path.empty()) GTEST_SKIP() << "jemalloc is not installed";
  if (kSanitizerBuild) GTEST_SKIP() << "nothing can be preloaded before the ASan runtime";
  const ChildOutcome o = run_child(VMBENCH_EXE, spec("jemalloc"), path, {60}, kNoCancel);
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_NE(nlohmann::json::parse(o.result_json)["proof"]["evidence"].get<std::string>().find("jemalloc"),
            std::string::npos);
}

TEST(ChildProcess, AMissingPreloadFailsLoudlyInsteadOfMeasuringGlibc) {
  const ChildOutcome o = run_child(VMBENCH_EXE, spec("jemalloc"), "", {60}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("allocator not proven"), std::string::npos) << o.error;
}

TEST(ChildProcess, AWrongPreloadFailsLoudly) {
  const std::string path = preload("mimalloc");
  if (path.empty()) GTEST_SKIP() << "mimalloc is not installed";
  if (kSanitizerBuild) GTEST_SKIP() << "nothing can be preloaded before the ASan runtime";
  const ChildOutcome o = run_child(VMBENCH_EXE, spec("jemalloc"), path, {60}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("mimalloc"), std::string::npos) << o.error;
}

TEST(ChildProcess, ABadSpecificationIsAFailedCellWithTheReason) {
  const ChildOutcome o = run_child(VMBENCH_EXE, "{not json", "", {60}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("bad cell specification"), std::string::npos) << o.error;
}

TEST(ChildProcess, ACrashIsReportedWithItsSignal) {
  setenv("VMBENCH_TEST_ALLOCATORS", "1", 1);
  const ChildOutcome o = run_child(VMBENCH_EXE, spec("test-crash"), "", {60}, kNoCancel);
  EXPECT_FALSE(o.ok);
  // A sanitizer build catches the signal itself and reports it ("SEGV on unknown address").
  EXPECT_NE(o.error.find(kSanitizerBuild ? "SEGV" : "SIGSEGV"), std::string::npos) << o.error;
}

TEST(ChildProcess, AHangIsKilledAtTheTimeout) {
  setenv("VMBENCH_TEST_ALLOCATORS", "1", 1);
  const ChildOutcome o = run_child(VMBENCH_EXE, spec("test-hang"), "", {1}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("timed out after 1 s"), std::string::npos) << o.error;
  EXPECT_LT(o.elapsed_s, 10);
}

TEST(ChildProcess, CancellationStopsTheChildAtOnce) {
  setenv("VMBENCH_TEST_ALLOCATORS", "1", 1);
  const std::atomic<bool> cancelled{true};
  const ChildOutcome o = run_child(VMBENCH_EXE, spec("test-hang"), "", {60}, cancelled);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "interrupted");
}

TEST(ChildProcess, AnExhaustedArenaIsAFailedCellNotACrash) {
  CellSpec s = spec("arena", "16");
  s.params["reserve"] = "64K";  // far too small for a depth-16 tree
  const ChildOutcome o = run_child(VMBENCH_EXE, s, "", {60}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("allocation of"), std::string::npos) << o.error;
  EXPECT_EQ(o.error.find("--memory-limit"), std::string::npos) << "no limit was set: " << o.error;
}

// RLIMIT_DATA, set between fork and exec, makes the arena's commits fail part-way through a tree
// the same cell builds without it; the error names the limit vmbench set.
TEST(ChildProcess, AMemoryLimitFailsTheCellMidRunAndNamesTheLimit) {
  if (kSanitizerBuild) GTEST_SKIP() << "the sanitizer's shadow memory is above any useful RLIMIT_DATA";
  const CellSpec big_tree = spec("arena", "18");  // a stretch tree of 2^19 nodes: tens of MiB
  const ChildOutcome unlimited = run_child(VMBENCH_EXE, big_tree, "", {60}, kNoCancel);
  ASSERT_TRUE(unlimited.ok) << unlimited.error;
  const ChildOutcome o = run_child(VMBENCH_EXE, big_tree, "", {60, *parse_bytes("16M")}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("allocation of"), std::string::npos) << o.error;
  EXPECT_EQ(o.error.find("after 0 successful"), std::string::npos) << "failed at once, not mid-run: " << o.error;
  EXPECT_NE(o.error.find("(--memory-limit 16 MiB reached)"), std::string::npos) << o.error;
}

// Runs `body` in a forked process and gives its exit status (-1: it did not exit normally).
template <class Body>
int in_a_child(Body body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// vmbench started with a standard stream closed: its pipes take the free numbers 0 to 3, and the
// cell's descriptors must still land in place (dup2 onto a pipe's own number left close-on-exec set:
// every cell failed with "cannot write the result to the parent").
TEST(ChildProcess, ACellRunsWhenVmbenchStartedWithStandardStreamsClosed) {
  for (const std::vector<int>& closed : {std::vector<int>{0}, {1}, {2}, {0, 2}, {0, 1, 2}}) {
    const int status = in_a_child([&] {
      for (int fd : closed) close(fd);
      const ChildOutcome o = run_child(VMBENCH_EXE, spec("malloc"), "", {60}, kNoCancel);
      return o.ok && nlohmann::json::parse(o.result_json)["allocations"].get<std::uint64_t>() > 0 ? 0 : 1;
    });
    EXPECT_EQ(status, 0) << "closed: " << closed.size() << " streams, the first " << closed[0];
  }
}

// Under a process limit the thread that reads a traced cell's pipes cannot start: that cell fails
// with one line, and vmbench goes on (std::system_error ended it, exit 134).
TEST(ChildProcess, AThreadRefusedByAProcessLimitFailsTheCellNotVmbench) {
  if (kSanitizerBuild) GTEST_SKIP() << "the sanitizers start threads of their own";
  const int status = in_a_child([] {
    // Root is exempt from RLIMIT_NPROC: become nobody, allowed this process and the cell only.
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 3;
    const rlimit two{2, 2};
    if (setrlimit(RLIMIT_NPROC, &two) != 0) return 3;
    const ChildOutcome o = run_child(VMBENCH_EXE, spec("malloc"), "", {60}, kNoCancel, true);
    if (o.ok) return 2;  // the thread started after all: the limit did not bite
    return o.error.find("cannot start the thread that reads a traced cell's output") != std::string::npos ? 0 : 1;
  });
  if (status == 2 || status == 3) GTEST_SKIP() << "a process limit cannot be set up here";
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace vmbench
