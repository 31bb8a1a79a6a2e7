#include "child_descriptors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "cell_protocol.hpp"

namespace vmbench {

bool place_cell_descriptors(int err_fd, int result_fd) noexcept {
  constexpr int kAboveTargets = kResultFd + 1;
  const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return false;
  const int sources[] = {fcntl(devnull, F_DUPFD_CLOEXEC, kAboveTargets), fcntl(devnull, F_DUPFD_CLOEXEC, kAboveTargets),
                         fcntl(err_fd, F_DUPFD_CLOEXEC, kAboveTargets), fcntl(result_fd, F_DUPFD_CLOEXEC, kAboveTargets)};
  const int targets[] = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, kResultFd};
  for (int i = 0; i < 4; ++i)
    if (sources[i] < 0 || dup2(sources[i], targets[i]) != targets[i]) return false;  // dup2 clears O_CLOEXEC
  return true;
}

}  // namespace vmbench
