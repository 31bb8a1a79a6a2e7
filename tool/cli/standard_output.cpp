#include "standard_output.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace vmbench {

namespace {
int g_first_errno = 0;  // of the first write to stdout that failed; 0: none failed (or no reason)
bool g_failed = false;

void remember_failure() {
  if (!g_failed) g_first_errno = errno;
  g_failed = true;
}
}  // namespace

void print_out(std::string_view text) {
  if (text.empty()) return;
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) remember_failure();
}

void print_outf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  if (n > 0) {
    std::string text(static_cast<std::size_t>(n) + 1, '\0');
    std::vsnprintf(text.data(), text.size(), format, again);
    text.pop_back();
    print_out(text);
  }
  va_end(again);
}

std::string standard_output_failure() {
  errno = 0;
  std::cout.flush();  // synchronised with stdio: its writes, if any, went through stdout's buffer
  if (std::fflush(stdout) != 0) remember_failure();
  if (std::ferror(stdout) || !std::cout.good()) g_failed = true;
  if (!g_failed) return "";
  return g_first_errno != 0 ? std::strerror(g_first_errno) : "write error";
}

}  // namespace vmbench
