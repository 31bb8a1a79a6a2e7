// Probes on cases whose answer is known: touching N fresh pages raises the peak RSS by about N
// pages and costs at least N minor faults.
#include "probes.hpp"

#include <sys/mman.h>

#include <gtest/gtest.h>

#include <cstring>

#include "vmb/config.hpp"

namespace vmbench {
namespace {

constexpr std::size_t kTouchBytes = 64u << 20;
constexpr std::size_t kPage = 4096;
#if defined(VMB_ASAN)
constexpr std::size_t kSanitizerShadowPages = kTouchBytes / kPage / 8;
#else
constexpr std::size_t kSanitizerShadowPages = 0;
#endif

TEST(Probes, ProcStatusIsReadable) {
  const ProcStatus s = read_proc_status();
  ASSERT_TRUE(s.ok);
  EXPECT_GT(s.vm_rss_bytes, 0u);
  EXPECT_GE(s.vm_hwm_bytes, s.vm_rss_bytes);
}

TEST(Probes, TouchingFreshPagesCostsOneMinorFaultEach) {
  void* p = mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  madvise(p, kTouchBytes, MADV_NOHUGEPAGE);  // one fault per 4 KiB page, whatever the THP setting
  const Usage before = read_usage();
  for (std::size_t i = 0; i < kTouchBytes; i += kPage) static_cast<volatile char*>(p)[i] = 1;
  const Usage after = read_usage();
  EXPECT_GE(after.minor_faults - before.minor_faults, kTouchBytes / kPage);
  // A sanitizer also faults in its shadow memory (one byte per eight).
  EXPECT_LT(after.minor_faults - before.minor_faults, kTouchBytes / kPage + kSanitizerShadowPages + 1000);
  munmap(p, kTouchBytes);
}

TEST(Probes, PeakRssResetsThenFollowsTheTouchedPages) {
  void* p = mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  std::memset(p, 1, kTouchBytes);
  munmap(p, kTouchBytes);  // the old peak now includes 64 MiB that is gone
  ASSERT_TRUE(reset_peak_rss());
  const ProcStatus reset = read_proc_status();
  EXPECT_LT(reset.vm_hwm_bytes, reset.vm_rss_bytes + kTouchBytes / 2) << "the peak was not reset";
  p = mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  std::memset(p, 1, kTouchBytes);
  const ProcStatus after = read_proc_status();
  const double grew = static_cast<double>(after.vm_hwm_bytes - reset.vm_rss_bytes);
  EXPECT_GT(grew, 0.95 * kTouchBytes);
  EXPECT_LT(grew, 1.10 * kTouchBytes);
  munmap(p, kTouchBytes);
}

TEST(Probes, StatmAnonymousRssFollowsTheTouchedPages) {
  const Statm before = read_statm();
  ASSERT_TRUE(before.ok);
  void* p = mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  std::memset(p, 1, kTouchBytes);
  const Statm after = read_statm();
  const double grew = static_cast<double>(after.anon_bytes) - static_cast<double>(before.anon_bytes);
  EXPECT_GT(grew, 0.95 * kTouchBytes);
  EXPECT_LT(grew, 1.10 * kTouchBytes + static_cast<double>(kSanitizerShadowPages * kPage));
  EXPECT_LE(after.anon_bytes, after.resident_bytes);
  munmap(p, kTouchBytes);
}

}  // namespace
}  // namespace vmbench
