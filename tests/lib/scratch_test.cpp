// Per-thread scratch arenas (vmb/scratch.hpp): one set of arenas per thread, the conflict rule that
// keeps a function's scratch off its caller's output arena, scopes, the process-wide options, and the
// arenas' end with their thread. Tests that need arenas made fresh run in a thread of their own.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <thread>

#include "vmb/arena.hpp"
#include "vmb/scratch.hpp"

#if !defined(_WIN32)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace vmb {
namespace {

// Run `body` on a new thread, which starts with no scratch arena, and wait for it.
template <class F>
void on_new_thread(F&& body) {
  std::thread t(std::forward<F>(body));
  t.join();
}

// Sets the scratch options for one test and puts the defaults back after it.
class ScratchOptionsFor {
 public:
  explicit ScratchOptionsFor(const ArenaOptions& o) { set_scratch_options(o); }
  ~ScratchOptionsFor() { set_scratch_options(default_scratch_options()); }
  ScratchOptionsFor(const ScratchOptionsFor&) = delete;
  ScratchOptionsFor& operator=(const ScratchOptionsFor&) = delete;
};

TEST(Scratch, TheSameThreadGetsTheSameArenaEachTime) {
  VirtualArena& a = scratch();
  EXPECT_EQ(&scratch(), &a);
  EXPECT_EQ(&scratch(nullptr), &a);  // a null conflict is none
  EXPECT_TRUE(a.ok());
}

TEST(Scratch, AConflictGivesAnotherArena) {
  VirtualArena& first = scratch();
  VirtualArena& second = scratch(&first);
  EXPECT_NE(&second, &first);
  VirtualArena& third = scratch({&first, &second});
  EXPECT_NE(&third, &first);
  EXPECT_NE(&third, &second);
  EXPECT_EQ(&scratch(&second), &first);  // the first that is not a conflict
  // An arena that is not a scratch arena conflicts with none of them.
  VirtualArena other;
  EXPECT_EQ(&scratch(&other), &first);
}

TEST(Scratch, EachThreadHasArenasOfItsOwn) {
  VirtualArena& mine = scratch();
  ScratchScope scope;
  void* here = scope.arena().push(64);
  const VirtualArena* theirs = nullptr;
  void* there = nullptr;
  on_new_thread([&] {
    theirs = &scratch();
    there = scratch().push(64);
  });
  EXPECT_NE(theirs, &mine);
  ASSERT_NE(here, nullptr);
  ASSERT_NE(there, nullptr);
  EXPECT_FALSE(mine.owns(there));
}

TEST(Scratch, AScopePopsWhatWasPushedInIt) {
  VirtualArena& a = scratch();
  const std::size_t before = a.pos();
  {
    ScratchScope scope;
    EXPECT_EQ(&scope.arena(), &a);
    EXPECT_EQ(scope.saved_pos(), before);
    ASSERT_NE(scope.arena().push(1000), nullptr);
    {
      ScratchScope inner;  // the same arena, nested
      ASSERT_NE(inner.arena().push(5000), nullptr);
    }
    EXPECT_GE(a.pos(), before + 1000);
    EXPECT_LT(a.pos(), before + 5000);
  }
  EXPECT_EQ(a.pos(), before);
}

// The reason for several arenas: `squares` returns its result in the caller's arena and takes its own
// scratch; were it the same arena, the scratch scope's end would pop the result away.
int* squares(Arena& out, int n) {
  ScratchScope scratch_scope(&out);
  int* tmp = scratch_scope.arena().push_array<int>(static_cast<std::size_t>(n));
  int* result = out.push_array<int>(static_cast<std::size_t>(n));
  if (tmp == nullptr || result == nullptr) return nullptr;
  for (int i = 0; i < n; ++i) tmp[i] = i * i;
  std::memcpy(result, tmp, sizeof(int) * static_cast<std::size_t>(n));
  return result;
}

TEST(Scratch, AFunctionThatNamesItsOutputArenaKeepsItsResult) {
  ScratchScope caller;
  const std::size_t before = caller.arena().pos();
  int* r = squares(caller.arena(), 100);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(caller.arena().owns(r));
  EXPECT_GT(caller.arena().pos(), before);  // the result stays
  EXPECT_EQ(scratch(&caller.arena()).pos(), 0u);  // the callee's scratch is popped
  EXPECT_EQ(r[9], 81);
}

TEST(Scratch, TheDefaultReservationIsEightGiB) {
  EXPECT_EQ(default_scratch_options().reserve_bytes, 8 * GiB);
  EXPECT_EQ(scratch_options().reserve_bytes, default_scratch_options().reserve_bytes);
}

TEST(Scratch, OptionsApplyToArenasCreatedAfterThem) {
  const std::size_t main_capacity = scratch().capacity();
  ArenaOptions o;
  o.reserve_bytes = MiB;
  const ScratchOptionsFor options(o);
  EXPECT_EQ(scratch().capacity(), main_capacity);  // already created
  std::size_t capacity = 0;
  Error error = Error::none;
  on_new_thread([&] {
    capacity = scratch().capacity();
    ScratchScope scope;
    if (scope.arena().push(2 * MiB) == nullptr) error = scope.arena().last_error();
  });
  EXPECT_EQ(capacity, MiB);
  EXPECT_EQ(error, Error::exhausted);
}

TEST(Scratch, ARefusedArenaIsReturnedAndSaysWhy) {
  ArenaOptions o;
  o.reserve_bytes = 0;
  const ScratchOptionsFor options(o);
  bool ok = true;
  void* p = &ok;
  Error error = Error::none;
  on_new_thread([&] {
    ok = scratch().ok();
    p = scratch().push(16);
    error = scratch().last_error();
  });
  EXPECT_FALSE(ok);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(error, Error::bad_options);
}

TEST(Scratch, DecommitUnusedGivesBackWhatScopesKeptCommitted) {
  std::size_t kept = 0, after = 0;
  std::uint64_t decommits = 0;
  on_new_thread([&] {
    {
      ScratchScope scope;
      (void)scope.arena().push(MiB);
    }
    kept = scratch().stats().committed_bytes;
    scratch_decommit_unused();
    after = scratch().stats().committed_bytes;
    decommits = scratch().stats().decommit_calls;
  });
  EXPECT_GE(kept, MiB);
  EXPECT_EQ(after, 0u);
  EXPECT_EQ(decommits, 1u);
}

#if !defined(_WIN32)
// mincore() fails with ENOMEM on a range with any unmapped page: the arena's reservation is gone.
bool mapped(const void* p) {
  unsigned char resident = 0;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  void* start = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(p) & ~(page - 1));
  return mincore(start, 1, &resident) == 0 || errno != ENOMEM;
}

TEST(Scratch, AThreadsArenasAreReleasedWhenItExits) {
  void* p = nullptr;
  bool mapped_inside = false;
  on_new_thread([&] {
    p = scratch().push(64);
    mapped_inside = mapped(p);
  });
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(mapped_inside);
  EXPECT_FALSE(mapped(p));
}
#endif

TEST(ScratchDeathTest, EveryArenaAConflictAborts) {
  EXPECT_DEATH(
      {
        const Arena* all[kScratchArenasPerThread] = {};
        for (std::size_t i = 0; i < kScratchArenasPerThread; ++i) {
          all[i] = &scratch(std::span<const Arena* const>(all, i));
        }
        (void)scratch(std::span<const Arena* const>(all, kScratchArenasPerThread));
      },
      "every scratch arena of this thread is a conflict");
}

}  // namespace
}  // namespace vmb
