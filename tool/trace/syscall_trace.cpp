#include "syscall_trace.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "syscall_marker.hpp"

namespace vmbench {

namespace {

#if defined(__x86_64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t kAuditArch = 0;  // not handled: the counting pass reports why
#endif

struct Traced {
  long nr;
  MemoryCall call;
};
constexpr Traced kTraced[] = {{SYS_mmap, MemoryCall::mmap},         {SYS_munmap, MemoryCall::munmap},
                              {SYS_mremap, MemoryCall::mremap},     {SYS_brk, MemoryCall::brk},
                              {SYS_mprotect, MemoryCall::mprotect}, {SYS_madvise, MemoryCall::madvise}};

// Offset of the low 32 bits of the first argument in seccomp_data (little-endian on both targets).
constexpr std::uint32_t kArg0Low = offsetof(seccomp_data, args);

sock_filter load(std::uint32_t offset) { return BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset); }
sock_filter ret(std::uint32_t action) { return BPF_STMT(BPF_RET | BPF_K, action); }

bool find_call(long nr, MemoryCall* out) {
  for (const auto& t : kTraced)
    if (t.nr == nr) {
      *out = t.call;
      return true;
    }
  return false;
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

SeccompFilter::SeccompFilter() {
  if (kAuditArch == 0) return;
  // Layout: [0] load arch, [1] wrong arch -> allow, [2] load nr, one test per traced call,
  // getpid test, load arg0, two marker tests, allow, trace. Jumps are counted from the next insn.
  const auto n_calls = static_cast<std::uint8_t>(std::size(kTraced));
  const std::uint8_t allow_at = static_cast<std::uint8_t>(3 + n_calls + 1 + 1 + 2);
  const std::uint8_t trace_at = allow_at + 1;
  code_.push_back(load(offsetof(seccomp_data, arch)));
  code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 0, static_cast<std::uint8_t>(allow_at - 2)));
  code_.push_back(load(offsetof(seccomp_data, nr)));
  for (std::uint8_t i = 0; i < n_calls; ++i) {
    const std::uint8_t at = static_cast<std::uint8_t>(3 + i);
    code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(kTraced[i].nr),
                             static_cast<std::uint8_t>(trace_at - at - 1), 0));
  }
  const std::uint8_t getpid_at = static_cast<std::uint8_t>(3 + n_calls);
  code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, static_cast<std::uint8_t>(allow_at - getpid_at - 1)));
  code_.push_back(load(kArg0Low));
  code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kMarkerBegin, static_cast<std::uint8_t>(trace_at - (getpid_at + 2) - 1), 0));
  code_.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kMarkerEnd, static_cast<std::uint8_t>(trace_at - (getpid_at + 3) - 1), 0));
  code_.push_back(ret(SECCOMP_RET_ALLOW));
  code_.push_back(ret(SECCOMP_RET_TRACE));
  prog_.len = static_cast<unsigned short>(code_.size());
  prog_.filter = code_.data();
}

bool become_traced_child(const SeccompFilter& filter) noexcept {
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) return false;
  if (raise(SIGSTOP) != 0) return false;  // the parent sets PTRACE_O_TRACESECCOMP while we are stopped
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter.program()) == 0;
}

namespace {

// What the tracer carries from one stop of the child to the next.
struct TracerState {
  bool counting = false;  // between the child's two markers
  bool pending = false;   // a memory call was entered: its exit stop brings its result
  FinishedCall call{};
};

// A failed tracing step: kill the child, reap it, and say which step failed.
TraceResult reap(pid_t pid, const char* what, TraceResult out) {
  out.error = errno_text(what);
  int status = 0;
  kill(pid, SIGKILL);
  while (waitpid(pid, &status, __WALL) > 0 && !WIFEXITED(status) && !WIFSIGNALED(status)) {
  }
  out.wait_status = status;
  return out;
}

// A seccomp stop, at the entry of a filtered call: a marker switches counting on or off; a memory
// call is held, and the child resumed to stop once more at its exit (`resume`), for its result.
bool on_seccomp_stop(pid_t pid, TracerState& st, TraceResult& out, long& resume) {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, reinterpret_cast<void*>(sizeof info), &info) <= 0) return false;
  const auto nr = static_cast<long>(info.seccomp.nr);
  if (nr == SYS_getpid) {
    if (info.seccomp.args[0] == kMarkerBegin) st.counting = out.saw_begin = true;
    if (info.seccomp.args[0] == kMarkerEnd) {
      st.counting = false;
      out.saw_end = true;
    }
  } else if (find_call(nr, &st.call.call)) {
    for (int i = 0; i < 6; ++i) st.call.args[i] = info.seccomp.args[i];
    st.pending = true;
    resume = PTRACE_SYSCALL;
  }
  return true;
}

// The exit stop of a held memory call: it is finished, with its result.
bool on_syscall_exit_stop(pid_t pid, TracerState& st, TraceResult& out) {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, reinterpret_cast<void*>(sizeof info), &info) <= 0) return false;
  if (st.pending && info.op == PTRACE_SYSCALL_INFO_EXIT) {
    st.call.result = info.exit.rval;
    st.call.failed = info.exit.is_error != 0;
    out.tally.finished(st.call, st.counting);
    st.pending = false;
  }
  return true;
}

// One stop of the child: count what it shows, then resume it. nullptr, or the step that failed.
const char* handle_stop(pid_t pid, int status, TracerState& st, TraceResult& out) {
  const int sig = WSTOPSIG(status);
  const int event = (status >> 16) & 0xff;
  long resume = PTRACE_CONT;
  int deliver = 0;
  if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
    if (!on_seccomp_stop(pid, st, out, resume)) return "ptrace(GET_SYSCALL_INFO)";
  } else if (sig == (SIGTRAP | 0x80)) {
    if (!on_syscall_exit_stop(pid, st, out)) return "ptrace(GET_SYSCALL_INFO)";
  } else if (sig == SIGTRAP && event != 0) {
    // exec and other ptrace events: nothing to count
  } else {
    deliver = sig;  // a real signal: hand it on
  }
  if (ptrace(static_cast<__ptrace_request>(resume), pid, nullptr, reinterpret_cast<void*>(static_cast<long>(deliver))) != 0 &&
      errno != ESRCH)
    return "ptrace(resume)";
  return nullptr;
}

}  // namespace

TraceResult trace_until_exit(pid_t pid) {
  TraceResult out;
  int status = 0;
  while (waitpid(pid, &status, __WALL) < 0)
    if (errno != EINTR) return reap(pid, "waitpid", std::move(out));
  if (!WIFSTOPPED(status)) {  // it never got as far as the stop: pass its status on
    out.wait_status = status;
    out.error = "the child exited before it could be traced";
    return out;
  }
  const long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  if (ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(options)) != 0)
    return reap(pid, "ptrace(SETOPTIONS)", std::move(out));
  if (ptrace(PTRACE_CONT, pid, nullptr, nullptr) != 0) return reap(pid, "ptrace(CONT)", std::move(out));

  TracerState st;
  for (;;) {
    if (waitpid(pid, &status, __WALL) < 0) {
      if (errno == EINTR) continue;
      return reap(pid, "waitpid", std::move(out));
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) break;
    if (const char* failed = handle_stop(pid, status, st, out)) return reap(pid, failed, std::move(out));
  }
  out.wait_status = status;
  out.traced = true;
  return out;
}

}  // namespace vmbench
