// Write a file so that readers see either the old content or the complete new one, never a torn
// write: a temporary file in the same directory, fsync, rename over the target, fsync the directory.
//
// Nothing that is not ours is ever overwritten: the temporary is created exclusively under a random
// name (O_CREAT|O_EXCL, which never follows a symbolic link planted at that name), and the target is
// replaced only when it is absent or a regular file (never a device such as /dev/null, a FIFO, a
// socket, a directory or a symbolic link).
#pragma once

#include <string>

namespace vmbench {

// The output path that means standard output (`--out -`): no file is written.
inline constexpr const char* kStandardOutput = "-";

// Empty string on success, else a one-line reason. The target is untouched on failure, and no
// temporary file is left behind.
std::string write_file_atomically(const std::string& path, const std::string& content);

// The longest suffix a file vmbench writes beside PATH adds to its name (PATH.partial.tmp-XXXXXX):
// check_output_file() refuses a name that would not leave room for it.
inline constexpr std::size_t kLongestSiblingSuffix = sizeof(".partial.tmp-XXXXXX") - 1;

// Refuse an output path before anything is measured: "" when PATH may be written, else one line.
// Refused: an empty path; an existing PATH that is not a regular file (a symbolic link included); a
// read-only PATH; a name too long for its directory (with the suffixes above); a directory that does
// not exist or does not accept a new file.
std::string check_output_file(const std::string& path);

// Async-signal-safe: removes the temporary file that write_file_atomically() is writing, if any.
// A signal handler that exits at once (a second Ctrl-C) calls it first, so that no temporary is left.
void remove_pending_temporary() noexcept;

// Directory part of PATH ("." for a bare name, "/" for a file in the root).
std::string directory_of(const std::string& path);

}  // namespace vmbench
