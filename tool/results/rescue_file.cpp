#include "rescue_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vmbench {

namespace {

constexpr const char* kDefaultTmpDir = "/tmp";  // what $TMPDIR means when it is not set (POSIX)
constexpr int kSuffixBytes = 5;                 // ".json" after the random part of the name

// Writes a new exclusive file from the template (its X's replaced): "" or why not. A failed write
// removes the file.
std::string write_new_file(std::string& path, const std::string& content) {
  const int fd = mkostemps(path.data(), kSuffixBytes, O_CLOEXEC);  // O_CREAT|O_EXCL, mode 0600
  if (fd < 0) return std::strerror(errno);
  for (std::size_t done = 0; done < content.size();) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(n < 0 ? errno : ENOSPC);  // 0 bytes written: no room
      close(fd);
      unlink(path.c_str());
      return why;
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    const std::string why = std::strerror(errno);
    unlink(path.c_str());
    return why;
  }
  return "";
}

}  // namespace

std::string temporary_directory() {
  const char* env = std::getenv("TMPDIR");
  std::string dir = env != nullptr && *env != '\0' ? env : kDefaultTmpDir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

Rescue save_rescue(const std::string& out_path, const std::string& why, const std::string& content,
                   std::size_t cells_measured) {
  const std::string lost = "cannot write results to " + out_path + ": " + why;
  std::string rescue = temporary_directory() + "/vmbench-rescue-" + std::to_string(getpid()) + "-XXXXXX.json";
  if (const std::string rescue_why = write_new_file(rescue, content); !rescue_why.empty())
    return {false, lost + "; saving them to " + rescue + " failed too: " + rescue_why};
  const bool one = cells_measured == 1;
  return {true, lost + "; the " + std::to_string(cells_measured) + (one ? " cell" : " cells") + " measured so far " +
                    (one ? "is" : "are") + " saved in " + rescue};
}

}  // namespace vmbench
