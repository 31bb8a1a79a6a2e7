// The one line that explains a failed cell, from how its process ended (no process needed here).
#include "child_failure.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include "cell_protocol.hpp"

namespace vmbench {
namespace {

int exited(CellExit code) { return exit_status(code) << 8; }  // as waitpid encodes a normal exit

TEST(ChildFailure, AResultAndStatusZeroIsSuccess) {
  ChildEnd end;
  end.wrote_result = true;
  EXPECT_EQ(child_failure(end, {}), "");
}

TEST(ChildFailure, TheChildsOwnLastLineWithoutItsPrefix) {
  ChildEnd end;
  end.wait_status = exited(CellExit::workload_error);
  end.err_text = "noise\nvmbench: strings: vocabulary and words_per_line must be at least 1\n";
  EXPECT_EQ(child_failure(end, {}), "strings: vocabulary and words_per_line must be at least 1");
}

TEST(ChildFailure, AnExitWithoutAWordNamesTheStatus) {
  ChildEnd end;
  end.wait_status = exited(CellExit::result_unwritable);
  EXPECT_EQ(child_failure(end, {}), "exited with status 6");
}

// Under a limit, a death that running out of memory explains names the limit even when the cell
// does not say so itself: mimalloc at 16 MiB said only SIGABRT.
TEST(ChildFailure, ADeathTheLimitExplainsNamesTheLimit) {
  const CellLimits limited{0, 16u << 20};
  const std::string note = " (under --memory-limit 16 MiB: most likely out of memory)";
  ChildEnd end;
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS}) {
    end.wait_status = sig;  // as waitpid encodes death by a signal
    EXPECT_NE(child_failure(end, limited).find(note), std::string::npos) << sig;
    EXPECT_EQ(child_failure(end, {}).find("memory-limit"), std::string::npos) << sig;
  }
  end.wait_status = exited(CellExit::exec_failed);
  end.err_text = "vmbench: error while loading shared libraries: libmimalloc.so.2: failed to map segment\n";
  EXPECT_NE(child_failure(end, limited).find(note), std::string::npos);
  end.wait_status = exited(CellExit::workload_error);
  end.err_text = "vmbench: std::bad_alloc\n";
  EXPECT_EQ(child_failure(end, limited), "std::bad_alloc" + note);
  end.err_text = "vmbench: strings: checksum differs\n";  // nothing to do with memory
  EXPECT_EQ(child_failure(end, limited), "strings: checksum differs");
  end.wait_status = SIGKILL;
  EXPECT_EQ(child_failure(end, limited).find("memory-limit"), std::string::npos);
}

TEST(ChildFailure, MemoryRunningOutUnderALimitNamesTheLimit) {
  ChildEnd end;
  end.wait_status = exited(CellExit::allocation_failed);
  end.err_text = "vmbench: allocation of 64 bytes failed after 3 successful ones\n";
  EXPECT_EQ(child_failure(end, {0, 16u << 20}),
            "allocation of 64 bytes failed after 3 successful ones (--memory-limit 16 MiB reached)");
  EXPECT_EQ(child_failure(end, {}), "allocation of 64 bytes failed after 3 successful ones");
}

TEST(ChildFailure, ASanitizersReportLineWinsOverItsLastLine) {
  ChildEnd end;
  end.wait_status = exited(CellExit::ok) | 1 << 8;
  end.err_text = "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n  #0 ...\n==1==ABORTING\n";
  EXPECT_EQ(child_failure(end, {}), "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1");
}

TEST(ChildFailure, ASignalTimeoutOrInterruptionSaysSo) {
  ChildEnd end;
  end.wait_status = SIGSEGV;  // as waitpid encodes a death by signal
  EXPECT_EQ(child_failure(end, {}), "crashed with signal 11 (SIGSEGV)");
  end.timed_out = true;
  EXPECT_EQ(child_failure(end, {5}), "timed out after 5 s");
  EXPECT_EQ(child_failure(end, {0.4}), "timed out after 0.4 s");  // not "after 0 s"
  end.cancelled = true;
  EXPECT_EQ(child_failure(end, {5}), "interrupted");
}

TEST(ChildFailure, StatusZeroWithoutAResultIsAFailure) {
  ChildEnd end;
  end.err_text = "vmbench: something\n";
  EXPECT_EQ(child_failure(end, {}), "exited without a result: something");
}

}  // namespace
}  // namespace vmbench
