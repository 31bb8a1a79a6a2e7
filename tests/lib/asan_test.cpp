// AddressSanitizer integration: memory the allocators own but have not handed out (popped, cleared,
// freed, alignment padding, committed but not pushed, reserved but not committed) is reported when
// read; and the allocators leave no poison behind once they are gone.
// Only meaningful in a build with -fsanitize=address (VMB_ASAN); otherwise one skipped test says so.
#include <gtest/gtest.h>

#include "vmb/config.hpp"

#if defined(VMB_ASAN)

#include <sanitizer/asan_interface.h>

#include <cstddef>
#include <cstring>

#include "vmb/arena.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"
#include "vmb/remote_free_pool.hpp"
#include "vmb/scratch.hpp"

namespace vmb {
namespace {

std::size_t page() { return os::page_size(); }

ArenaOptions page_steps(std::size_t retain_bytes = 64 * MiB) {
  ArenaOptions o;
  o.reserve_bytes = MiB;
  o.commit_step_bytes = page();
  o.retain_bytes = retain_bytes;
  return o;
}

PoolOptions pool_options() {
  PoolOptions o;
  o.slot_bytes = 64;
  o.reserve_bytes = MiB;
  o.commit_step_bytes = page();
  o.retain_bytes = 0;
  return o;
}

unsigned char read_byte(const void* p) { return *static_cast<const volatile unsigned char*>(p); }

constexpr const char* kPoisonReport = "AddressSanitizer: use-after-poison";

// --- arena ----------------------------------------------------------------------------------------

TEST(AsanArena, PushedBytesAreAddressable) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(100, 1));
  EXPECT_EQ(__asan_region_is_poisoned(p, 100), nullptr);
}

TEST(AsanArenaDeathTest, ReadAfterPopToIsReported) {
  VirtualArena arena(page_steps());
  ASSERT_NE(arena.push(64), nullptr);
  auto* p = static_cast<unsigned char*>(arena.push(64));
  ASSERT_TRUE(arena.pop_to(64));
  EXPECT_DEATH((void)read_byte(p), kPoisonReport);
}

TEST(AsanArenaDeathTest, ReadAfterClearIsReported) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(64));
  arena.clear();  // retained: still committed, so only ASan can tell
  ASSERT_GT(arena.stats().committed_bytes, 0u);
  EXPECT_DEATH((void)read_byte(p + 10), kPoisonReport);
}

TEST(AsanArenaDeathTest, ReadAfterScopeEndIsReported) {
  VirtualArena arena(page_steps());
  unsigned char* p = nullptr;
  {
    ArenaScope scope(arena);
    p = static_cast<unsigned char*>(arena.push(64));
  }
  EXPECT_DEATH((void)read_byte(p), kPoisonReport);
}

TEST(AsanArenaDeathTest, ReadOfCommittedButUnpushedBytesIsReported) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(16));
  ASSERT_EQ(arena.stats().committed_bytes, page());
  EXPECT_DEATH((void)read_byte(p + 100), kPoisonReport);
}

TEST(AsanArenaDeathTest, ReadOneByteAfterABlockIsReported) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(24, 8));
  EXPECT_DEATH((void)read_byte(p + 24), kPoisonReport);
}

TEST(AsanArenaDeathTest, ReadOfAlignmentPaddingIsReported) {
  VirtualArena arena(page_steps());
  auto* first = static_cast<unsigned char*>(arena.push(1, 1));
  ASSERT_NE(arena.push(8, 256), nullptr);
  EXPECT_DEATH((void)read_byte(first + 128), kPoisonReport);
}

TEST(AsanArenaDeathTest, ReadAfterGrowLastShrinksIsReported) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(256, 8));
  ASSERT_TRUE(arena.grow_last(p, 256, 64));
  EXPECT_DEATH((void)read_byte(p + 128), kPoisonReport);
}

TEST(AsanArenaDeathTest, ReadOfTheReservedButUncommittedTailIsReported) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(16));
  ASSERT_EQ(arena.stats().committed_bytes, page());
  // Not poisoned but not mapped readable either: ASan reports the fault.
  EXPECT_DEATH((void)read_byte(p + 8 * page()), "AddressSanitizer: SEGV");
}

TEST(AsanArena, GrowLastMakesTheNewBytesAddressable) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(16, 1));
  ASSERT_TRUE(arena.grow_last(p, 16, 3 * page()));
  EXPECT_EQ(__asan_region_is_poisoned(p, 3 * page()), nullptr);
}

TEST(AsanArena, FixedArenaPoisonsItsUnusedBufferAndUnpoisonsItAtTheEnd) {
  alignas(64) unsigned char buffer[1024];
  {
    FixedArena arena(buffer, sizeof buffer);
    ASSERT_NE(arena.push(100, 1), nullptr);
    EXPECT_EQ(__asan_region_is_poisoned(buffer, 100), nullptr);
    EXPECT_NE(__asan_region_is_poisoned(buffer + 128, 64), nullptr);
  }
  EXPECT_EQ(__asan_region_is_poisoned(buffer, sizeof buffer), nullptr);
}

// An allocator's address range can be mapped again by anyone once it is released: it must not keep
// ASan poison there, or the next owner gets false reports. Pages decommitted before destruction
// (clear/reset above retain_bytes, decommit_unused) are part of that range.
TEST(AsanArena, DestroyedArenaLeavesNoPoisonBehind) {
  unsigned char* base = nullptr;
  {
    VirtualArena arena(page_steps(0));
    base = static_cast<unsigned char*>(arena.push(4 * page(), 1));
    ASSERT_TRUE(arena.pop_to(page()));
  }
  EXPECT_EQ(__asan_region_is_poisoned(base, 4 * page()), nullptr);
}

TEST(AsanArena, DestroyedArenaLeavesNoPoisonWhereItDecommitted) {
  unsigned char* base = nullptr;
  {
    VirtualArena arena(page_steps(0));
    base = static_cast<unsigned char*>(arena.push(4 * page(), 1));
    arena.clear();
    ASSERT_EQ(arena.stats().committed_bytes, 0u);
  }
  EXPECT_EQ(__asan_region_is_poisoned(base, 4 * page()), nullptr)
      << "pages decommitted by clear() stay poisoned after the arena released them";
}

// --- pool -----------------------------------------------------------------------------------------

TEST(AsanPoolDeathTest, ReadAfterFreeIsReported) {
  UncheckedPool pool(pool_options());
  auto* p = static_cast<unsigned char*>(pool.allocate());
  ASSERT_NE(pool.allocate(), nullptr);
  pool.free(p);
  EXPECT_DEATH((void)read_byte(p + 16), kPoisonReport);
}

TEST(AsanPoolDeathTest, ReadOfTheFreeListLinkIsReported) {
  UncheckedPool pool(pool_options());
  auto* p = static_cast<unsigned char*>(pool.allocate());
  pool.free(p);
  EXPECT_DEATH((void)read_byte(p), kPoisonReport);
}

TEST(AsanPoolDeathTest, ReadAfterResetIsReported) {
  PoolOptions o = pool_options();
  o.retain_bytes = MiB;  // still committed: only ASan can tell
  UncheckedPool pool(o);
  auto* p = static_cast<unsigned char*>(pool.allocate());
  pool.reset();
  EXPECT_DEATH((void)read_byte(p), kPoisonReport);
}

TEST(AsanPoolDeathTest, ReadOfASlotNotYetHandedOutIsReported) {
  UncheckedPool pool(pool_options());
  auto* p = static_cast<unsigned char*>(pool.allocate());
  EXPECT_DEATH((void)read_byte(p + pool.slot_bytes()), kPoisonReport);
}

TEST(AsanPoolDeathTest, DoubleFreeWithoutChecksIsReported) {
  EXPECT_DEATH(
      {
        UncheckedPool pool(pool_options());
        void* p = pool.allocate();
        pool.free(p);
        pool.free(p);  // writes the link into a poisoned slot
      },
      kPoisonReport);
}

TEST(AsanPool, ReallocatedSlotIsAddressable) {
  CheckedPool pool(pool_options());
  void* p = pool.allocate();
  pool.free(p);
  void* q = pool.allocate();
  ASSERT_EQ(q, p);
  EXPECT_EQ(__asan_region_is_poisoned(q, pool.slot_bytes()), nullptr);
}

TEST(AsanPool, DestroyedPoolLeavesNoPoisonWhereItDecommitted) {
  unsigned char* base = nullptr;
  {
    UncheckedPool pool(pool_options());
    base = static_cast<unsigned char*>(pool.allocate());
    for (int i = 0; i < 200; ++i) ASSERT_NE(pool.allocate(), nullptr);
    pool.reset();
    ASSERT_EQ(pool.stats().committed_bytes, 0u);
  }
  EXPECT_EQ(__asan_region_is_poisoned(base, 201 * 64), nullptr)
      << "pages decommitted by reset() stay poisoned after the pool released them";
}

// --- remote-free pool and scratch arenas ------------------------------------------------------------

// A slot freed remotely is poisoned by the freeing thread before it is published (after, the owner
// may already have handed it out again), link included.
TEST(AsanRemoteFreePoolDeathTest, ReadAfterRemoteFreeIsReported) {
  UncheckedRemoteFreePool pool(pool_options());
  auto* p = static_cast<unsigned char*>(pool.allocate());
  pool.free_remote(p);
  EXPECT_DEATH((void)read_byte(p), kPoisonReport);
  EXPECT_DEATH((void)read_byte(p + 40), kPoisonReport);
}

TEST(AsanRemoteFreePool, ASlotTakenOverIsAddressableAgain) {
  PoolOptions o = pool_options();
  o.reserve_bytes = page();
  CheckedRemoteFreePool pool(o);
  void* p = pool.allocate();
  while (pool.allocate() != nullptr) {
  }
  pool.free_remote(p);
  void* q = pool.allocate();  // the take-over
  ASSERT_EQ(q, p);
  EXPECT_EQ(__asan_region_is_poisoned(q, pool.slot_bytes()), nullptr);
}

TEST(AsanScratchDeathTest, ReadAfterAScratchScopeEndsIsReported) {
  unsigned char* p = nullptr;
  {
    ScratchScope scope;
    p = static_cast<unsigned char*>(scope.arena().push(64));
  }
  EXPECT_DEATH((void)read_byte(p), kPoisonReport);
}

}  // namespace
}  // namespace vmb

#else  // !VMB_ASAN

TEST(Asan, NotABuildWithAddressSanitizer) {
  GTEST_SKIP() << "built without -fsanitize=address: the poisoning tests need it";
}

#endif
