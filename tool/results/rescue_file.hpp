// Where a run's results go when its --out file cannot be written any more (the directory deleted,
// the disk full, a file-size limit): a new file in the temporary directory, so that losing the
// output location does not lose the cells measured so far.
#pragma once

#include <string>

namespace vmbench {

// $TMPDIR ($TMPDIR unset or empty: /tmp), without a trailing slash.
std::string temporary_directory();

// Saves `content` in a new file $TMPDIR/vmbench-rescue-<pid>-XXXXXX.json, created exclusively (a file
// or symbolic link another user planted at a predictable name is never followed or overwritten) and
// readable by its owner only.
struct Rescue {
  bool saved = false;
  // The one line to print, without the "vmbench: " prefix: "cannot write results to OUT: WHY; the N
  // cells measured so far are saved in RESCUE", or, when the rescue file cannot be written either,
  // both reasons.
  std::string line;
};

Rescue save_rescue(const std::string& out_path, const std::string& why, const std::string& content,
                   std::size_t cells_measured);

}  // namespace vmbench
