// FixedArena: the Arena interface over a caller's buffer, with no system calls at all.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>

#include "vmb/arena.hpp"

namespace vmb {
namespace {

constexpr std::size_t kBufferBytes = 4096;

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

auto fields(const ArenaStats& s) {
  return std::tuple(s.reserved_bytes, s.committed_bytes, s.peak_committed_bytes, s.commit_calls,
                    s.decommit_calls, s.pushed_bytes, s.pushes);
}

// Code written against Arena& works on either kind of arena.
void* push_through_interface(Arena& arena, std::size_t size) { return arena.push(size); }

TEST(FixedArena, PushesComeFromTheCallersBuffer) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  auto* p = static_cast<unsigned char*>(arena.push(100, 1));
  EXPECT_EQ(p, buffer);
  auto* q = static_cast<unsigned char*>(push_through_interface(arena, 100));
  EXPECT_GE(q, buffer + 100);
  EXPECT_LE(q + 100, buffer + sizeof buffer);
}

TEST(FixedArena, CapacityIsTheBufferSize) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  EXPECT_EQ(arena.capacity(), kBufferBytes);
  EXPECT_EQ(arena.stats().reserved_bytes, 0u);
  EXPECT_EQ(arena.stats().committed_bytes, kBufferBytes);
  EXPECT_EQ(arena.stats().peak_committed_bytes, kBufferBytes);
}

TEST(FixedArena, IsExhaustedAtTheBufferSize) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  void* all = arena.push(kBufferBytes, 1);
  ASSERT_EQ(all, buffer);
  std::memset(all, 0x42, kBufferBytes);
  const auto before = fields(arena.stats());
  EXPECT_EQ(arena.push(1, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_EQ(arena.pos(), kBufferBytes);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(FixedArena, PushLargerThanTheBufferIsExhaustedAndChangesNothing) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  ASSERT_NE(arena.push(10, 1), nullptr);
  const auto before = fields(arena.stats());
  EXPECT_EQ(arena.push(kBufferBytes - 9, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_EQ(arena.pos(), 10u);
  EXPECT_EQ(fields(arena.stats()), before);
  EXPECT_NE(arena.push(kBufferBytes - 10, 1), nullptr);
}

TEST(FixedArena, NeverCommitsOrDecommits) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  for (int i = 0; i < 10; ++i) ASSERT_NE(arena.push(300, 1), nullptr);
  EXPECT_EQ(arena.push(2000, 1), nullptr);
  ASSERT_TRUE(arena.pop_to(100));
  arena.decommit_unused();
  arena.clear();
  EXPECT_EQ(arena.stats().commit_calls, 0u);
  EXPECT_EQ(arena.stats().decommit_calls, 0u);
  EXPECT_EQ(arena.stats().committed_bytes, kBufferBytes);
}

TEST(FixedArena, AlignsWithinAnUnalignedBuffer) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer + 1, sizeof buffer - 1);
  for (std::size_t align = 1; align <= 256; align *= 2) {
    void* p = arena.push(3, align);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(addr(p) % align, 0u) << align;
    EXPECT_GE(static_cast<unsigned char*>(p), buffer + 1);
  }
}

TEST(FixedArena, PaddingCountsTowardsExhaustion) {
  alignas(64) unsigned char buffer[128];
  FixedArena arena(buffer, sizeof buffer);
  ASSERT_NE(arena.push(1, 1), nullptr);
  EXPECT_EQ(arena.push(65, 64), nullptr);  // 63 bytes of padding + 65 > 127 left
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_NE(arena.push(64, 64), nullptr);
  EXPECT_EQ(arena.pos(), 128u);
}

TEST(FixedArena, RejectsBadAlignmentAndOverflowWithoutChange) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  ASSERT_NE(arena.push(10, 1), nullptr);
  const auto before = fields(arena.stats());
  EXPECT_EQ(arena.push(8, 3), nullptr);
  EXPECT_EQ(arena.last_error(), Error::bad_alignment);
  EXPECT_EQ(arena.push(8, 0), nullptr);
  EXPECT_EQ(arena.last_error(), Error::bad_alignment);
  EXPECT_EQ(arena.push(SIZE_MAX), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  EXPECT_EQ(arena.push_array<std::uint64_t>(SIZE_MAX / 4), nullptr);
  EXPECT_EQ(arena.last_error(), Error::size_overflow);
  EXPECT_EQ(arena.pos(), 10u);
  EXPECT_EQ(fields(arena.stats()), before);
}

TEST(FixedArena, PopToAndClearReuseTheBuffer) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  ASSERT_NE(arena.push(1000, 1), nullptr);
  void* second = arena.push(1000, 1);
  ASSERT_TRUE(arena.pop_to(1000));
  EXPECT_EQ(arena.push(1000, 1), second);
  EXPECT_FALSE(arena.pop_to(2001));
  arena.clear();
  EXPECT_EQ(arena.pos(), 0u);
  EXPECT_EQ(arena.push(kBufferBytes, 1), buffer);
}

TEST(FixedArena, GrowLastIsBoundedByTheBuffer) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  void* p = arena.push(100, 1);
  EXPECT_FALSE(arena.grow_last(p, 100, kBufferBytes + 1));
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_EQ(arena.pos(), 100u);
  EXPECT_TRUE(arena.grow_last(p, 100, kBufferBytes));
  EXPECT_EQ(arena.pos(), kBufferBytes);
  EXPECT_EQ(arena.stats().commit_calls, 0u);
}

TEST(FixedArena, PushZeroedZeroesReusedBytes) {
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  auto* p = static_cast<unsigned char*>(arena.push(500, 1));
  std::memset(p, 0xEE, 500);
  arena.clear();
  auto* z = static_cast<unsigned char*>(arena.push_zeroed(500, 1));
  ASSERT_EQ(z, p);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(z[i], 0) << i;
}

TEST(FixedArena, CreateConstructsInTheBuffer) {
  struct Pair {
    Pair(int a, int b) : first(a), second(b) {}
    int first;
    int second;
  };
  alignas(64) unsigned char buffer[kBufferBytes];
  FixedArena arena(buffer, sizeof buffer);
  Pair* pair = arena.create<Pair>(1, 2);
  ASSERT_NE(pair, nullptr);
  EXPECT_EQ(pair->first + pair->second, 3);
  EXPECT_TRUE(arena.owns(pair));
}

TEST(FixedArena, NullBufferHasNoRoom) {
  FixedArena arena(nullptr, 100);
  EXPECT_EQ(arena.capacity(), 0u);
  EXPECT_EQ(arena.push(1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
}

// Null is the failure value, so over a null buffer even a zero-byte push fails (and says so).
TEST(FixedArena, NullBufferFailsAZeroBytePushWithLastError) {
  FixedArena arena(nullptr, 0);
  EXPECT_EQ(arena.push(0, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
}

// Found by the hostile-input review (issue 16): with a size whose end wraps around the address space
// the limit lay below the buffer, the room came out huge, and pushes were handed memory outside the
// buffer.
TEST(FixedArena, ABufferWhoseEndWrapsTheAddressSpaceIsRefused) {
  alignas(16) unsigned char buffer[64] = {};
  FixedArena arena(buffer, SIZE_MAX);
  EXPECT_EQ(arena.capacity(), 0u);
  EXPECT_EQ(arena.last_error(), Error::bad_options);
  EXPECT_EQ(arena.push(16), nullptr);
  EXPECT_EQ(arena.push(128), nullptr);
  EXPECT_EQ(arena.last_error(), Error::bad_options);  // a construction error: kept for every call
  EXPECT_FALSE(arena.owns(buffer));
}

TEST(FixedArena, ABufferEndingExactlyAtTheTopOfTheAddressSpaceWrapsToo) {
  alignas(16) unsigned char buffer[64] = {};
  const std::size_t to_the_top = SIZE_MAX - addr(buffer) + 1;  // buffer + bytes == 2^64, i.e. 0
  FixedArena arena(buffer, to_the_top);
  EXPECT_EQ(arena.last_error(), Error::bad_options);
  EXPECT_EQ(arena.push(128), nullptr);
}

TEST(FixedArena, ZeroSizedBufferHasNoRoom) {
  unsigned char buffer[1];
  FixedArena arena(buffer, 0);
  EXPECT_EQ(arena.push(1, 1), nullptr);
  EXPECT_EQ(arena.last_error(), Error::exhausted);
  EXPECT_EQ(arena.push(0, 1), buffer);  // a zero-byte push fits: it is the buffer's start
}

}  // namespace
}  // namespace vmb
