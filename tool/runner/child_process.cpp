#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "probes.hpp"
#include "cell_protocol.hpp"

extern char** environ;

namespace vmbench {

namespace {

constexpr std::size_t kMaxStderrBytes = 64 * 1024;
constexpr int kPollSliceMs = 50;  // how often a waiting parent looks at the clock and the cancel flag
constexpr std::string_view kOwnPrefix = "vmbench: ";  // how a cell process starts its own messages

std::string last_line(const std::string& text);

// The line of a child's stderr that explains its failure: a sanitizer's report line when there is
// one (its last line is only "ABORTING"), else the last line.
std::string explaining_line(const std::string& text) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "ERROR: ThreadSanitizer",
                             "WARNING: ThreadSanitizer", "runtime error:"}) {
    const std::size_t at = text.find(marker);
    if (at == std::string::npos) continue;
    const std::size_t start = text.rfind('\n', at);
    const std::size_t end = text.find('\n', at);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end == std::string::npos ? std::string::npos : end - (start == std::string::npos ? 0 : start + 1));
  }
  return last_line(text);
}

// The last line, without the "vmbench: " a cell process starts its own messages with: the error is
// recorded beside the cell, where the program name says nothing.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  const std::string line = text.substr(start, end - start + 1);
  return line.starts_with(kOwnPrefix) ? line.substr(kOwnPrefix.size()) : line;
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : "");
}

std::vector<std::string> child_environment(const std::string& preload) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0) env.emplace_back(*e);
  if (!preload.empty()) env.push_back("LD_PRELOAD=" + preload);
  return env;
}

struct Drained {
  std::string result_json;
  std::string err_text;  // the tail of the child's stderr
  bool timed_out = false;
  bool cancelled = false;
};

// Read the result and stderr pipes until both close; kill the child on timeout or cancellation.
Drained drain(pid_t pid, int result_fd, int err_fd, double t0, double timeout_s, const std::atomic<bool>& cancel) {
  Drained d;
  bool result_open = true, err_open = true;
  char buf[4096];
  while (result_open || err_open) {
    if (cancel.load()) {
      d.cancelled = true;
      break;
    }
    if (timeout_s > 0 && monotonic_now_s() - t0 > timeout_s) {
      d.timed_out = true;
      break;
    }
    pollfd fds[2] = {{result_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    const int r = poll(fds, 2, kPollSliceMs);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      bool& open_flag = i == 0 ? result_open : err_open;
      if (!open_flag || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        if (i == 0) d.result_json.append(buf, static_cast<std::size_t>(n));
        else {
          d.err_text.append(buf, static_cast<std::size_t>(n));
          // Keep the tail: the last line is the one that explains a failure.
          if (d.err_text.size() > kMaxStderrBytes) d.err_text.erase(0, d.err_text.size() - kMaxStderrBytes);
        }
      } else if (n == 0 || errno != EINTR) {
        open_flag = false;
      }
    }
  }
  if (d.timed_out || d.cancelled) kill(pid, SIGKILL);
  return d;
}

}  // namespace

ChildOutcome run_child(const std::string& exe, const std::string& spec_json, const std::string& preload,
                       const CellLimits& limits, const std::atomic<bool>& cancel, bool trace_memory_syscalls) {
  ChildOutcome out;
  int result_pipe[2], err_pipe[2];
  if (pipe2(result_pipe, O_CLOEXEC) != 0) {
    out.error = std::string("cannot create pipe: ") + std::strerror(errno);
    return out;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    out.error = std::string("cannot create pipe: ") + std::strerror(errno);
    close(result_pipe[0]);
    close(result_pipe[1]);
    return out;
  }
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::vector<std::string> env_strings = child_environment(preload);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string arg0 = exe, arg1 = "__cell", arg2 = spec_json;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  const SeccompFilter filter;
  if (trace_memory_syscalls && !filter.supported()) {
    out.error = "system-call tracing is not implemented for this architecture";
    for (int fd : {result_pipe[0], result_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return out;
  }

  const double t0 = monotonic_now_s();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    out.error = std::string("cannot fork: ") + std::strerror(errno);
    for (int fd : {result_pipe[0], result_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return out;
  }
  if (pid == 0) {
    setpgid(0, 0);  // its own process group: a terminal's Ctrl-C reaches the parent, which decides
    // If vmbench dies (a second Ctrl-C exits at once, or a crash), the cell must not live on: a hung
    // cell would otherwise hold a core forever. getppid() catches a parent that died before prctl.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
      const char msg[] = "vmbench: cannot tie the cell process to vmbench (prctl refused, or vmbench is gone)\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(exit_status(CellExit::setup_failed));
    }
    const int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
    }
    dup2(err_pipe[1], 2);
    dup2(result_pipe[1], kResultFd);  // dup2 clears O_CLOEXEC on the new descriptor
    // vmbench ignores SIGXFSZ (main.cpp) and an ignored signal stays ignored across exec: the cell
    // gets the default back, as any program would.
    if (signal(SIGXFSZ, SIG_DFL) == SIG_ERR || !apply_in_child(limits)) {
      const char msg[] = "vmbench: cannot set up the cell process (SIGXFSZ or the --memory-limit refused)\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(exit_status(CellExit::setup_failed));
    }
    if (trace_memory_syscalls && !become_traced_child(filter)) {
      const char msg[] = "vmbench: cannot trace the cell process (ptrace or seccomp refused)\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(exit_status(CellExit::setup_failed));
    }
    execve(argv[0], argv, envp.data());
    const char msg[] = "vmbench: cannot execute the cell process\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(exit_status(CellExit::exec_failed));
  }
  close(result_pipe[1]);
  close(err_pipe[1]);

  // A traced child stops at each memory system call until the tracer resumes it, so the tracer
  // (this thread: ptrace binds a tracee to the thread that forked it) cannot also block on the pipes.
  Drained drained;
  int status = 0;
  if (trace_memory_syscalls) {
    std::thread reader([&] { drained = drain(pid, result_pipe[0], err_pipe[0], t0, limits.timeout_s, cancel); });
    out.trace = trace_until_exit(pid);
    reader.join();
    status = out.trace->wait_status;
  } else {
    drained = drain(pid, result_pipe[0], err_pipe[0], t0, limits.timeout_s, cancel);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  out.result_json = std::move(drained.result_json);
  const std::string& err_text = drained.err_text;
  const bool timed_out = drained.timed_out, cancelled = drained.cancelled;
  close(result_pipe[0]);
  close(err_pipe[0]);
  out.elapsed_s = monotonic_now_s() - t0;

  const std::string said = explaining_line(err_text);
  auto with_said = [&](std::string what) { return said.empty() ? what : what + ": " + said; };
  if (cancelled) {
    out.error = "interrupted";
  } else if (timed_out) {
    out.error = "timed out after " + std::to_string(static_cast<int>(limits.timeout_s)) + " s";
  } else if (WIFSIGNALED(status)) {
    out.error = with_said("crashed with " + signal_name(WTERMSIG(status)));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    out.error = said.empty() ? "exited with status " + std::to_string(WEXITSTATUS(status)) : said;
    if (WEXITSTATUS(status) == exit_status(CellExit::allocation_failed) && limits.memory_limit_bytes > 0)
      out.error += memory_limit_note(limits.memory_limit_bytes);
  } else if (out.result_json.empty()) {
    out.error = with_said("exited without a result");
  } else {
    out.ok = true;
  }
  return out;
}

}  // namespace vmbench
