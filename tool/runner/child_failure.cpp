#include "child_failure.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "cell_protocol.hpp"

namespace vmbench {

namespace {

constexpr std::string_view kOwnPrefix = "vmbench: ";  // how a cell process starts its own messages

// The last line, without the "vmbench: " a cell process starts its own messages with: the error is
// recorded beside the cell, where the program name says nothing.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  const std::string line = text.substr(start, end - start + 1);
  return line.starts_with(kOwnPrefix) ? line.substr(kOwnPrefix.size()) : line;
}

// The line of a child's stderr that explains its failure: a sanitizer's report line when there is
// one (its last line is only "ABORTING"), else the last line.
std::string explaining_line(const std::string& text) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "ERROR: ThreadSanitizer",
                             "WARNING: ThreadSanitizer", "runtime error:"}) {
    const std::size_t at = text.find(marker);
    if (at == std::string::npos) continue;
    const std::size_t start = text.rfind('\n', at);
    const std::size_t end = text.find('\n', at);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end == std::string::npos ? std::string::npos : end - (start == std::string::npos ? 0 : start + 1));
  }
  return last_line(text);
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : "");
}

// Whether running out of memory explains how a cell died, when it does not say so itself: allocators
// abort (mimalloc, tcmalloc) or fault (jemalloc) when the kernel refuses a mapping, and the loader
// cannot map a preloaded library or exec fails. Under a --memory-limit these are the limit's doing.
bool plausibly_out_of_memory(const ChildEnd& end) {
  const int status = end.wait_status;
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return sig == SIGSEGV || sig == SIGABRT || sig == SIGBUS;
  }
  if (!WIFEXITED(status)) return false;
  const int code = WEXITSTATUS(status);
  if (code == exit_status(CellExit::exec_failed) || code == exit_status(CellExit::setup_failed)) return true;
  for (const char* word : {"memory", "bad_alloc", "failed to map", "mmap", "ENOMEM"})
    if (end.err_text.find(word) != std::string::npos) return true;
  return false;
}

}  // namespace

std::string timed_out_text(double timeout_s) {
  char seconds[32];  // %g: 0.4 s, 2 s, 120 s (a cast to int said "timed out after 0 s")
  std::snprintf(seconds, sizeof seconds, "%g", timeout_s);
  return "timed out after " + std::string(seconds) + " s";
}

std::string child_failure(const ChildEnd& end, const CellLimits& limits) {
  const int status = end.wait_status;
  const std::string said = explaining_line(end.err_text);
  auto with_said = [&](std::string what) { return said.empty() ? what : what + ": " + said; };
  if (end.cancelled) return "interrupted";
  if (end.timed_out) return timed_out_text(limits.timeout_s);
  const bool limited = limits.memory_limit_bytes > 0;
  const std::string suspect = limited && plausibly_out_of_memory(end) ? memory_limit_suspect_note(limits.memory_limit_bytes) : "";
  if (WIFSIGNALED(status)) return with_said("crashed with " + signal_name(WTERMSIG(status))) + suspect;
  if (WIFEXITED(status) && WEXITSTATUS(status) != exit_status(CellExit::ok)) {
    std::string error = said.empty() ? "exited with status " + std::to_string(WEXITSTATUS(status)) : said;
    if (WEXITSTATUS(status) == exit_status(CellExit::allocation_failed) && limited)
      return error + memory_limit_note(limits.memory_limit_bytes);
    return error + suspect;
  }
  if (!end.wrote_result) return with_said("exited without a result");
  return "";
}

}  // namespace vmbench
