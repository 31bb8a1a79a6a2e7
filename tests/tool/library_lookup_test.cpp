// Finding a preloaded library as the dynamic loader does, and telling a malloc replacement from a
// file that is not one (tool/plan/library_lookup.hpp).
#include "library_lookup.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "scratch_files.hpp"

namespace vmbench {
namespace {

TEST(LibraryLookup, TheLoaderFindsLibcByName) {
  const std::string path = find_by_loader("libc.so.6");
  ASSERT_FALSE(path.empty());
  EXPECT_NE(path.find("libc.so.6"), std::string::npos) << path;
  EXPECT_EQ(shared_object_problem(path), "");
}

TEST(LibraryLookup, AnUnknownNameIsNotFound) { EXPECT_EQ(find_by_loader("libvmbench-no-such-library.so.9"), ""); }

TEST(LibraryLookup, LibcDefinesMallocAndLibzDoesNot) {
  const std::string libc = find_by_loader("libc.so.6");
  EXPECT_TRUE(defines_malloc(libc)) << libc;
  const std::string libz = find_by_loader("libz.so.1");
  if (libz.empty()) GTEST_SKIP() << "zlib is not installed here";
  EXPECT_FALSE(defines_malloc(libz)) << libz;
}

TEST(LibraryLookup, AMissingFileSaysSo) {
  EXPECT_EQ(shared_object_problem("/nonexistent/libx.so"), "/nonexistent/libx.so: No such file or directory");
  EXPECT_FALSE(defines_malloc("/nonexistent/libx.so"));
}

TEST(LibraryLookup, ATextFileIsNotASharedObject) {
  const std::string dir = test_files::scratch_dir("vmbench-lookup");
  const std::string path = dir + "/notes.so";
  std::ofstream(path) << "not a library\n";
  EXPECT_EQ(shared_object_problem(path), path + ": not a shared object (no ELF header)");
  EXPECT_FALSE(defines_malloc(path));
  std::remove(path.c_str());
  std::remove(dir.c_str());
}

}  // namespace
}  // namespace vmbench
