#include "process_tree_trace.hpp"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "syscall_marker.hpp"

namespace vmbench {

namespace {

constexpr long kMemoryCallNumbers[] = {SYS_mmap, SYS_munmap, SYS_mremap, SYS_brk, SYS_mprotect, SYS_madvise};
constexpr MemoryCall kMemoryCallKinds[] = {MemoryCall::mmap,   MemoryCall::munmap,   MemoryCall::mremap,
                                           MemoryCall::brk,    MemoryCall::mprotect, MemoryCall::madvise};

// What the tracer keeps per task (process or thread).
struct Task {
  bool counting = false;
  bool pending = false;  // a memory call was entered: its exit stop brings its result
  FinishedCall call{};
  SyscallTally tally;
};

bool memory_call(long nr, MemoryCall* out) {
  for (std::size_t i = 0; i < std::size(kMemoryCallNumbers); ++i)
    if (kMemoryCallNumbers[i] == nr) {
      *out = kMemoryCallKinds[i];
      return true;
    }
  return false;
}

class TreeTracer {
 public:
  explicit TreeTracer(pid_t root) : root_(root) {}

  TraceResult run();

 private:
  bool on_stop(pid_t tid, int status);
  bool on_seccomp(pid_t tid, Task& t, long& resume);
  bool on_syscall_exit(pid_t tid, Task& t);
  void on_new_task(pid_t parent);
  void on_exit(pid_t tid, int status);

  pid_t root_;
  std::map<pid_t, Task> tasks_;
  std::map<pid_t, bool> born_counting_;  // tasks announced by their parent's event, not yet seen
  SyscallTally done_;                    // the tallies of the tasks that exited
  TraceResult out_;
};

bool TreeTracer::on_seccomp(pid_t tid, Task& t, long& resume) {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof info), &info) <= 0) return false;
  const auto nr = static_cast<long>(info.seccomp.nr);
  if (nr == SYS_getpid) {
    if (info.seccomp.args[0] == kMarkerBegin) t.counting = out_.saw_begin = true;
    if (info.seccomp.args[0] == kMarkerEnd) {
      t.counting = false;
      out_.saw_end = true;
    }
  } else if (memory_call(nr, &t.call.call)) {
    for (int i = 0; i < 6; ++i) t.call.args[i] = info.seccomp.args[i];
    t.pending = true;
    resume = PTRACE_SYSCALL;
  }
  return true;
}

bool TreeTracer::on_syscall_exit(pid_t tid, Task& t) {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof info), &info) <= 0) return false;
  if (t.pending && info.op == PTRACE_SYSCALL_INFO_EXIT) {
    t.call.result = info.exit.rval;
    t.call.failed = info.exit.is_error != 0;
    t.tally.finished(t.call, t.counting);
    t.pending = false;
  }
  return true;
}

// A fork, vfork or clone: the new task starts with its parent's counting state.
void TreeTracer::on_new_task(pid_t parent) {
  unsigned long child = 0;
  if (ptrace(PTRACE_GETEVENTMSG, parent, nullptr, &child) == 0) born_counting_[static_cast<pid_t>(child)] = tasks_[parent].counting;
}

void TreeTracer::on_exit(pid_t tid, int status) {
  if (tid == root_) out_.wait_status = status;
  const auto it = tasks_.find(tid);
  if (it == tasks_.end()) return;
  add_tally(done_, it->second.tally);
  tasks_.erase(it);
}

// One stop of one task: count what it shows, then resume it. False when ptrace failed.
bool TreeTracer::on_stop(pid_t tid, int status) {
  const bool fresh = tasks_.count(tid) == 0;
  Task& t = tasks_[tid];
  if (fresh) {
    const auto born = born_counting_.find(tid);
    t.counting = born != born_counting_.end() && born->second;
    if (born != born_counting_.end()) born_counting_.erase(born);
  }
  const int sig = WSTOPSIG(status);
  const int event = (status >> 16) & 0xff;
  long resume = PTRACE_CONT;
  int deliver = 0;
  if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
    if (!on_seccomp(tid, t, resume)) return false;
  } else if (sig == (SIGTRAP | 0x80)) {
    if (!on_syscall_exit(tid, t)) return false;
  } else if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE)) {
    on_new_task(tid);
  } else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
    add_tally(done_, t.tally);  // a new address space: its program break starts afresh
    t.tally = SyscallTally{};
  } else if (sig == SIGTRAP && event != 0) {
    // the other ptrace events: nothing to count
  } else if (!(fresh && sig == SIGSTOP)) {
    deliver = sig;  // a real signal (a new task's first SIGSTOP is the tracer's, not the program's)
  }
  return ptrace(static_cast<__ptrace_request>(resume), tid, nullptr, reinterpret_cast<void*>(static_cast<long>(deliver))) == 0 ||
         errno == ESRCH;
}

TraceResult TreeTracer::run() {
  int status = 0;
  while (waitpid(root_, &status, __WALL) < 0)
    if (errno != EINTR) return out_.error = std::string("waitpid: ") + std::strerror(errno), out_;
  out_.wait_status = status;
  if (!WIFSTOPPED(status)) return out_.error = "the child exited before it could be traced", out_;
  const long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL |
                       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
  tasks_[root_];
  if (ptrace(PTRACE_SETOPTIONS, root_, nullptr, reinterpret_cast<void*>(options)) != 0 ||
      ptrace(PTRACE_CONT, root_, nullptr, nullptr) != 0) {
    out_.error = std::string("ptrace: ") + std::strerror(errno);
    kill(root_, SIGKILL);
    while (waitpid(root_, &status, __WALL) > 0 && !WIFEXITED(status) && !WIFSIGNALED(status)) {
    }
    return out_;
  }
  for (;;) {
    const pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0 && errno == EINTR) continue;
    if (tid < 0) break;  // ECHILD: every task has exited
    if (WIFEXITED(status) || WIFSIGNALED(status)) on_exit(tid, status);
    else if (!on_stop(tid, status)) out_.error = std::string("ptrace: ") + std::strerror(errno);
  }
  for (const auto& [tid, t] : tasks_) add_tally(done_, t.tally);
  out_.tally = done_;
  out_.traced = out_.error.empty();
  return out_;
}

}  // namespace

void add_tally(SyscallTally& into, const SyscallTally& from) {
  for (std::size_t i = 0; i < into.per_call.size(); ++i) {
    into.per_call[i].calls += from.per_call[i].calls;
    into.per_call[i].bytes += from.per_call[i].bytes;
  }
  into.commits += from.commits;
  into.commit_bytes += from.commit_bytes;
  into.decommits += from.decommits;
  into.decommit_calls += from.decommit_calls;
  into.decommit_bytes += from.decommit_bytes;
  into.reserves += from.reserves;
  into.reserve_bytes += from.reserve_bytes;
  into.other_calls += from.other_calls;
  into.failed_calls += from.failed_calls;
}

TraceResult trace_tree_until_exit(pid_t pid) { return TreeTracer(pid).run(); }

}  // namespace vmbench
