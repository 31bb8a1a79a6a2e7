// Progress while cells run: a bar with ETA on a terminal; on a pipe or under CI, nothing but
// failures (one line each), so logs stay calm.
#pragma once

#include <string>

namespace vmbench {

class Progress {
 public:
  Progress(int total, bool quiet);
  void cell_done(const std::string& label, bool ok, const std::string& error);
  void finish();

 private:
  int total_;
  int done_ = 0;
  bool bar_;
  bool quiet_;
  double t0_;
};

}  // namespace vmbench
