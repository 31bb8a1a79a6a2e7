// When a cell has run too long (--timeout), as its parent can judge it: the time between two looks at
// the clock, each look counting at most kMaxCountedStepS. A parent that was itself stopped (SIGSTOP,
// Ctrl-Z) or a machine that was suspended sees one long step, during which the cell may not have run
// either: that step is not counted whole. Without this, a cell that finished while vmbench was stopped
// for longer than --timeout was reported as timed out.
#pragma once

namespace vmbench {

// The parent looks every 50 ms (child_process.cpp); a step five times as long is a stop, not work.
inline constexpr double kMaxCountedStepS = 0.25;

class CellDeadline {
 public:
  CellDeadline(double start_s, double timeout_s) noexcept : last_s_(start_s), timeout_s_(timeout_s) {}

  // The clock read now: true once the counted time is past the timeout (never, for a timeout of 0).
  bool passed(double now_s) noexcept {
    const double step_s = now_s - last_s_;
    last_s_ = now_s;
    if (step_s > 0) counted_s_ += step_s < kMaxCountedStepS ? step_s : kMaxCountedStepS;
    return timeout_s_ > 0 && counted_s_ > timeout_s_;
  }

  double counted_s() const noexcept { return counted_s_; }

 private:
  double last_s_;
  double timeout_s_;
  double counted_s_ = 0;
};

}  // namespace vmbench
