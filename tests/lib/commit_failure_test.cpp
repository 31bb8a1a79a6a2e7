// Commit failures for real (Linux): in a forked child, RLIMIT_DATA is lowered until the kernel refuses
// mprotect(PROT_READ|PROT_WRITE) with ENOMEM. Since Linux 4.7 RLIMIT_DATA caps private writable
// mappings, and making a reserved PROT_NONE page writable is checked against it, so this is the same
// failure a commit meets under a container's or a user's data limit. (RLIMIT_AS would not do: it is
// checked when address space is mapped, and a commit maps nothing new.)
// The limit is set relative to the current data size (VmData) rather than absolute, because under
// AddressSanitizer the shadow memory, terabytes of writable private mappings, already counts as data.
#if !defined(_WIN32)

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include "vmb/arena.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmb {
namespace {

constexpr std::size_t kStepBytes = 64 * KiB;
constexpr std::size_t kHeadroomBytes = 1 * MiB;  // what may still be committed under the limit
constexpr std::size_t kReserveBytes = 256 * MiB;  // far more than the headroom

// VmData of this process in bytes, read with plain system calls: no malloc, so no new mapping can
// appear between measuring it and setting the limit.
std::size_t data_bytes() {
  char text[8192];
  const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t used = 0;
  for (ssize_t n; used < sizeof text - 1 && (n = read(fd, text + used, sizeof text - 1 - used)) > 0;) {
    used += static_cast<std::size_t>(n);
  }
  close(fd);
  text[used] = '\0';
  const char* line = std::strstr(text, "VmData:");
  if (line == nullptr) return 0;
  return std::strtoull(line + std::strlen("VmData:"), nullptr, 10) * KiB;
}

bool set_data_limit(rlim_t bytes) {
  rlimit r{};
  if (getrlimit(RLIMIT_DATA, &r) != 0) return false;
  r.rlim_cur = bytes;
  return setrlimit(RLIMIT_DATA, &r) == 0;
}

// Allow only `headroom` more bytes of private writable memory in this process.
bool limit_data_to(std::size_t headroom) {
  const std::size_t data = data_bytes();
  return data != 0 && set_data_limit(data + headroom);
}

// Raise the soft limit back to the hard limit (allowed without privileges): the sanitizer runtimes
// need memory at exit.
void lift_data_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_DATA, &r) == 0) set_data_limit(r.rlim_max);
}

// In the forked child of EXPECT_EXIT, GoogleTest assertions would not reach the parent: a failed
// check prints the condition to stderr (shown by the parent) and exits with status 1.
[[noreturn]] void child_failed(const char* condition, int line) {
  lift_data_limit();
  std::fprintf(stderr, "line %d: CHILD_CHECK(%s) failed\n", line, condition);
  std::fflush(stderr);
  _exit(1);
}
[[noreturn]] void child_passed() {
  lift_data_limit();
  _exit(0);
}
#define CHILD_CHECK(condition) \
  do {                         \
    if (!(condition)) child_failed(#condition, __LINE__); \
  } while (0)

// Runs `scenario` in a forked child; the test passes when every CHILD_CHECK in it held.
#define EXPECT_IN_CHILD(scenario) \
  EXPECT_EXIT({ scenario; child_passed(); }, ::testing::ExitedWithCode(0), "")

auto fields(const ArenaStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.pushed_bytes, s.pushes);
}
auto fields(const PoolStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.allocations, s.frees, s.live_slots, s.peak_live_slots);
}

// --- the mechanism these tests rely on ------------------------------------------------------------

// If this fails, the kernel does not enforce RLIMIT_DATA on mprotect (before Linux 4.7, or booted
// with ignore_rlimit_data) and every test below fails for that reason, not for the allocators.
TEST(CommitFailureDeathTest, RlimitDataMakesTheOsRefuseACommit) {
  EXPECT_IN_CHILD({
    const std::size_t bytes = 4 * kHeadroomBytes;
    void* p = os::reserve(bytes);
    CHILD_CHECK(p != nullptr);
    CHILD_CHECK(limit_data_to(kHeadroomBytes));
    CHILD_CHECK(!os::commit(p, bytes));
    CHILD_CHECK(os::last_error() == ENOMEM);
    CHILD_CHECK(os::commit(p, kStepBytes));  // what fits under the limit is still granted
  });
}

// --- arena ----------------------------------------------------------------------------------------

// An arena pushed (one commit step per push) until the OS refused a commit, and its state just
// before the refused push.
struct ArenaAtRefusal {
  VirtualArena arena;
  void* refused = reinterpret_cast<void*>(1);
  std::size_t pos_before = 0;
  ArenaStats stats_before;
  int errno_after = 0;
  std::size_t pushes = 0;

  ArenaAtRefusal() : arena(options()) {
    CHILD_CHECK(arena.ok());
    // One byte first, so every 64 KiB push below straddles a step boundary and needs a commit, and
    // almost a whole step stays committed but unused after the refusal.
    CHILD_CHECK(arena.push(1, 1) != nullptr);
    CHILD_CHECK(limit_data_to(kHeadroomBytes));
    while (pushes < kReserveBytes / kStepBytes) {
      pos_before = arena.pos();
      stats_before = arena.stats();
      refused = arena.push(kStepBytes);
      if (refused == nullptr) break;
      std::memset(refused, static_cast<int>(pushes & 0xFF), kStepBytes);
      ++pushes;
    }
    errno_after = os::last_error();
    CHILD_CHECK(refused == nullptr);  // the limit was reached before the reservation ran out
  }

  static ArenaOptions options() {
    ArenaOptions o;
    o.reserve_bytes = kReserveBytes;
    o.commit_step_bytes = kStepBytes;
    return o;
  }
};

TEST(ArenaCommitFailureDeathTest, RefusedCommitReturnsNullWithCommitFailed) {
  EXPECT_IN_CHILD({
    ArenaAtRefusal a;
    CHILD_CHECK(a.arena.last_error() == Error::commit_failed);
    CHILD_CHECK(a.errno_after == ENOMEM);
    CHILD_CHECK(a.pushes > 0);  // the headroom was usable up to the limit
  });
}

TEST(ArenaCommitFailureDeathTest, RefusedCommitLeavesPosAndStatsUnchanged) {
  EXPECT_IN_CHILD({
    ArenaAtRefusal a;
    CHILD_CHECK(a.arena.pos() == a.pos_before);
    CHILD_CHECK(fields(a.arena.stats()) == fields(a.stats_before));
  });
}

TEST(ArenaCommitFailureDeathTest, RefusedCommitLeavesEarlierBlocksIntact) {
  EXPECT_IN_CHILD({
    ArenaAtRefusal a;
    // Block k starts at the first 16-aligned offset after 1 + k * 64 KiB.
    auto* base = static_cast<unsigned char*>(a.arena.push(0, 1)) - a.arena.pos();
    for (std::size_t k = 0; k < a.pushes; ++k) {
      const unsigned char* block = base + 16 + k * kStepBytes;
      CHILD_CHECK(block[0] == static_cast<unsigned char>(k & 0xFF));
      CHILD_CHECK(block[kStepBytes - 1] == static_cast<unsigned char>(k & 0xFF));
    }
  });
}

TEST(ArenaCommitFailureDeathTest, PushThatFitsInCommittedMemoryStillSucceeds) {
  EXPECT_IN_CHILD({
    ArenaAtRefusal a;
    const std::size_t committed_free = a.arena.stats().committed_bytes - a.arena.pos();
    CHILD_CHECK(committed_free >= KiB);
    auto* p = static_cast<unsigned char*>(a.arena.push(KiB, 1));
    CHILD_CHECK(p != nullptr);
    std::memset(p, 0x6B, KiB);
    CHILD_CHECK(a.arena.stats().commit_calls == a.stats_before.commit_calls);
  });
}

TEST(ArenaCommitFailureDeathTest, CommitSucceedsAgainOnceTheLimitIsLifted) {
  EXPECT_IN_CHILD({
    ArenaAtRefusal a;
    lift_data_limit();
    void* p = a.arena.push(kStepBytes);
    CHILD_CHECK(p != nullptr);
    std::memset(p, 0x6B, kStepBytes);
    CHILD_CHECK(a.arena.stats().commit_calls == a.stats_before.commit_calls + 1);
  });
}

// --- pool -----------------------------------------------------------------------------------------

// A pool allocated from until the OS refused a commit, and its state just before. Counting pools,
// so that every counter is compared in every build.
using CountingPool = BasicPool<PoolPolicy{.checks = false, .counts = true}>;

PoolOptions pool_options() {
  PoolOptions o;
  o.slot_bytes = 64;
  o.reserve_bytes = kReserveBytes;
  o.commit_step_bytes = kStepBytes;
  return o;
}

template <class AnyPool>
struct PoolAtRefusal {
  AnyPool pool;
  void* refused = reinterpret_cast<void*>(1);
  void* some_slot = nullptr;
  PoolStats stats_before;

  PoolAtRefusal() : pool(pool_options()) {
    CHILD_CHECK(pool.ok());
    some_slot = pool.allocate();
    CHILD_CHECK(some_slot != nullptr);
    CHILD_CHECK(limit_data_to(kHeadroomBytes));
    for (std::size_t i = 0; i < kReserveBytes / pool.slot_bytes(); ++i) {
      stats_before = pool.stats();
      refused = pool.allocate();
      if (refused == nullptr) break;
    }
    CHILD_CHECK(refused == nullptr);
  }
};

TEST(PoolCommitFailureDeathTest, RefusedCommitReturnsNullWithCommitFailed) {
  EXPECT_IN_CHILD({
    PoolAtRefusal<CountingPool> p;
    CHILD_CHECK(p.pool.last_error() == Error::commit_failed);
    CHILD_CHECK(p.stats_before.committed_bytes > kStepBytes);  // the headroom was used first
  });
}

TEST(PoolCommitFailureDeathTest, RefusedCommitLeavesStatsUnchanged) {
  EXPECT_IN_CHILD({
    PoolAtRefusal<CountingPool> p;
    CHILD_CHECK(fields(p.pool.stats()) == fields(p.stats_before));
  });
}

TEST(PoolCommitFailureDeathTest, FreedSlotIsReusedAfterARefusedCommit) {
  EXPECT_IN_CHILD({
    PoolAtRefusal<CountingPool> p;
    p.pool.free(p.some_slot);
    CHILD_CHECK(p.pool.allocate() == p.some_slot);
    CHILD_CHECK(p.pool.stats().commit_calls == p.stats_before.commit_calls);
  });
}

TEST(PoolCommitFailureDeathTest, WithChecksARefusedCommitLeavesStatsUnchanged) {
  EXPECT_IN_CHILD({
    PoolAtRefusal<CheckedPool> p;
    CHILD_CHECK(p.pool.last_error() == Error::commit_failed);
    CHILD_CHECK(fields(p.pool.stats()) == fields(p.stats_before));
    p.pool.free(p.some_slot);
    CHILD_CHECK(p.pool.allocate() == p.some_slot);
  });
}

// With checks on, a pool commit is two commits: the live-slot bitmap's, then the slots'. With room
// for the bitmap's page but not for a step of slots, the first succeeds and the second fails: the
// pool must undo the first (give the bitmap page back) so that nothing changed.
TEST(PoolCommitFailureDeathTest, RefusedSlotCommitUndoesTheBitmapCommit) {
  EXPECT_IN_CHILD({
    CheckedPool pool(pool_options());
    CHILD_CHECK(pool.ok());
    const PoolStats before = pool.stats();
    const std::size_t data_before = data_bytes();
    CHILD_CHECK(set_data_limit(data_before + kStepBytes / 2));
    CHILD_CHECK(pool.allocate() == nullptr);
    CHILD_CHECK(pool.last_error() == Error::commit_failed);
    CHILD_CHECK(fields(pool.stats()) == fields(before));
    CHILD_CHECK(data_bytes() == data_before);  // the bitmap page was decommitted again
    lift_data_limit();
    void* p = pool.allocate();
    CHILD_CHECK(p != nullptr);
    pool.free(p);
  });
}

// The bitmap's commit refused first: nothing is committed at all.
TEST(PoolCommitFailureDeathTest, RefusedBitmapCommitCommitsNoSlots) {
  EXPECT_IN_CHILD({
    CheckedPool pool(pool_options());
    CHILD_CHECK(pool.ok());
    const PoolStats before = pool.stats();
    const std::size_t data_before = data_bytes();
    CHILD_CHECK(set_data_limit(data_before));
    CHILD_CHECK(pool.allocate() == nullptr);
    CHILD_CHECK(pool.last_error() == Error::commit_failed);
    CHILD_CHECK(fields(pool.stats()) == fields(before));
    CHILD_CHECK(data_bytes() == data_before);
  });
}

}  // namespace
}  // namespace vmb

#endif  // !defined(_WIN32)
