#include "program_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

#include "allocator_environment.hpp"
#include "cell_deadline.hpp"
#include "child_failure.hpp"
#include "probes.hpp"
#include "process_tree_trace.hpp"

extern "C" char** environ;

namespace vmbench {

namespace {

constexpr int kWatchSliceMs = 20;  // how often the watchdog looks at the clock and the cancel flag
constexpr int kExecFailedStatus = 127;  // the child could not become the program (as a shell says)

bool same_name(const char* entry, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  return std::strncmp(entry, assignment.c_str(), eq + 1) == 0;
}

// vmbench's environment with LD_PRELOAD and `l.env` replaced; under --clean-env without the
// allocators' variables (allocator_environment.hpp), as for a workload's cell.
std::vector<std::string> program_environment(const ProgramLaunch& l, bool clean_allocator_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    bool replaced = std::strncmp(*e, "LD_PRELOAD=", 11) == 0 || (clean_allocator_env && is_allocator_variable(*e));
    for (const auto& a : l.env) replaced |= same_name(*e, a);
    if (!replaced) env.emplace_back(*e);
  }
  for (const auto& a : l.env) env.push_back(a);
  if (!l.preload.empty()) env.push_back("LD_PRELOAD=" + l.preload);
  return env;
}

// Everything execve needs, built before fork: the child makes only async-signal-safe calls.
struct Exec {
  std::vector<std::string> env_strings, arg_strings;
  std::vector<char*> envp, argv;
  int out_fd = -1, err_fd = -1;

  Exec(const ProgramLaunch& l, bool clean_allocator_env)
      : env_strings(program_environment(l, clean_allocator_env)), arg_strings(l.argv) {
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& s : arg_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (l.interactive) return;
    // Never through a symbolic link planted at the name (--program-output may be a shared folder).
    out_fd = open(l.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    err_fd = open(l.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  }
  ~Exec() {
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
  }
  Exec(const Exec&) = delete;
  Exec& operator=(const Exec&) = delete;
};

// The program's standard files: /dev/null and the two files, or vmbench's own (interactive). An
// ignored signal stays ignored across exec: the interactive program gets Ctrl-C's default back.
bool set_up_terminal(const ProgramLaunch& l, const Exec& x) noexcept {
  if (l.interactive) return signal(SIGINT, SIG_DFL) != SIG_ERR && signal(SIGQUIT, SIG_DFL) != SIG_ERR;
  setpgid(0, 0);  // its own group: a timeout kills whatever the program started, too
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);  // dup2 clears it on 0
  return devnull >= 0 && dup2(devnull, 0) >= 0 && dup2(x.out_fd, 1) >= 0 && dup2(x.err_fd, 2) >= 0;
}

[[noreturn]] void become_program(const ProgramLaunch& l, const Exec& x, const CellLimits& limits,
                                 const SeccompFilter* filter, pid_t parent) noexcept {
  if (!set_up_terminal(l, x)) _exit(kExecFailedStatus);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(kExecFailedStatus);
  if (signal(SIGXFSZ, SIG_DFL) == SIG_ERR || !apply_in_child(limits)) _exit(kExecFailedStatus);
  if (filter != nullptr && !become_traced_child(*filter)) _exit(kExecFailedStatus);
  execve(l.path.c_str(), x.argv.data(), x.envp.data());
  const char* why = "vmbench: cannot execute the program\n";
  (void)!write(2, why, std::strlen(why));
  _exit(kExecFailedStatus);
}

// Kills the program's process group at the timeout or on cancellation, until `done`. A stop of
// vmbench itself (SIGSTOP, Ctrl-Z) is not counted against the timeout (cell_deadline.hpp).
void watch(pid_t pid, double t0, const CellLimits& limits, const std::atomic<bool>& cancel,
           const std::atomic<bool>& done, ProgramEnd& end) {
  CellDeadline deadline(t0, limits.timeout_s);
  while (!done.load()) {
    const bool late = deadline.passed(monotonic_now_s());
    if (late || cancel.load()) {
      (late ? end.timed_out : end.cancelled) = true;
      kill(pid, SIGKILL);
      kill(-pid, SIGKILL);  // its group, when it has one of its own (ESRCH otherwise)
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kWatchSliceMs));
  }
}

// The program could not be watched (no thread for its timeout): it is killed, reaped, and the run
// fails with `why`. A traced child is stopped at its first system call; SIGKILL ends it all the same.
ProgramEnd unwatched(pid_t pid, const ProgramLaunch& l, const std::string& why) {
  ProgramEnd end;
  end.pid = pid;
  end.error = why;
  kill(pid, SIGKILL);
  if (!l.interactive) kill(-pid, SIGKILL);
  while (waitpid(pid, &end.wait_status, 0) < 0 && errno == EINTR) {
  }
  return end;
}

}  // namespace

ProgramEnd run_program(const ProgramLaunch& l, const CellLimits& limits, const std::atomic<bool>& cancel,
                       bool traced) {
  ProgramEnd end;
  const Exec x(l, limits.clean_allocator_env);
  if (!l.interactive && (x.out_fd < 0 || x.err_fd < 0)) {
    end.error = "cannot open " + (x.out_fd < 0 ? l.stdout_path : l.stderr_path) + ": " + std::strerror(errno);
    return end;
  }
  const SeccompFilter filter;
  if (traced && !filter.supported()) {
    end.error = "system-call tracing is not implemented for this architecture";
    return end;
  }
  const double t0 = monotonic_now_s();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    end.error = std::string("cannot fork: ") + std::strerror(errno);
    return end;
  }
  if (pid == 0) become_program(l, x, limits, traced ? &filter : nullptr, parent);
  end.pid = pid;
  std::atomic<bool> done{false};
  ProgramEnd watched;
  std::thread watchdog;
  try {
    watchdog = std::thread([&] { watch(pid, t0, limits, cancel, done, watched); });
  } catch (const std::system_error& e) {  // RLIMIT_NPROC counts threads: fail this run, not vmbench
    return unwatched(pid, l, std::string("cannot start the thread that watches the program (a process limit?): ") +
                                 std::strerror(e.code().value()));
  }
  if (traced) {
    end.trace = trace_tree_until_exit(pid);  // this thread forked it: ptrace binds the tracees to it
    end.wait_status = end.trace->wait_status;
  } else {
    while (wait4(pid, &end.wait_status, 0, &end.usage) < 0 && errno == EINTR) {
    }
  }
  end.wall_s = monotonic_now_s() - t0;
  done = true;
  watchdog.join();
  end.timed_out = watched.timed_out;
  end.cancelled = watched.cancelled;
  if (!l.interactive) kill(-pid, SIGKILL);  // what the program left running in its group goes with it
  return end;
}

std::string program_failure(const ProgramEnd& end, const CellLimits& limits) {
  if (!end.error.empty()) return end.error;
  if (end.cancelled) return "interrupted";
  if (end.timed_out) return timed_out_text(limits.timeout_s);
  const int status = end.wait_status;
  // Under a --memory-limit, an abort, a fault or an exec that failed is most likely the limit's doing.
  const std::string suspect =
      limits.memory_limit_bytes > 0 ? memory_limit_suspect_note(limits.memory_limit_bytes) : std::string();
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return "the program was killed by signal " + std::to_string(sig) +
           (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : "") +
           (sig == SIGSEGV || sig == SIGABRT || sig == SIGBUS ? suspect : "");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return "the program exited with status " + std::to_string(WEXITSTATUS(status)) +
           (WEXITSTATUS(status) == kExecFailedStatus ? suspect : "");
  return "";
}

}  // namespace vmbench
