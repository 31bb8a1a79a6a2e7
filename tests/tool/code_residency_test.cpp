// The cell's code is resident before the measured phase (tool/cell/code_residency.hpp).
#include "code_residency.hpp"

#include <gtest/gtest.h>

#include "probes.hpp"

namespace vmbench {
namespace {

TEST(CodeResidency, EveryCodeMappingIsPopulatedWithoutAnError) {
  const ProcStatus before = read_proc_status();
  EXPECT_EQ(make_code_resident(), "");
  const ProcStatus after = read_proc_status();
  ASSERT_TRUE(before.ok && after.ok);
  EXPECT_GE(after.vm_rss_bytes, before.vm_rss_bytes);  // the code mapped in stays
  EXPECT_EQ(make_code_resident(), "");                 // and a second call finds nothing left to do
}

}  // namespace
}  // namespace vmbench
