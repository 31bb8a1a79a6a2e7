// Where a run's results go when its --out file cannot be written any more (the directory deleted,
// the disk full, a file-size limit): a file in the temporary directory, so that losing the output
// location does not lose the cells measured so far.
#pragma once

#include <string>

namespace vmbench {

// $TMPDIR/vmbench-rescue-<pid>.json ($TMPDIR unset or empty: /tmp). One per vmbench process.
std::string rescue_path();

// Save `content` there, atomically. The one line to print, without the "vmbench: " prefix:
// "cannot write results to OUT: WHY; the N cells measured so far are saved in RESCUE", or, when the
// rescue file cannot be written either, both reasons.
std::string save_rescue(const std::string& out_path, const std::string& why, const std::string& content,
                        std::size_t cells_measured);

}  // namespace vmbench
