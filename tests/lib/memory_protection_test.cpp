// What the OS enforces behind the allocators (Linux): reserved-but-uncommitted memory, the guard page
// and decommitted pages fault when touched; decommitted pages come back zeroed when committed again.
#if !defined(_WIN32)

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

#include "vmb/arena.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

namespace vmb {
namespace {

std::size_t page() { return os::page_size(); }

ArenaOptions page_steps() {
  ArenaOptions o;
  o.reserve_bytes = MiB;
  o.commit_step_bytes = page();
  o.retain_bytes = 0;
  return o;
}

unsigned char read_byte(const void* p) { return *static_cast<const volatile unsigned char*>(p); }
void write_byte(void* p) { *static_cast<volatile unsigned char*>(p) = 1; }

TEST(MemoryProtectionDeathTest, ReservedButUncommittedMemoryFaults) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(1, 1));
  ASSERT_EQ(arena.stats().committed_bytes, page());
  EXPECT_DEATH((void)read_byte(p + 2 * page()), "");
}

TEST(MemoryProtectionDeathTest, WritingPastAFullArenaHitsTheGuardPage) {
  ArenaOptions o = page_steps();
  o.reserve_bytes = 4 * page();
  o.guard_page = true;
  VirtualArena arena(o);
  auto* p = static_cast<unsigned char*>(arena.push(4 * page(), 1));
  ASSERT_NE(p, nullptr);
  write_byte(p + 4 * page() - 1);
  EXPECT_DEATH(write_byte(p + 4 * page()), "");
}

TEST(MemoryProtectionDeathTest, DecommittedPagesFault) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(3 * page(), 1));
  std::memset(p, 1, 3 * page());
  arena.clear();
  ASSERT_EQ(arena.stats().committed_bytes, 0u);
  EXPECT_DEATH((void)read_byte(p + page()), "");
}

TEST(MemoryProtection, DecommittedArenaPagesComeBackZeroed) {
  VirtualArena arena(page_steps());
  auto* p = static_cast<unsigned char*>(arena.push(3 * page(), 1));
  std::memset(p, 0xFF, 3 * page());
  arena.clear();
  auto* again = static_cast<unsigned char*>(arena.push(3 * page(), 1));
  ASSERT_EQ(again, p);
  for (std::size_t i = 0; i < 3 * page(); ++i) ASSERT_EQ(again[i], 0) << i;
}

TEST(MemoryProtection, DecommittedPoolPagesComeBackZeroed) {
  PoolOptions o;
  o.slot_bytes = page();
  o.reserve_bytes = MiB;
  o.commit_step_bytes = page();
  o.retain_bytes = 0;
  UncheckedPool pool(o);
  auto* p = static_cast<unsigned char*>(pool.allocate());
  std::memset(p, 0xFF, page());
  pool.reset();
  ASSERT_EQ(pool.stats().committed_bytes, 0u);
  auto* again = static_cast<unsigned char*>(pool.allocate());
  ASSERT_EQ(again, p);
  for (std::size_t i = 0; i < page(); ++i) ASSERT_EQ(again[i], 0) << i;
}

}  // namespace
}  // namespace vmb

#endif  // !defined(_WIN32)
