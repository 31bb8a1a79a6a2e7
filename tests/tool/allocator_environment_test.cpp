// Which environment variables change an allocator under test (recorded, warned about, cleared by
// --clean-env).
#include "allocator_environment.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace vmbench {
namespace {

TEST(AllocatorEnvironment, NamesTheAllocatorsVariablesAndNoOthers) {
  for (const char* v : {"GLIBC_TUNABLES=glibc.malloc.arena_max=1", "MALLOC_ARENA_MAX=1", "MALLOC_CONF=narenas:1",
                        "MALLOC_TOP_PAD_=0", "MIMALLOC_ARENA_EAGER_COMMIT=1", "TCMALLOC_RELEASE_RATE=0",
                        "JE_MALLOC_CONF=x", "_RJEM_MALLOC_CONF=x", "HEAPPROFILE=/tmp/p", "PERFTOOLS_VERBOSE=1",
                        "JEMALLOC_X", "HEAPCHECK"})
    EXPECT_TRUE(is_allocator_variable(v)) << v;
  for (const char* v : {"PATH=/bin", "HOME=/root", "MALLOC_=1", "MALLOCX=1", "LD_PRELOAD=x", "MY_MALLOC_CONF=x", "CI"})
    EXPECT_FALSE(is_allocator_variable(v)) << v;
}

TEST(AllocatorEnvironment, ReadsThemFromTheEnvironment) {
  setenv("MIMALLOC_TEST_ONLY_VARIABLE", "7", 1);
  EXPECT_EQ(allocator_environment().at("MIMALLOC_TEST_ONLY_VARIABLE"), "7");
  unsetenv("MIMALLOC_TEST_ONLY_VARIABLE");
  EXPECT_EQ(allocator_environment().count("MIMALLOC_TEST_ONLY_VARIABLE"), 0u);
}

}  // namespace
}  // namespace vmbench
