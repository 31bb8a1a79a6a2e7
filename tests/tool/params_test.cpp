// Parameter values: sizes and counts with suffixes, and everything malformed refused with a reason.
#include "params.hpp"

#include <vector>

#include "catalog.hpp"

#include <gtest/gtest.h>

namespace vmbench {
namespace {

TEST(Params, BytesTakePowerOfTwoSuffixes) {
  EXPECT_EQ(parse_bytes("4096"), 4096u);
  EXPECT_EQ(parse_bytes("4K"), 4096u);
  EXPECT_EQ(parse_bytes("64k"), 65536u);
  EXPECT_EQ(parse_bytes("2M"), 2u << 20);
  EXPECT_EQ(parse_bytes("64G"), 64ull << 30);
  EXPECT_EQ(parse_bytes("1T"), 1ull << 40);
}

TEST(Params, CountsTakePowerOfTenSuffixes) {
  EXPECT_EQ(parse_count("2M"), 2000000u);
  EXPECT_EQ(parse_count("100k"), 100000u);
}

TEST(Params, MalformedValuesAreRefusedWithAReason) {
  std::string why;
  EXPECT_FALSE(parse_bytes("", &why));
  EXPECT_FALSE(parse_bytes("K", &why));
  EXPECT_FALSE(parse_bytes("-1", &why));
  EXPECT_FALSE(parse_bytes("12KB", &why));
  EXPECT_FALSE(parse_bytes("1.5M", &why));
  EXPECT_FALSE(parse_bytes("12X", &why));
  EXPECT_NE(why.find("suffix"), std::string::npos);
}

TEST(Params, OverflowIsRefused) {
  std::string why;
  EXPECT_FALSE(parse_count("99999999999999999999", &why));
  EXPECT_NE(why.find("too large"), std::string::npos);
  EXPECT_FALSE(parse_bytes("17179869184T", &why));
  EXPECT_EQ(parse_count("18446744073709551615"), UINT64_MAX);
}

TEST(Params, ShortByteFormatRoundTrips) {
  EXPECT_EQ(format_bytes_short(4096), "4K");
  EXPECT_EQ(format_bytes_short(2u << 20), "2M");
  EXPECT_EQ(format_bytes_short(1000), "1000");
  for (const char* s : {"4K", "64K", "2M", "64G"}) EXPECT_EQ(format_bytes_short(*parse_bytes(s)), s);
}

TEST(Params, LongByteFormatNamesTheBinaryUnit) {
  EXPECT_EQ(format_bytes_long(*parse_bytes("64M")), "64 MiB");
  EXPECT_EQ(format_bytes_long(*parse_bytes("64G")), "64 GiB");
  EXPECT_EQ(format_bytes_long(*parse_bytes("1536K")), "1536 KiB");  // exact, never rounded
  EXPECT_EQ(format_bytes_long(1000), "1000 bytes");
}

// A value the workload cannot honour is refused with the valid range: depth=4294967300 used to run
// depth 4 (a cast to int) and depth=30 ran until the timeout.
TEST(Params, ValuesOutsideTheDeclaredRangeAreRefusedNamingIt) {
  const ParamDef& depth = find_workload("tree")->params[0];
  ASSERT_EQ(depth.name, "depth");
  for (const char* v : {"4294967300", "64", "30", "1K", "3", "0"})
    EXPECT_EQ(validate_param(depth, v), std::string("parameter depth=") + v + ": out of range (valid: 4 to 22)") << v;
  EXPECT_EQ(validate_param(depth, "22"), "");
  const ParamDef& step = allocator_params()[0];
  ASSERT_EQ(step.name, "commit_step");
  EXPECT_NE(validate_param(step, "0").find("(valid: 1 to 64T)"), std::string::npos);
}

TEST(Params, EveryCountAndSizeHasADeclaredRangeHoldingItsDefaults) {
  std::vector<const ParamDef*> all;
  for (const auto& w : workload_catalog())
    for (const auto& p : w.params) all.push_back(&p);
  for (const auto& p : allocator_params()) all.push_back(&p);
  for (const ParamDef* p : all) {
    // A text (a trace, a command) has no range; one with no default is required (plan.cpp).
    if (p->kind == ParamKind::text) continue;
    for (const auto& d : p->defaults) EXPECT_EQ(validate_param(*p, d), "") << p->name;
    if (p->kind == ParamKind::choice || p->name.rfind("test_", 0) == 0) continue;
    EXPECT_LT(p->range.max, UINT64_MAX) << p->name << " has no declared maximum";
  }
  // A divisor or a count of things that must exist starts at 1.
  for (const char* name : {"words_per_line", "vocabulary", "live_objects"}) {
    const ParamDef* def = nullptr;
    for (const ParamDef* p : all) def = p->name == name ? p : def;
    ASSERT_NE(def, nullptr) << name;
    EXPECT_EQ(def->range.min, 1u) << name;
  }
}

TEST(Params, AHugeValueIsNotEchoedWhole) {
  const std::string digits(310, '9');
  const std::string why = validate_param(find_workload("tree")->params[0], digits);
  EXPECT_NE(why.find("(310 characters)"), std::string::npos) << why;
  EXPECT_LT(why.size(), 120u) << why;
}

}  // namespace
}  // namespace vmbench
