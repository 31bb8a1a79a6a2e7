// The cost pass: the command line and environment it runs a cell with, what it notes, how it fails,
// and (where valgrind is installed) that two passes over one cell count the same instructions.
#include "cost_pass.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "catalog.hpp"
#include "cost_marker.hpp"
#include "heaps/valgrind_reserve.hpp"
#include "scratch_files.hpp"
#include "vmb/config.hpp"  // VMB_ASAN, VMB_TSAN

namespace vmbench {
namespace {

const std::atomic<bool> kNoCancel{false};

#if defined(VMB_ASAN) || defined(VMB_TSAN)
constexpr bool kSanitizerBuild = true;  // valgrind and a sanitizer's shadow memory cannot share a process
#else
constexpr bool kSanitizerBuild = false;
#endif

// A tree cell's cost pass at --scale ci, its parameters from the catalog, as the runner would plan it.
std::string ci_tree_spec(const std::string& allocator) {
  std::map<std::string, std::string> params;
  for (const ParamDef& d : find_workload("tree")->params) params[d.name] = d.defaults[0];
  for (const ParamDef& d : allocator_params()) params[d.name] = d.defaults[0];
  const nlohmann::json spec = {{"workload", "tree"}, {"allocator", allocator}, {"dispatch", "inline"},
                               {"params", params},   {"seed", 42},           {"warmup", 0},
                               {"pass", "cost"}};
  return spec.dump();
}

std::string skip_reason() {
  if (kSanitizerBuild) return "a sanitizer build cannot run under valgrind";
  return cost_pass_unavailable();
}

TEST(CostPass, ValgrindRunsWithTheFixedOptionsThenTheCell) {
  const std::vector<std::string> argv = callgrind_argv("/usr/bin/valgrind", "/d/cg.out", "/b/vmbench", "{}");
  const std::vector<std::string> expected = {"/usr/bin/valgrind",   "--tool=callgrind",   "-q",
                                             "--instr-atstart=no",  "--cache-sim=yes",    "--I1=32768,8,64",
                                             "--D1=32768,8,64",     "--LL=8388608,16,64", "--callgrind-out-file=/d/cg.out",
                                             "/b/vmbench",          "__cell",             "{}"};
  EXPECT_EQ(argv, expected);
}

TEST(CostPass, TheEnvironmentKeepsOnlyWhatConfiguresTheMeasurement) {
  const char* env[] = {"HOME=/root", "PATH=/bin", "VMBENCH_TEST_ALLOCATORS=1", "LD_PRELOAD=/x.so", "VALGRIND_OPTS=--x",
                       "MIMALLOC_VERBOSE=1", "PWD=/somewhere", nullptr};
  const CostEnvironment e = cost_environment("malloc", "", env);
  EXPECT_EQ(e.variables, (std::vector<std::string>{"MIMALLOC_VERBOSE=1", "VMBENCH_TEST_ALLOCATORS=1"}));
  EXPECT_TRUE(e.notes.empty());
  EXPECT_EQ(cost_environment("tcmalloc", "/lib/tc.so", env).variables,
            (std::vector<std::string>{"LD_PRELOAD=/lib/tc.so", "MIMALLOC_VERBOSE=1", "VMBENCH_TEST_ALLOCATORS=1"}));
}

// --clean-env reaches the cost pass as every cell: the user's allocator variables are left out, the
// pass's own pins (and VMBENCH_*, VALGRIND_LIB) stay.
TEST(CostPass, TheCleanEnvironmentLeavesOutTheUsersAllocatorVariables) {
  const char* env[] = {"MALLOC_CONF=narenas:1", "MIMALLOC_VERBOSE=1", "GLIBC_TUNABLES=glibc.malloc.tcache_count=0",
                       "TCMALLOC_RELEASE_RATE=0", "VMBENCH_TEST_ALLOCATORS=1", "VALGRIND_LIB=/v", nullptr};
  EXPECT_EQ(cost_environment("jemalloc", "/lib/je.so", env, true).variables,
            (std::vector<std::string>{"LD_PRELOAD=/lib/je.so", "MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1",
                                      "VALGRIND_LIB=/v", "VMBENCH_TEST_ALLOCATORS=1"}));
  EXPECT_EQ(cost_environment("malloc", "", env, false).variables.size(), 6u);  // without it, all kept
}

TEST(CostPass, JemallocPurgingIsDisabledAfterTheUsersOwnSettings) {
  const char* env[] = {"MALLOC_CONF=narenas:1", nullptr};
  const CostEnvironment e = cost_environment("jemalloc", "/lib/je.so", env);
  EXPECT_EQ(e.variables, (std::vector<std::string>{"LD_PRELOAD=/lib/je.so",
                                                   "MALLOC_CONF=narenas:1,dirty_decay_ms:-1,muzzy_decay_ms:-1"}));
  ASSERT_EQ(e.notes.size(), 1u);
  EXPECT_NE(e.notes[0].find("dirty_decay_ms:-1"), std::string::npos);
}

TEST(CostPass, MimallocDecommitIsDisabledOverTheUsersValues) {
  const char* env[] = {"MIMALLOC_ALLOW_DECOMMIT=1", "MIMALLOC_SHOW_STATS=0", nullptr};
  const CostEnvironment e = cost_environment("mimalloc", "/lib/mi.so", env);
  EXPECT_EQ(e.variables, (std::vector<std::string>{"LD_PRELOAD=/lib/mi.so", "MIMALLOC_ALLOW_DECOMMIT=0",
                                                   "MIMALLOC_PURGE_DELAY=-1", "MIMALLOC_SHOW_STATS=0"}));
  ASSERT_EQ(e.notes.size(), 1u);
  EXPECT_NE(e.notes[0].find("MIMALLOC_ALLOW_DECOMMIT=0"), std::string::npos);
}

TEST(CostPass, ReservationsUnderValgrindShareA64GiBBudget) {
  constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
  EXPECT_EQ(valgrind_region_cap_bytes(2), 32 * kGiB);
  EXPECT_EQ(valgrind_region_cap_bytes(24), 2 * kGiB);  // 64/24 = 2.67, down to whole GiB
  EXPECT_EQ(valgrind_region_cap_bytes(1000), 1 * kGiB);
  EXPECT_EQ(region_reserve_bytes(64 * kGiB, 2, false), 64 * kGiB);
  EXPECT_EQ(region_reserve_bytes(64 * kGiB, 2, true), 32 * kGiB);
  EXPECT_EQ(region_reserve_bytes(1 * kGiB, 2, true), 1 * kGiB);
  EXPECT_FALSE(running_on_valgrind());
}

TEST(CostPass, ACappedReservationIsNoted) {
  const auto arena = reservation_notes("arena", {{"reserve", "64G"}});
  ASSERT_EQ(arena.size(), 1u);
  EXPECT_NE(arena[0].find("32 GiB per region instead of 64 GiB"), std::string::npos) << arena[0];
  const auto pool = reservation_notes("pool", {{"pool_reserve", "16G"}});
  ASSERT_EQ(pool.size(), 1u);
  EXPECT_NE(pool[0].find("2 GiB per region instead of 16 GiB"), std::string::npos) << pool[0];
  EXPECT_TRUE(reservation_notes("arena", {{"reserve", "1G"}}).empty());
  EXPECT_TRUE(reservation_notes("malloc", {{"reserve", "64G"}}).empty());
}

TEST(CostPass, WithoutValgrindItFailsInOneLineNamingThePackage) {
  if (kSanitizerBuild) GTEST_SKIP() << "a sanitizer build refuses the pass for that reason first";
  const std::string empty_dir = test_files::scratch_dir("vmbench-nopath");
  const std::string saved = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  setenv("PATH", empty_dir.c_str(), 1);
  const CostOutcome o = run_cost_pass({VMBENCH_EXE, ci_tree_spec("malloc"), "malloc", "", 60}, kNoCancel);
  const std::string unavailable = cost_pass_unavailable();
  setenv("PATH", saved.c_str(), 1);
  rmdir(empty_dir.c_str());
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, unavailable);
  // A sanitizer build is refused before valgrind is looked for, and says so in its own words.
  EXPECT_NE(o.error.find(kSanitizerBuild ? "sanitizer build" : "Debian package valgrind"), std::string::npos) << o.error;
  EXPECT_EQ(o.error.find('\n'), std::string::npos);
  EXPECT_TRUE(cost_json(o).is_null());
}

TEST(CostPass, TwoPassesOfGlibcArenaAndPoolCountIdenticalInstructions) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  for (const char* allocator : {"malloc", "arena", "pool"}) {
    const CostChild child{VMBENCH_EXE, ci_tree_spec(allocator), allocator, "", 300};
    const CostOutcome first = run_cost_pass(child, kNoCancel);
    const CostOutcome second = run_cost_pass(child, kNoCancel);
    ASSERT_TRUE(first.ok) << allocator << ": " << first.error;
    ASSERT_TRUE(second.ok) << allocator << ": " << second.error;
    EXPECT_GT(first.totals->ir, 1000000u) << allocator;  // the tree's work, not an empty phase
    EXPECT_EQ(first.totals->ir, second.totals->ir) << allocator;
    EXPECT_EQ(estimated_cycles(*first.totals), estimated_cycles(*second.totals)) << allocator;
    EXPECT_EQ(nlohmann::json::parse(first.result_json)["checksum"], nlohmann::json::parse(second.result_json)["checksum"]);
  }
}

// With fds 0 and 3 free, the result pipe is {0, 3}: its write end is fd 3 itself, and a dup2 onto its
// own number kept close-on-exec, so the pass lost its result (child_descriptors.hpp).
TEST(CostPass, ResultPipeOnTheResultDescriptorLosesNoResult) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  int saved[4] = {-1, -1, -1, -1};
  for (int fd : {0, 3}) {
    saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 10);  // -1 when it was not open
    close(fd);
  }
  const CostOutcome o = run_cost_pass({VMBENCH_EXE, ci_tree_spec("malloc"), "malloc", "", 300}, kNoCancel);
  for (int fd : {0, 3}) {
    close(fd);
    if (saved[fd] >= 0) dup2(saved[fd], fd), close(saved[fd]);
  }
  EXPECT_TRUE(o.ok) << o.error;
}

TEST(CostPass, TheStackStringsArePaddedToWholePages) {
  for (const std::string& spec : {std::string("{}"), std::string(700, 's')}) {
    std::vector<std::string> env = {"LD_PRELOAD=/usr/lib/x.so", "VMBENCH_TEST_ALLOCATORS=1"};
    const std::vector<std::string> argv = {"./vmbench", "__cell", spec};
    pad_stack_strings(argv, env);
    ASSERT_EQ(env.size(), 3u);
    EXPECT_EQ(env.back().rfind("VMBENCH_COST_PAD=", 0), 0u);
    std::size_t bytes = 8 * (argv.size() + 1 + env.size() + 1);  // argv, envp and their null pointers
    for (const auto& a : argv) bytes += a.size() + 1;
    for (const auto& e : env) bytes += e.size() + 1;
    EXPECT_EQ(bytes % kCostStackPadBytes, 0u) << spec.size();
  }
}

// A checkout at another path, and another TMPDIR, must not move a count: CI compares with a baseline
// made elsewhere (one path against another moved strings/bump by 0.35% before the cell ran as ./vmbench
// in a fixed /tmp directory with its strings padded).
TEST(CostPass, TheExecutablesPathAndTmpdirDoNotMoveTheCounts) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = test_files::scratch_dir("vmbench-a-much-longer-checkout-path-for-the-test");
  const std::string copy = dir + "/build/release/tool/vmbench";
  std::filesystem::create_directories(dir + "/build/release/tool");
  std::filesystem::copy_file(VMBENCH_EXE, copy);
  std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
  const CostOutcome here = run_cost_pass({VMBENCH_EXE, ci_tree_spec("bump"), "bump", "", 300}, kNoCancel);
  const char* saved = std::getenv("TMPDIR");
  const std::string saved_tmpdir = saved != nullptr ? saved : "";
  setenv("TMPDIR", dir.c_str(), 1);
  const CostOutcome there = run_cost_pass({copy, ci_tree_spec("bump"), "bump", "", 300}, kNoCancel);
  if (saved != nullptr) setenv("TMPDIR", saved_tmpdir.c_str(), 1);
  else unsetenv("TMPDIR");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(here.ok) << here.error;
  ASSERT_TRUE(there.ok) << there.error;
  EXPECT_EQ(here.totals->ir, there.totals->ir);
  EXPECT_EQ(estimated_cycles(*here.totals), estimated_cycles(*there.totals));
}

TEST(CostPass, TheFiguresCarryTheMethodAndTheNotes) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const CostOutcome o = run_cost_pass({VMBENCH_EXE, ci_tree_spec("arena"), "arena", "", 300}, kNoCancel);
  ASSERT_TRUE(o.ok) << o.error;
  const nlohmann::json j = cost_json(o);
  EXPECT_EQ(j["instructions"], o.totals->ir);
  EXPECT_EQ(j["estimated_cycles"], estimated_cycles(*o.totals));
  EXPECT_NE(j["method"].get<std::string>().find("--instr-atstart=no"), std::string::npos);
  ASSERT_EQ(j["notes"].size(), 1u);  // the arena's 64 GiB per region, capped
  EXPECT_NE(j["notes"][0].get<std::string>().find("reserves 32 GiB"), std::string::npos);
  // The cell ran its workload under Valgrind with the capped reservation.
  EXPECT_EQ(nlohmann::json::parse(o.result_json)["heap"]["reserved_bytes"], 2 * valgrind_region_cap_bytes(2));
}

TEST(CostPass, ACellThatCrashesUnderValgrindFailsWithTheSignal) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  setenv("VMBENCH_TEST_ALLOCATORS", "1", 1);
  const CostOutcome o = run_cost_pass({VMBENCH_EXE, ci_tree_spec("test-crash"), "test-crash", "", 300}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("SIGSEGV"), std::string::npos) << o.error;
}

TEST(CostPass, ACellThatFailsUnderValgrindGivesItsOwnReason) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const CostOutcome o = run_cost_pass({VMBENCH_EXE, "{not json", "malloc", "", 300}, kNoCancel);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("bad cell specification"), std::string::npos) << o.error;
}

TEST(CostPass, ItIsAvailableExactlyWhenTheMarkersAreBuiltAndValgrindIsInstalledOutsideASanitizerBuild) {
  std::string why;
  const bool installed = !find_valgrind(&why).empty();
  EXPECT_EQ(cost_pass_unavailable().empty(), kCostMarkersBuilt && installed && !kSanitizerBuild);
}

}  // namespace
}  // namespace vmbench
