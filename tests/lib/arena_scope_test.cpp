// ArenaScope: a saved position that is popped back to when the scope ends; scopes nest strictly LIFO.
#include <gtest/gtest.h>

#include <cstddef>

#include "vmb/arena.hpp"

namespace vmb {
namespace {

TEST(ArenaScope, SavesThePositionAtCreation) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100, 1), nullptr);
  ArenaScope scope(arena);
  EXPECT_EQ(scope.saved_pos(), 100u);
}

TEST(ArenaScope, PopsToItsStartWhenItEnds) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100, 1), nullptr);
  void* inside = nullptr;
  {
    ArenaScope scope(arena);
    inside = arena.push(5000);
    ASSERT_NE(inside, nullptr);
    EXPECT_GT(arena.pos(), 5000u);
  }
  EXPECT_EQ(arena.pos(), 100u);
  EXPECT_EQ(arena.push(5000), inside);
}

TEST(ArenaScope, NestedScopesEachPopToTheirOwnStart) {
  VirtualArena arena;
  ASSERT_NE(arena.push(10, 1), nullptr);
  {
    ArenaScope outer(arena);
    ASSERT_NE(arena.push(20, 1), nullptr);
    {
      ArenaScope inner(arena);
      ASSERT_NE(arena.push(30, 1), nullptr);
      EXPECT_EQ(arena.pos(), 60u);
    }
    EXPECT_EQ(arena.pos(), 30u);
    {
      ArenaScope second_inner(arena);
      ASSERT_NE(arena.push(40, 1), nullptr);
      EXPECT_EQ(arena.pos(), 70u);
    }
    EXPECT_EQ(arena.pos(), 30u);
  }
  EXPECT_EQ(arena.pos(), 10u);
}

TEST(ArenaScope, EndingKeepsPagesCommitted) {
  ArenaOptions o;
  o.reserve_bytes = MiB;
  o.commit_step_bytes = 4 * KiB;
  VirtualArena arena(o);
  {
    ArenaScope scope(arena);
    ASSERT_NE(arena.push(100 * KiB), nullptr);
  }
  EXPECT_EQ(arena.stats().decommit_calls, 0u);
  EXPECT_GE(arena.stats().committed_bytes, 100 * KiB);
}

TEST(ArenaScope, EndingAfterTheArenaWasPoppedBelowItLeavesThePositionAlone) {
  VirtualArena arena;
  ASSERT_NE(arena.push(100, 1), nullptr);
  {
    ArenaScope scope(arena);
    ASSERT_NE(arena.push(100, 1), nullptr);
    arena.clear();
    ASSERT_NE(arena.push(30, 1), nullptr);
  }
  EXPECT_EQ(arena.pos(), 30u);
}

TEST(ArenaScope, ScopesCanBeginAgainAfterEnding) {
  VirtualArena arena;
  for (int round = 0; round < 100; ++round) {
    ArenaScope scope(arena);
    ASSERT_NE(arena.push(1000), nullptr);
  }
  EXPECT_EQ(arena.pos(), 0u);
}

TEST(ArenaScope, WorksOnAFixedArena) {
  alignas(64) unsigned char buffer[1024];
  FixedArena arena(buffer, sizeof buffer);
  ASSERT_NE(arena.push(64, 1), nullptr);
  {
    ArenaScope scope(arena);
    ASSERT_NE(arena.push(512, 1), nullptr);
  }
  EXPECT_EQ(arena.pos(), 64u);
}

TEST(ArenaScopeDeathTest, EndingOutOfLifoOrderAborts) {
  EXPECT_DEATH(
      {
        VirtualArena arena;
        auto* outer = new ArenaScope(arena);
        auto* inner = new ArenaScope(arena);
        delete outer;  // inner is still open
        delete inner;
      },
      "out of LIFO order");
}

TEST(ArenaScopeDeathTest, EndingOutOfOrderAmongThreeAborts) {
  EXPECT_DEATH(
      {
        VirtualArena arena;
        auto* first = new ArenaScope(arena);
        auto* second = new ArenaScope(arena);
        auto* third = new ArenaScope(arena);
        delete second;
        delete third;
        delete first;
      },
      "out of LIFO order");
}

TEST(ArenaScope, ScopesOnDifferentArenasAreIndependent) {
  VirtualArena a;
  VirtualArena b;
  auto* on_a = new ArenaScope(a);
  auto* on_b = new ArenaScope(b);
  ASSERT_NE(a.push(10), nullptr);
  ASSERT_NE(b.push(10), nullptr);
  delete on_a;  // a different arena: not out of order
  delete on_b;
  EXPECT_EQ(a.pos(), 0u);
  EXPECT_EQ(b.pos(), 0u);
}

}  // namespace
}  // namespace vmb
