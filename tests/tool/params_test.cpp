// Parameter values: sizes and counts with suffixes, and everything malformed refused with a reason.
#include "params.hpp"

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

}  // namespace
}  // namespace vmbench
