// Write a file so that readers see either the old content or the complete new one, never a torn
// write: temporary file in the same directory, fsync, rename over the target, fsync the directory.
#pragma once

#include <string>

namespace vmbench {

// Empty string on success, else a one-line reason. The target is untouched on failure.
std::string write_file_atomically(const std::string& path, const std::string& content);

// Refuse an output path before measuring: the directory must exist and accept a new file.
std::string check_writable(const std::string& path);

}  // namespace vmbench
