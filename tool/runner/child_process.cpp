#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>
#include <vector>

#include "allocator_environment.hpp"
#include "cell_deadline.hpp"
#include "cell_protocol.hpp"
#include "child_descriptors.hpp"
#include "child_failure.hpp"
#include "probes.hpp"

extern char** environ;

namespace vmbench {

namespace {

constexpr std::size_t kMaxStderrBytes = 64 * 1024;
constexpr int kPollSliceMs = 50;  // how often a waiting parent looks at the clock and the cancel flag

// The parent's environment without LD_PRELOAD (and, under --clean-env, without the user's allocator
// variables), the preload asked for, then `overrides` (NAME=value replaces NAME: the traced pass's
// pins stay under --clean-env).
std::vector<std::string> child_environment(const std::string& preload, bool clean_allocator_env,
                                           const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0 && !(clean_allocator_env && is_allocator_variable(*e)))
      env.emplace_back(*e);
  if (!preload.empty()) env.push_back("LD_PRELOAD=" + preload);
  for (const std::string& o : overrides) {  // NAME=value replaces NAME
    const std::string name = o.substr(0, o.find('=') + 1);
    std::erase_if(env, [&](const std::string& v) { return v.compare(0, name.size(), name) == 0; });
    env.push_back(o);
  }
  return env;
}

// The result pipe and the stderr pipe of one child; closes whatever is still open.
struct ChildPipes {
  int result[2] = {-1, -1};  // [0] the parent reads, [1] the child writes (as kResultFd)
  int err[2] = {-1, -1};

  ChildPipes() = default;
  ChildPipes(const ChildPipes&) = delete;
  ChildPipes& operator=(const ChildPipes&) = delete;
  ~ChildPipes() {
    for (int* fd : {&result[0], &result[1], &err[0], &err[1]}) close_one(*fd);
  }
  // "" or why not.
  std::string open() {
    if (pipe2(result, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
      return std::string("cannot create pipe: ") + std::strerror(errno);
    return "";
  }
  void close_write_ends() {
    close_one(result[1]);
    close_one(err[1]);
  }
  static void close_one(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

// Everything the child needs to exec, built before fork: only async-signal-safe calls after it.
struct CellCommand {
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  std::string arg0, arg1 = "__cell", arg2;
  char* argv[4] = {};

  CellCommand(const std::string& exe, const std::string& spec_text, const std::string& preload, bool clean_allocator_env,
              const std::vector<std::string>& overrides)
      : env_strings(child_environment(preload, clean_allocator_env, overrides)), arg0(exe), arg2(spec_text) {
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    argv[0] = arg0.data();
    argv[1] = arg1.data();
    argv[2] = arg2.data();
  }
  CellCommand(const CellCommand&) = delete;
  CellCommand& operator=(const CellCommand&) = delete;
};

[[noreturn]] void exit_in_child(const char* line_with_newline, CellExit code) noexcept {
  (void)!write(2, line_with_newline, std::strlen(line_with_newline));
  _exit(exit_status(code));
}

// The forked child: its own process group, tied to vmbench's life, descriptors in place, limits set,
// traced if asked; then exec. Only async-signal-safe calls.
[[noreturn]] void become_cell(const CellCommand& command, const ChildPipes& pipes, const CellLimits& limits,
                              const SeccompFilter* filter, pid_t parent) noexcept {
  setpgid(0, 0);  // its own process group: a terminal's Ctrl-C reaches the parent, which decides
  // If vmbench dies (a second Ctrl-C exits at once, or a crash), the cell must not live on: a hung
  // cell would otherwise hold a core forever. getppid() catches a parent that died before prctl.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
    exit_in_child("vmbench: cannot tie the cell process to vmbench (prctl refused, or vmbench is gone)\n",
                  CellExit::setup_failed);
  if (!place_cell_descriptors(pipes.err[1], pipes.result[1]))
    exit_in_child("vmbench: cannot set up the cell process's descriptors\n", CellExit::setup_failed);
  // vmbench ignores SIGXFSZ (main.cpp) and an ignored signal stays ignored across exec: the cell
  // gets the default back, as any program would.
  if (signal(SIGXFSZ, SIG_DFL) == SIG_ERR || !apply_in_child(limits))
    exit_in_child("vmbench: cannot set up the cell process (SIGXFSZ or the --memory-limit refused)\n",
                  CellExit::setup_failed);
  if (filter != nullptr && !become_traced_child(*filter))
    exit_in_child("vmbench: cannot trace the cell process (ptrace or seccomp refused)\n", CellExit::setup_failed);
  execve(command.argv[0], command.argv, command.envp.data());
  exit_in_child("vmbench: cannot execute the cell process\n", CellExit::exec_failed);
}

struct Drained {
  std::string result_json;
  std::string err_text;  // the tail of the child's stderr
  bool timed_out = false;
  bool cancelled = false;
};

// One read from a ready pipe into `into`; false once the pipe is closed (or broken).
bool read_some(int fd, std::string& into) {
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0) into.append(buf, static_cast<std::size_t>(n));
  return n > 0 || (n < 0 && errno == EINTR);
}

// Read the result and stderr pipes until both close; kill the child on timeout or cancellation. The
// pipes are read before the deadline is judged, and a stop of vmbench itself is not counted
// (cell_deadline.hpp): a cell that finished while vmbench was stopped has not timed out.
Drained drain(pid_t pid, int result_fd, int err_fd, double t0, double timeout_s, const std::atomic<bool>& cancel) {
  Drained d;
  bool open[2] = {true, true};
  std::string* into[2] = {&d.result_json, &d.err_text};
  CellDeadline deadline(t0, timeout_s);
  while (open[0] || open[1]) {
    if (cancel.load()) {
      d.cancelled = true;
      break;
    }
    pollfd fds[2] = {{result_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    const int r = poll(fds, 2, kPollSliceMs);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; r > 0 && i < 2; ++i)
      if (open[i] && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) open[i] = read_some(fds[i].fd, *into[i]);
    // Keep the tail: the last line is the one that explains a failure.
    if (d.err_text.size() > kMaxStderrBytes) d.err_text.erase(0, d.err_text.size() - kMaxStderrBytes);
    if ((open[0] || open[1]) && deadline.passed(monotonic_now_s())) {
      d.timed_out = true;
      break;
    }
  }
  if (d.timed_out || d.cancelled) kill(pid, SIGKILL);
  return d;
}

// Drain the pipes until the child ends and reap it: its wait status. A traced child stops at each
// memory system call until the tracer resumes it, so the tracer (this thread: ptrace binds a tracee
// to the thread that forked it) cannot also block on the pipes; a second thread reads them.
int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// A thread cannot be started under a tight process limit (RLIMIT_NPROC counts threads): the cell is
// killed and fails with this line, instead of std::system_error ending vmbench.
int wait_for_child(pid_t pid, const ChildPipes& pipes, double t0, const CellLimits& limits,
                   const std::atomic<bool>& cancel, bool traced, Drained& drained, ChildOutcome& out) {
  if (traced) {
    std::thread reader;
    try {
      reader = std::thread([&] { drained = drain(pid, pipes.result[0], pipes.err[0], t0, limits.timeout_s, cancel); });
    } catch (const std::system_error& e) {
      kill(pid, SIGKILL);
      out.error = std::string("cannot start the thread that reads a traced cell's output (a process limit?): ") +
                  std::strerror(e.code().value());
      return reap(pid);
    }
    out.trace = trace_until_exit(pid);
    reader.join();
    return out.trace->wait_status;
  }
  drained = drain(pid, pipes.result[0], pipes.err[0], t0, limits.timeout_s, cancel);
  return reap(pid);
}

}  // namespace

ChildOutcome run_child(const std::string& exe, const std::string& spec_text, const std::string& preload,
                       const CellLimits& limits, const std::atomic<bool>& cancel, bool trace_memory_syscalls,
                       const std::vector<std::string>& overrides) {
  ChildOutcome out;
  ChildPipes pipes;
  if (out.error = pipes.open(); !out.error.empty()) return out;
  const CellCommand command(exe, spec_text, preload, limits.clean_allocator_env, overrides);
  const SeccompFilter filter;
  if (trace_memory_syscalls && !filter.supported()) {
    out.error = "system-call tracing is not implemented for this architecture";
    return out;
  }
  const double t0 = monotonic_now_s();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    out.error = std::string("cannot fork: ") + std::strerror(errno);
    return out;
  }
  if (pid == 0) become_cell(command, pipes, limits, trace_memory_syscalls ? &filter : nullptr, parent);
  pipes.close_write_ends();

  Drained drained;
  ChildEnd end;
  end.wait_status = wait_for_child(pid, pipes, t0, limits, cancel, trace_memory_syscalls, drained, out);
  out.elapsed_s = monotonic_now_s() - t0;
  if (!out.error.empty()) return out;
  end.timed_out = drained.timed_out;
  end.cancelled = drained.cancelled;
  end.wrote_result = !drained.result_json.empty();
  end.err_text = std::move(drained.err_text);
  out.result_json = std::move(drained.result_json);
  out.error = child_failure(end, limits);
  out.ok = out.error.empty();
  return out;
}

ChildOutcome run_child(const std::string& exe, const CellSpec& spec, const std::string& preload,
                       const CellLimits& limits, const std::atomic<bool>& cancel, bool trace_memory_syscalls,
                       const std::vector<std::string>& overrides) {
  return run_child(exe, encode_cell_spec(spec), preload, limits, cancel, trace_memory_syscalls, overrides);
}

}  // namespace vmbench
