#include "atomic_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmbench {

namespace {

std::string reason(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The temporary being written, for remove_pending_temporary(): set before the file exists, cleared
// once it is renamed or removed. A plain buffer, so that a signal handler can read it.
char g_pending_path[PATH_MAX + 1];
volatile sig_atomic_t g_pending = 0;

void set_pending(const std::string& tmp) noexcept {
  if (tmp.size() > PATH_MAX) return;  // mkostemp would have refused such a name already
  std::memcpy(g_pending_path, tmp.c_str(), tmp.size() + 1);
  g_pending = 1;
}

void clear_pending() noexcept { g_pending = 0; }

// Removes the temporary (and forgets it) and returns `why`: the caller's error line.
std::string abandon(int fd, const std::string& tmp, const std::string& why) {
  if (fd >= 0) close(fd);
  unlink(tmp.c_str());
  clear_pending();
  return why;
}

// The permissions a new file gets from this process (0666 less the umask), or an existing target's.
mode_t mode_for(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
  const mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

// "" when nothing but a regular file (or nothing) is at PATH now: the last look before a rename.
std::string refuse_non_regular(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return errno == ENOENT ? "" : reason("cannot write", path);
  if (S_ISREG(st.st_mode)) return "";
  if (S_ISDIR(st.st_mode)) return "cannot write " + path + ": it is a directory";
  return "cannot write " + path + ": it exists and is " + kind_of(st.st_mode) +
         ", not a regular file (vmbench replaces only regular files)";
}

bool write_all(int fd, const std::string& content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void remove_pending_temporary() noexcept {
  if (g_pending != 0) unlink(g_pending_path);
}

std::string write_file_atomically(const std::string& path, const std::string& content) {
  if (std::string refused = refuse_non_regular(path); !refused.empty()) return refused;
  std::string tmp = path + ".tmp-XXXXXX";
  set_pending(tmp);  // the template, until mkostemp fills it in: unlinking it is harmless
  const int fd = mkostemp(tmp.data(), O_CLOEXEC);  // O_CREAT|O_EXCL: never a planted file or link
  if (fd < 0) {
    clear_pending();
    return reason("cannot create a temporary file beside", path);
  }
  set_pending(tmp);
  if (!write_all(fd, content)) return abandon(fd, tmp, reason("cannot write", tmp));
  if (fchmod(fd, mode_for(path)) != 0) return abandon(fd, tmp, reason("cannot set the permissions of", tmp));
  if (fsync(fd) != 0) return abandon(fd, tmp, reason("cannot flush", tmp));
  if (close(fd) != 0) return abandon(-1, tmp, reason("cannot write", tmp));
  // Something else may have been put at PATH since the run began: a regular file only is replaced.
  if (std::string refused = refuse_non_regular(path); !refused.empty()) return abandon(-1, tmp, refused);
  if (rename(tmp.c_str(), path.c_str()) != 0) return abandon(-1, tmp, reason("cannot rename onto", path));
  clear_pending();
  const int dfd = open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);  // make the rename itself durable; failure here loses nothing already written
    close(dfd);
  }
  return "";
}

std::string check_output_file(const std::string& path) {
  if (path.empty()) return "the output path is empty";
  if (std::string refused = refuse_non_regular(path); !refused.empty()) return refused;
  struct stat st {};
  // By its permission bits, not access(2) alone: root may write any file, but a file made read-only
  // says that it is not to be replaced.
  if (lstat(path.c_str(), &st) == 0 && ((st.st_mode & 0222) == 0 || access(path.c_str(), W_OK) != 0))
    return "cannot write " + path + ": it is read-only; make it writable or choose another file";
  const std::string dir = directory_of(path);
  const long name_max = pathconf(dir.c_str(), _PC_NAME_MAX);
  const std::size_t name_bytes = base_name(path).size();
  if (name_max > 0 && name_bytes + kLongestSiblingSuffix > static_cast<std::size_t>(name_max))
    return "cannot write " + path + ": its name is " + std::to_string(name_bytes) + " bytes, and vmbench needs " +
           std::to_string(kLongestSiblingSuffix) + " more for the files it writes beside it (at most " +
           std::to_string(name_max) + " in that directory)";
  std::string probe = dir + "/.vmbench-write-test-XXXXXX";
  const int fd = mkostemp(probe.data(), O_CLOEXEC);
  if (fd < 0) return reason("cannot write", path);
  close(fd);
  unlink(probe.c_str());
  return "";
}

}  // namespace vmbench
