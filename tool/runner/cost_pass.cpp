#include "cost_pass.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "allocator_environment.hpp"
#include "cell_deadline.hpp"
#include "cell_protocol.hpp"
#include "child_descriptors.hpp"
#include "cost_marker.hpp"
#include "heaps/arena_heap.hpp"
#include "heaps/pool_heap.hpp"
#include "heaps/valgrind_reserve.hpp"
#include "params.hpp"
#include "probes.hpp"
#include "vmb/config.hpp"  // VMB_ASAN, VMB_TSAN

extern char** environ;

namespace vmbench {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxStderrBytes = 64 * 1024;
constexpr const char* kFixedTmp = "/tmp";
constexpr int kPollSliceMs = 50;  // how often a waiting parent looks at the clock and the cancel flag

// The parent's variables that configure what is measured; everything else is left out (cost_pass.hpp).
constexpr const char* kKeptPrefixes[] = {"VMBENCH_", "MALLOC_CONF=", "MIMALLOC_", "TCMALLOC_", "GLIBC_TUNABLES=",
                                         "VALGRIND_LIB="};

// jemalloc 5: a decay time of -1 disables purging, 0 purges at once. -1: what a cell of a few ms does
// natively (its 10 s default decay never expires), with no clock in the decision.
constexpr const char* kJemallocPins = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
// mimalloc 2.0 (Debian 12: 2.0.9) decommits freed spans after MIMALLOC_DECOMMIT_DELAY (25 ms; legacy
// name MIMALLOC_RESET_DELAY) and freed segments after MIMALLOC_SEGMENT_DECOMMIT_DELAY (500 ms), each
// checked against the clock; MIMALLOC_ALLOW_DECOMMIT=0 turns both off. mimalloc 2.1 and later read
// MIMALLOC_PURGE_DELAY instead, where -1 never purges; 2.0 ignores it.
constexpr const char* kMimallocPins[] = {"MIMALLOC_ALLOW_DECOMMIT=0", "MIMALLOC_PURGE_DELAY=-1"};

constexpr const char* kMethod =
    "valgrind --tool=callgrind --instr-atstart=no --cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 "
    "--LL=8388608,16,64, counting between the cell's callgrind client requests at the measured phase's bounds "
    "(checkpoints excluded), address-space randomisation off, fixed environment; estimated_cycles = L1 hits + "
    "5 x LL hits + 35 x LL misses over Ir + Dr + Dw accesses";

bool has_prefix(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// A private directory for callgrind's output (and a core file, if any), removed with everything in it.
// It is the cell's working directory and holds the link the cell runs as, whose absolute path Valgrind
// keeps: a path of another length (TMPDIR=/tmp/longer...) moved strings/bump by 0.35% of its
// instructions. So it is always /tmp/vmbench-cost-XXXXXX, of fixed length; $TMPDIR only when /tmp
// refuses (the counts may then differ slightly from a baseline made in /tmp).
class TempDir {
 public:
  TempDir() {
    std::string templ = std::string(kFixedTmp) + "/vmbench-cost-XXXXXX";
    if (mkdtemp(templ.data()) != nullptr) {
      path_ = templ;
      return;
    }
    const char* base = std::getenv("TMPDIR");
    templ = std::string(base != nullptr && *base != '\0' ? base : kFixedTmp) + "/vmbench-cost-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) error_ = "cannot create a directory in " + templ + ": " + std::strerror(errno);
    else path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;  // a leftover directory in /tmp is no reason to fail a cell
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const noexcept { return path_; }
  const std::string& error() const noexcept { return error_; }

 private:
  std::string path_, error_;
};

struct Spawned {
  pid_t pid = -1;
  int result_fd = -1;
  int err_fd = -1;
  std::string error;
};

[[noreturn]] void die(const char* msg, std::size_t n, CellExit code) noexcept {
  (void)!write(2, msg, n);
  _exit(exit_status(code));
}

// In the forked child: only async-signal-safe calls, then exec. Mirrors child_process.cpp (the same
// descriptors, placed the same way), plus ADDR_NO_RANDOMIZE (kept across exec) and the private
// directory as the working directory.
[[noreturn]] void become_cost_child(pid_t parent, int result_w, int err_w, const std::string& dir, char* const* argv,
                                    char* const* envp) {
  setpgid(0, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
    const char msg[] = "vmbench: cannot tie the cost pass to vmbench (prctl refused, or vmbench is gone)\n";
    die(msg, sizeof msg - 1, CellExit::setup_failed);
  }
  if (!place_cell_descriptors(err_w, result_w)) {
    const char msg[] = "vmbench: cannot set up the cost pass's descriptors\n";
    die(msg, sizeof msg - 1, CellExit::setup_failed);
  }
  const int persona = personality(0xffffffff);
  if (signal(SIGXFSZ, SIG_DFL) == SIG_ERR || persona == -1 ||
      personality(static_cast<unsigned long>(persona) | ADDR_NO_RANDOMIZE) == -1 || chdir(dir.c_str()) != 0) {
    const char msg[] = "vmbench: cannot set up the cost pass (SIGXFSZ, ADDR_NO_RANDOMIZE or its directory refused)\n";
    die(msg, sizeof msg - 1, CellExit::setup_failed);
  }
  execve(argv[0], argv, envp);
  const char msg[] = "vmbench: cannot execute valgrind\n";
  die(msg, sizeof msg - 1, CellExit::exec_failed);
}

Spawned spawn(std::vector<std::string> args, std::vector<std::string> env, const std::string& dir) {
  Spawned s;
  int result_pipe[2], err_pipe[2];
  if (pipe2(result_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    s.error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return s;  // a descriptor leaked on this path is closed when vmbench exits
  }
  std::vector<char*> argv, envp;  // built before fork: the child may not allocate
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = getpid();
  s.pid = fork();
  if (s.pid == 0) become_cost_child(parent, result_pipe[1], err_pipe[1], dir, argv.data(), envp.data());
  close(result_pipe[1]);
  close(err_pipe[1]);
  if (s.pid < 0) {
    s.error = std::string("cannot fork: ") + std::strerror(errno);
    close(result_pipe[0]);
    close(err_pipe[0]);
    return s;
  }
  s.result_fd = result_pipe[0];
  s.err_fd = err_pipe[0];
  return s;
}

struct Drained {
  std::string result_json, err_text;
  bool timed_out = false, cancelled = false;
};

// Read the result and stderr pipes until both close; kill the child on timeout or cancellation. The
// pipes are read before the deadline is judged, and a stop of vmbench is not counted (cell_deadline.hpp).
Drained drain(const Spawned& s, double t0, double timeout_s, const std::atomic<bool>& cancel) {
  Drained d;
  bool open_fd[2] = {true, true};
  char buf[4096];
  CellDeadline deadline(t0, timeout_s);
  while (open_fd[0] || open_fd[1]) {
    d.cancelled = cancel.load();
    if (d.cancelled) break;
    pollfd fds[2] = {{s.result_fd, POLLIN, 0}, {s.err_fd, POLLIN, 0}};
    const int r = poll(fds, 2, kPollSliceMs);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && r > 0; ++i) {
      if (!open_fd[i] || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        if (n == 0 || errno != EINTR) open_fd[i] = false;
        continue;
      }
      std::string& to = i == 0 ? d.result_json : d.err_text;
      to.append(buf, static_cast<std::size_t>(n));
      if (i == 1 && to.size() > kMaxStderrBytes) to.erase(0, to.size() - kMaxStderrBytes);  // keep the tail
    }
    d.timed_out = (open_fd[0] || open_fd[1]) && deadline.passed(monotonic_now_s());
    if (d.timed_out) break;
  }
  if (d.timed_out || d.cancelled) kill(s.pid, SIGKILL);
  close(s.result_fd);
  close(s.err_fd);
  return d;
}

// The line of stderr that explains a failure: the cell's own last "vmbench: " line, else Valgrind's
// "Process terminating ..." line, else the last line that is not one of Valgrind's "--PID--" remarks
// (it warns about the host's caches even when the geometry is given).
std::string explaining_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, own, terminating, last;
  while (std::getline(in, line)) {
    if (has_prefix(line, "vmbench: ")) own = line.substr(9);
    const std::size_t at = line.find("Process terminating");
    if (at != std::string::npos) terminating = line.substr(at);
    if (!line.empty() && !has_prefix(line, "--")) last = line;
  }
  return !own.empty() ? own : !terminating.empty() ? terminating : last;
}

std::string failure_reason(int status, const Drained& d) {
  const std::string said = explaining_line(d.err_text);
  auto with_said = [&](std::string what) { return said.empty() ? what : what + ": " + said; };
  if (d.cancelled) return "interrupted";
  if (d.timed_out) return "timed out under valgrind";
  if (WIFSIGNALED(status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(status));
    return with_said("crashed under valgrind with signal " + std::to_string(WTERMSIG(status)) +
                     (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : ""));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return with_said("exited under valgrind with status " + std::to_string(WEXITSTATUS(status)));
  if (d.result_json.empty()) return with_said("exited under valgrind without a result");
  return "";
}

// The totals of callgrind's output file, or a reason in *why.
std::optional<CallgrindTotals> read_totals(const std::string& file, std::string* why) {
  std::ifstream in(file);
  if (!in) {
    *why = "callgrind wrote no output file (" + file + ")";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::optional<CallgrindTotals> totals = parse_callgrind_totals(text.str(), why);
  if (totals && totals->ir == 0) {
    *why = "callgrind counted nothing: the cell never marked its measured phase";
    return std::nullopt;
  }
  return totals;
}

std::string reservation_note(const char* what, const char* param, std::uint64_t asked, int regions) {
  const std::uint64_t cap = valgrind_region_cap_bytes(regions);
  if (asked <= cap) return "";
  return std::string("under Valgrind ") + what + " reserves " + format_bytes_long(cap) + " per region instead of " +
         format_bytes_long(asked) + " (" + param + "; Valgrind 3.19 gives a process about 128 GiB of address space); " +
         "the counts do not depend on the reservation";
}

}  // namespace

std::string find_valgrind(std::string* why) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr && *path != '\0' ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/valgrind";
    if (access(candidate.c_str(), X_OK) == 0) return std::filesystem::absolute(candidate).string();
  }
  *why = "valgrind is not installed (not on PATH): the cost pass needs the Debian package valgrind";
  return "";
}

std::string cost_pass_unavailable() {
#if defined(VMB_ASAN) || defined(VMB_TSAN)
  return "this vmbench is a sanitizer build: its shadow memory and valgrind cannot share a process (use a release "
         "build)";
#endif
  if (!kCostMarkersBuilt)
    return "this vmbench was built without valgrind/callgrind.h, so a cell cannot mark its measured phase: install "
           "the Debian package valgrind and rebuild";
  std::string why;
  return find_valgrind(&why).empty() ? why : "";
}

std::vector<std::string> callgrind_argv(const std::string& valgrind, const std::string& out_file, const std::string& exe,
                                        const std::string& spec_json) {
  std::vector<std::string> argv = {valgrind, "--tool=callgrind", "-q", "--instr-atstart=no", "--cache-sim=yes"};
  for (const char* option : kCostCacheOptions) argv.emplace_back(option);
  argv.push_back("--callgrind-out-file=" + out_file);
  for (const std::string& a : {exe, std::string("__cell"), spec_json}) argv.push_back(a);
  return argv;
}

CostEnvironment cost_environment(const std::string& allocator, const std::string& preload, const char* const* parent_env,
                                 bool clean_allocator_env) {
  CostEnvironment e;
  std::string malloc_conf;
  for (const char* const* p = parent_env; p != nullptr && *p != nullptr; ++p) {
    const std::string var(*p);
    if (clean_allocator_env && is_allocator_variable(var)) continue;  // --clean-env, as for every cell
    if (has_prefix(var, "MALLOC_CONF=")) malloc_conf = var.substr(12);
    else if (std::any_of(std::begin(kKeptPrefixes), std::end(kKeptPrefixes), [&](const char* k) { return has_prefix(var, k); }))
      e.variables.push_back(var);
  }
  if (!preload.empty()) e.variables.push_back("LD_PRELOAD=" + preload);
  if (allocator == "jemalloc") {
    malloc_conf += (malloc_conf.empty() ? "" : ",") + std::string(kJemallocPins);
    e.notes.push_back(std::string("jemalloc's time-based purging disabled for determinism: MALLOC_CONF=") + kJemallocPins);
  }
  if (!malloc_conf.empty()) e.variables.push_back("MALLOC_CONF=" + malloc_conf);
  if (allocator == "mimalloc") {
    for (const char* pin : kMimallocPins) {
      const std::string name = std::string(pin).substr(0, std::string(pin).find('=') + 1);
      std::erase_if(e.variables, [&](const std::string& v) { return has_prefix(v, name); });
      e.variables.emplace_back(pin);
    }
    e.notes.push_back(
        "mimalloc's time-based decommit disabled for determinism: MIMALLOC_ALLOW_DECOMMIT=0 (mimalloc 2.0), "
        "MIMALLOC_PURGE_DELAY=-1 (2.1 and later)");
  }
  std::sort(e.variables.begin(), e.variables.end());
  return e;
}

void pad_stack_strings(const std::vector<std::string>& client_argv, std::vector<std::string>& variables) {
  std::size_t bytes = 8 * (client_argv.size() + 1 + variables.size() + 2);  // the pointers, the pad's own too
  for (const std::string& a : client_argv) bytes += a.size() + 1;
  for (const std::string& v : variables) bytes += v.size() + 1;
  const std::string name = std::string(kCostPadVariable) + "=";
  bytes += name.size() + 1;
  variables.push_back(name + std::string((kCostStackPadBytes - bytes % kCostStackPadBytes) % kCostStackPadBytes, 'x'));
}

std::vector<std::string> reservation_notes(const std::string& allocator, const json& params) {
  std::vector<std::string> notes;
  auto asked = [&](const char* name) -> std::uint64_t {
    const auto it = params.find(name);
    if (it == params.end() || !it->is_string()) return 0;
    return parse_bytes(it->get<std::string>()).value_or(0);
  };
  std::string note;
  if (allocator == "arena") note = reservation_note("the arena", "reserve", asked("reserve"), ArenaHeap::kRegions);
  if (allocator == "pool") note = reservation_note("the pool", "pool_reserve", asked("pool_reserve"), PoolHeap::kClasses);
  if (!note.empty()) notes.push_back(note);
  return notes;
}

CostOutcome run_cost_pass(const CostChild& c, const std::atomic<bool>& cancel) {
  CostOutcome out;
  const double t0 = monotonic_now_s();
  out.error = cost_pass_unavailable();
  const TempDir dir;
  if (out.error.empty()) out.error = dir.error();
  if (!out.error.empty()) return out;
  const CostEnvironment env = cost_environment(c.allocator, c.preload, environ, c.clean_allocator_env);
  out.notes = env.notes;
  try {
    for (std::string& n : reservation_notes(c.allocator, json::parse(c.spec_json).value("params", json::object())))
      out.notes.push_back(std::move(n));
  } catch (const std::exception&) {  // an unreadable spec: the cell itself says so, as a failure
  }
  // The cell is exec'd as ./vmbench, a link in the private directory (its working directory), and its
  // environment padded: the client's stack then starts at the same place whatever the checkout's path.
  if (symlink(c.exe.c_str(), (dir.path() + "/" + kCostExeName).c_str()) != 0) {
    out.error = "cannot link " + c.exe + " into " + dir.path() + ": " + std::strerror(errno);
    return out;
  }
  std::string valgrind_why;
  const std::string out_file = dir.path() + "/callgrind.out";  // read here; Valgrind is told "callgrind.out"
  const std::string exe = std::string("./") + kCostExeName;
  std::vector<std::string> variables = env.variables;
  pad_stack_strings({exe, "__cell", c.spec_json}, variables);
  const Spawned s =
      spawn(callgrind_argv(find_valgrind(&valgrind_why), "callgrind.out", exe, c.spec_json), variables, dir.path());
  if (!s.error.empty()) {
    out.error = s.error;
    return out;
  }
  const Drained d = drain(s, t0, c.timeout_s, cancel);
  int status = 0;
  while (waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.elapsed_s = monotonic_now_s() - t0;
  out.error = failure_reason(status, d);
  if (!out.error.empty()) return out;
  out.totals = read_totals(out_file, &out.error);
  if (!out.totals) return out;
  out.result_json = d.result_json;
  out.ok = true;
  return out;
}

json cost_json(const CostOutcome& outcome) {
  if (!outcome.ok || !outcome.totals) return nullptr;
  json j = callgrind_totals_json(*outcome.totals);
  j["method"] = kMethod;
  j["notes"] = outcome.notes;
  j["pass_s"] = outcome.elapsed_s;
  return j;
}

}  // namespace vmbench
