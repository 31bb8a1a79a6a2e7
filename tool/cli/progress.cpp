#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "probes.hpp"

namespace vmbench {

namespace {
constexpr int kBarWidth = 30;
}

Progress::Progress(int total, bool quiet)
    : total_(total), bar_(!quiet && isatty(STDERR_FILENO) && std::getenv("CI") == nullptr), quiet_(quiet),
      t0_(monotonic_now_s()) {}

void Progress::cell_done(const std::string& label, bool ok, const std::string& error) {
  ++done_;
  if (!ok) {
    if (bar_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "vmbench: cell %s failed: %s\n", label.c_str(), error.c_str());
  }
  if (!bar_) return;
  const double elapsed = monotonic_now_s() - t0_;
  const double eta = done_ > 0 ? elapsed / done_ * (total_ - done_) : 0;
  const int filled = total_ > 0 ? kBarWidth * done_ / total_ : kBarWidth;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kBarWidth, '.');
  std::fprintf(stderr, "\r\033[K[%s] %d/%d  ETA %.0f s  %s", bar.c_str(), done_, total_, eta, label.c_str());
  std::fflush(stderr);
}

void Progress::clear() {
  if (bar_) std::fprintf(stderr, "\r\033[K");
}

void Progress::finish() {
  clear();
  if (!quiet_ && !bar_)
    std::fprintf(stderr, "vmbench: %d cells in %.1f s\n", done_, monotonic_now_s() - t0_);
}

}  // namespace vmbench
