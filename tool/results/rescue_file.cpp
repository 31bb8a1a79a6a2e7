#include "rescue_file.hpp"

#include <unistd.h>

#include <cstdlib>

#include "atomic_file.hpp"

namespace vmbench {

namespace {
constexpr const char* kDefaultTmpDir = "/tmp";  // what $TMPDIR means when it is not set (POSIX)
}  // namespace

std::string rescue_path() {
  const char* env = std::getenv("TMPDIR");
  std::string dir = env != nullptr && *env != '\0' ? env : kDefaultTmpDir;
  if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + "/vmbench-rescue-" + std::to_string(getpid()) + ".json";
}

std::string save_rescue(const std::string& out_path, const std::string& why, const std::string& content,
                        std::size_t cells_measured) {
  const std::string lost = "cannot write results to " + out_path + ": " + why;
  const std::string rescue = rescue_path();
  if (const std::string rescue_why = write_file_atomically(rescue, content); !rescue_why.empty())
    return lost + "; saving them to " + rescue + " failed too: " + rescue_why;
  const bool one = cells_measured == 1;
  return lost + "; the " + std::to_string(cells_measured) + (one ? " cell" : " cells") + " measured so far " +
         (one ? "is" : "are") + " saved in " + rescue;
}

}  // namespace vmbench
