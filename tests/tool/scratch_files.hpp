// Files for the tool's tests: a fresh scratch directory, and a file's whole content.
#pragma once

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

namespace vmbench::test_files {

// A new empty directory under /tmp whose name starts with `prefix`.
inline std::string scratch_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  return mkdtemp(tmpl.data());
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vmbench::test_files
