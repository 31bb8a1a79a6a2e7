// Progress while cells run: a bar with ETA on a terminal; on a pipe or under CI, nothing but
// failures (one line each), so logs stay calm.
#pragma once

#include <string>

namespace vmbench {

class Progress {
 public:
  Progress(int total, bool quiet);
  void cell_done(const std::string& label, bool ok, const std::string& error);
  void finish();  // clear(), then (without a bar) the count and time of the cells
  void clear();   // take the bar off the terminal, so that the next line starts clean

 private:
  int total_;
  int done_ = 0;
  bool bar_;
  bool quiet_;
  double t0_;
};

}  // namespace vmbench
