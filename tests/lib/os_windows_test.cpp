// The OS primitive layer (vmb/os.hpp) as the Windows port must provide it. The OsContract tests
// hold on every platform; the OsWindows tests check, with VirtualQuery, what Windows records.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <thread>

#include "vmb/arena.hpp"
#include "vmb/os.hpp"
#include "vmb/pool.hpp"

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif

namespace {

constexpr std::size_t kKiB = 1024;

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

bool all_zero(const std::byte* p, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) {
    if (p[i] != std::byte{0}) return false;
  }
  return true;
}

// One reservation, released at the end of the test unless the test released it itself.
class Reservation {
 public:
  explicit Reservation(std::size_t bytes)
      : bytes_(bytes), p_(static_cast<std::byte*>(vmb::os::reserve(bytes))) {}
  ~Reservation() {
    if (p_ != nullptr) (void)vmb::os::release(p_, bytes_);
  }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;

  std::byte* get() const { return p_; }
  std::size_t bytes() const { return bytes_; }
  bool release() {
    const bool ok = vmb::os::release(p_, bytes_);
    if (ok) p_ = nullptr;
    return ok;
  }

 private:
  std::size_t bytes_;
  std::byte* p_;
};

std::size_t page() { return vmb::os::page_size(); }
std::size_t granularity() { return vmb::os::allocation_granularity(); }

// Room for the few pages a test commits, and a whole number of allocation blocks on every platform
// (both are powers of two, so the larger is a multiple of the smaller).
std::size_t test_reservation_bytes() {
  constexpr std::size_t kPages = 16;
  return std::max(kPages * page(), granularity());
}

// Half the address space a pointer can name: more than any OS gives one reservation.
std::size_t impossible_bytes() {
  return (std::numeric_limits<std::size_t>::max() / 2) & ~(granularity() - 1);
}

// ---------------------------------------------------------------------------------------------
// The contract of os.hpp, on every platform.

TEST(OsContract, PageSizeIsAPowerOfTwoOfAtLeast4KiB) {
  EXPECT_GE(page(), 4 * kKiB);
  EXPECT_EQ(page() & (page() - 1), 0u);
}

TEST(OsContract, AllocationGranularityIsAPowerOfTwoMultipleOfThePageSize) {
  EXPECT_GE(granularity(), page());
  EXPECT_EQ(granularity() & (granularity() - 1), 0u);
  EXPECT_EQ(granularity() % page(), 0u);
}

TEST(OsContract, ReservationStartsOnAnAllocationGranularityBoundary) {
  Reservation r(granularity());
  ASSERT_NE(r.get(), nullptr) << "error " << vmb::os::last_error();
  EXPECT_EQ(addr(r.get()) % granularity(), 0u);
}

TEST(OsContract, CommittedPagesReadAsZeroAndAreWritable) {
  Reservation r(test_reservation_bytes());
  ASSERT_NE(r.get(), nullptr);
  const std::size_t bytes = 3 * page();
  std::byte* p = r.get() + page();  // not at the start: commit works anywhere page-aligned inside
  ASSERT_TRUE(vmb::os::commit(p, bytes)) << "error " << vmb::os::last_error();
  EXPECT_TRUE(all_zero(p, bytes));
  std::memset(p, 0xAB, bytes);
  EXPECT_EQ(p[0], std::byte{0xAB});
  EXPECT_EQ(p[bytes - 1], std::byte{0xAB});
}

TEST(OsContract, CommittingCommittedPagesAgainKeepsTheirContents) {
  Reservation r(test_reservation_bytes());
  ASSERT_NE(r.get(), nullptr);
  ASSERT_TRUE(vmb::os::commit(r.get(), page()));
  r.get()[0] = std::byte{42};
  ASSERT_TRUE(vmb::os::commit(r.get(), 2 * page()));
  EXPECT_EQ(r.get()[0], std::byte{42});
  EXPECT_TRUE(all_zero(r.get() + page(), page()));
}

TEST(OsContract, RecommitAfterDecommitGivesFreshZeroPages) {
  Reservation r(test_reservation_bytes());
  ASSERT_NE(r.get(), nullptr);
  const std::size_t bytes = 2 * page();
  ASSERT_TRUE(vmb::os::commit(r.get(), bytes));
  std::memset(r.get(), 0x5A, bytes);
  ASSERT_TRUE(vmb::os::decommit(r.get(), bytes)) << "error " << vmb::os::last_error();
  ASSERT_TRUE(vmb::os::commit(r.get(), bytes));
  EXPECT_TRUE(all_zero(r.get(), bytes));
}

TEST(OsContract, DecommitOfPartOfACommittedRangeKeepsTheRest) {
  Reservation r(test_reservation_bytes());
  ASSERT_NE(r.get(), nullptr);
  ASSERT_TRUE(vmb::os::commit(r.get(), 2 * page()));
  r.get()[0] = std::byte{7};
  ASSERT_TRUE(vmb::os::decommit(r.get() + page(), page()));
  EXPECT_EQ(r.get()[0], std::byte{7});
}

// Windows' VirtualFree reads size 0 as "the whole region", so 0 must be handled before the call.
TEST(OsContract, CommitAndDecommitOfZeroBytesChangeNothing) {
  Reservation r(test_reservation_bytes());
  ASSERT_NE(r.get(), nullptr);
  ASSERT_TRUE(vmb::os::commit(r.get(), page()));
  r.get()[0] = std::byte{9};
  EXPECT_TRUE(vmb::os::commit(r.get() + page(), 0));
  EXPECT_TRUE(vmb::os::decommit(r.get(), 0));
  EXPECT_EQ(r.get()[0], std::byte{9});
}

TEST(OsContract, ReleaseReturnsACommittedReservation) {
  Reservation r(2 * test_reservation_bytes());
  ASSERT_NE(r.get(), nullptr);
  ASSERT_TRUE(vmb::os::commit(r.get(), page()));
  EXPECT_TRUE(r.release()) << "error " << vmb::os::last_error();
}

TEST(OsContract, ImpossibleReservationFailsWithAnError) {
  EXPECT_EQ(vmb::os::reserve(impossible_bytes()), nullptr);
  EXPECT_NE(vmb::os::last_error(), 0);
}

TEST(OsContract, LastErrorBelongsToTheThreadThatFailed) {
  ASSERT_EQ(vmb::os::reserve(impossible_bytes()), nullptr);
  ASSERT_NE(vmb::os::last_error(), 0);
  int other_thread_error = -1;
  std::thread([&] { other_thread_error = vmb::os::last_error(); }).join();
  EXPECT_EQ(other_thread_error, 0);
}

TEST(OsContract, LargeReservationCostsOnlyAddressSpace) {
  constexpr std::size_t kReserveBytes = std::size_t{64} * 1024 * 1024 * 1024;  // the arena default
  Reservation r(kReserveBytes);
  ASSERT_NE(r.get(), nullptr) << "error " << vmb::os::last_error();
  ASSERT_TRUE(vmb::os::commit(r.get() + kReserveBytes - page(), page()));  // the far end works too
  r.get()[kReserveBytes - 1] = std::byte{1};
}

// ---------------------------------------------------------------------------------------------
// What Windows records for each step, read back with VirtualQuery.
#ifdef _WIN32

MEMORY_BASIC_INFORMATION query(const void* p) {
  MEMORY_BASIC_INFORMATION info{};
  EXPECT_EQ(VirtualQuery(p, &info, sizeof info), sizeof info) << "error " << GetLastError();
  return info;
}

constexpr std::size_t k64KiB = 64 * kKiB;

TEST(OsWindows, PagesAre4KiBAndReservationsComeIn64KiBBlocks) {
  EXPECT_EQ(page(), 4 * kKiB);
  EXPECT_EQ(granularity(), k64KiB);
}

TEST(OsWindows, ReservedRangeIsMemReserveWithNoAccess) {
  Reservation r(k64KiB);
  ASSERT_NE(r.get(), nullptr);
  const MEMORY_BASIC_INFORMATION info = query(r.get());
  EXPECT_EQ(info.AllocationBase, r.get());
  EXPECT_EQ(info.BaseAddress, r.get());
  EXPECT_EQ(info.State, static_cast<DWORD>(MEM_RESERVE));
  EXPECT_EQ(info.AllocationProtect, static_cast<DWORD>(PAGE_NOACCESS));
  EXPECT_EQ(info.RegionSize, k64KiB);
}

// Windows would round a 4 KiB reservation to one page and waste the rest of its 64 KiB block; the
// library reserves whole blocks instead, and says so in its counters.
TEST(OsWindows, ArenaReservationIsRoundedToWhole64KiBBlocks) {
  vmb::ArenaOptions o;
  o.reserve_bytes = 4 * kKiB;
  o.guard_page = true;
  vmb::VirtualArena arena(o);
  ASSERT_EQ(arena.last_error(), vmb::Error::none);
  EXPECT_EQ(arena.stats().reserved_bytes, k64KiB);
  EXPECT_EQ(arena.capacity(), 4 * kKiB);

  auto* p = static_cast<std::byte*>(arena.push(16));
  ASSERT_NE(p, nullptr);
  const MEMORY_BASIC_INFORMATION committed = query(p);
  EXPECT_EQ(committed.AllocationBase, p);
  EXPECT_EQ(committed.State, static_cast<DWORD>(MEM_COMMIT));
  EXPECT_EQ(committed.RegionSize, page());  // the 64 KiB commit step is clipped to the capacity
  const MEMORY_BASIC_INFORMATION rest = query(p + page());  // guard page and the block's tail
  EXPECT_EQ(rest.State, static_cast<DWORD>(MEM_RESERVE));
  EXPECT_EQ(rest.RegionSize, k64KiB - page());
}

TEST(OsWindows, PoolReservationIsRoundedToWhole64KiBBlocks) {
  vmb::PoolOptions o;
  o.reserve_bytes = 100 * kKiB;
  vmb::Pool pool(o);
  EXPECT_EQ(pool.stats().reserved_bytes, 2 * k64KiB);
}

TEST(OsWindows, CommitTurnsExactlyThePagesAskedForIntoMemCommitReadWrite) {
  Reservation r(k64KiB);
  ASSERT_NE(r.get(), nullptr);
  std::byte* p = r.get() + page();
  ASSERT_TRUE(vmb::os::commit(p, 2 * page()));

  const MEMORY_BASIC_INFORMATION before = query(r.get());
  EXPECT_EQ(before.State, static_cast<DWORD>(MEM_RESERVE));
  EXPECT_EQ(before.RegionSize, page());

  const MEMORY_BASIC_INFORMATION committed = query(p);
  EXPECT_EQ(committed.State, static_cast<DWORD>(MEM_COMMIT));
  EXPECT_EQ(committed.Protect, static_cast<DWORD>(PAGE_READWRITE));
  EXPECT_EQ(committed.RegionSize, 2 * page());

  const MEMORY_BASIC_INFORMATION after = query(p + 2 * page());
  EXPECT_EQ(after.State, static_cast<DWORD>(MEM_RESERVE));
  EXPECT_EQ(after.RegionSize, k64KiB - 3 * page());
}

TEST(OsWindows, DecommitReturnsPagesToMemReserve) {
  Reservation r(k64KiB);
  ASSERT_NE(r.get(), nullptr);
  ASSERT_TRUE(vmb::os::commit(r.get(), 4 * page()));
  ASSERT_TRUE(vmb::os::decommit(r.get() + 2 * page(), 2 * page()));

  EXPECT_EQ(query(r.get()).State, static_cast<DWORD>(MEM_COMMIT));
  EXPECT_EQ(query(r.get()).RegionSize, 2 * page());
  const MEMORY_BASIC_INFORMATION decommitted = query(r.get() + 2 * page());
  EXPECT_EQ(decommitted.State, static_cast<DWORD>(MEM_RESERVE));
  EXPECT_EQ(decommitted.AllocationBase, r.get());  // still part of the reservation
}

TEST(OsWindows, ReleaseFreesTheWholeReservation) {
  Reservation r(2 * k64KiB);
  ASSERT_NE(r.get(), nullptr);
  std::byte* base = r.get();
  ASSERT_TRUE(vmb::os::commit(base + k64KiB, page()));
  ASSERT_TRUE(r.release());
  EXPECT_EQ(query(base).State, static_cast<DWORD>(MEM_FREE));
  EXPECT_EQ(query(base + k64KiB).State, static_cast<DWORD>(MEM_FREE));
}

TEST(OsWindows, ReleaseOfAnAddressInsideAReservationFailsWithInvalidAddress) {
  Reservation r(2 * k64KiB);
  ASSERT_NE(r.get(), nullptr);
  EXPECT_FALSE(vmb::os::release(r.get() + k64KiB, k64KiB));
  EXPECT_EQ(vmb::os::last_error(), ERROR_INVALID_ADDRESS);
  EXPECT_EQ(query(r.get()).State, static_cast<DWORD>(MEM_RESERVE));
}

TEST(OsWindows, CommitRunningPastTheReservationFailsAndCommitsNothing) {
  Reservation r(k64KiB);
  ASSERT_NE(r.get(), nullptr);
  EXPECT_FALSE(vmb::os::commit(r.get() + k64KiB - page(), 2 * page()));
  EXPECT_NE(vmb::os::last_error(), 0);
  EXPECT_EQ(query(r.get() + k64KiB - page()).State, static_cast<DWORD>(MEM_RESERVE));
}

TEST(OsWindows, HugePageAdviceIsRefusedAsNotSupported) {
  Reservation r(k64KiB);
  ASSERT_NE(r.get(), nullptr);
  EXPECT_FALSE(vmb::os::advise_huge_pages(r.get(), k64KiB));
  EXPECT_EQ(vmb::os::last_error(), ERROR_NOT_SUPPORTED);
}

#endif  // _WIN32

}  // namespace
