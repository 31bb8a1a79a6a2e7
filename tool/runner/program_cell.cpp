#include "program_cell.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "deep_passes.hpp"
#include "program_process.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;  // FNV-1a, 64-bit
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr std::size_t kStderrTailBytes = 4096;               // enough for the line that explains a failure
constexpr const char* kSyscallMethod =
    "seccomp filter and a ptrace tracer following the program and every process and thread it starts, each "
    "counted from the probe library's start-up in it to its exit, added up";

// A file of one cell: kept in --program-output, else a temporary file removed with this object.
struct CellFile {
  std::string path;
  bool keep = false;
  CellFile(const std::string& dir, const std::string& name) : keep(!dir.empty()) {
    if (keep) {
      path = dir + "/" + name;
      return;
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/vmbench-" + name + "-XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd >= 0) close(fd);
    path = fd >= 0 ? pattern : "/dev/null";
  }
  ~CellFile() {
    if (!keep && path != "/dev/null") unlink(path.c_str());
  }
  CellFile(const CellFile&) = delete;
  CellFile& operator=(const CellFile&) = delete;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = kFnvOffset;
  for (unsigned char c : bytes) h = (h ^ c) * kFnvPrime;
  return h;
}

std::string last_line(const std::string& text) {
  const std::size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  const std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

struct ProbeReport {
  bool found = false;  // the program's own process reported
  bool ok = false;
  std::string evidence, version;
  int processes = 0;   // process images that loaded the probe (the program, what it forked or exec'd)
};

// The probe's lines (malloc_probe.cpp): the last one of the program's own process id wins.
ProbeReport read_probe(const std::string& path, pid_t pid) {
  ProbeReport r;
  std::istringstream lines(read_file(path));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string who, ok, evidence, version;
    if (!std::getline(fields, who, '\t') || !std::getline(fields, ok, '\t') || !std::getline(fields, evidence, '\t'))
      continue;
    std::getline(fields, version, '\t');
    ++r.processes;
    if (who == std::to_string(pid)) {
      r.found = true;
      r.ok = ok == "1";
      r.evidence = evidence;
      r.version = version;
    }
  }
  return r;
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

// What a program run tells: its time, CPU, peak RSS and faults from wait4, the hash of its output.
json program_figures(const ProgramEnd& end, const ProbeReport& probe, const std::string& out, const std::string& command) {
  const auto peak_rss = static_cast<std::int64_t>(end.usage.ru_maxrss) * 1024;  // ru_maxrss is in KiB
  json unavailable = {
      {"allocations", "a program's allocations are not counted here (vmbench record counts them)"},
      {"heap", "a malloc replacement keeps no commit counters vmbench can read from outside"},
      {"final_rss_bytes", "the program has exited when its figures are read: only its peak RSS remains"}};
  return {{"proof", {{"evidence", probe.evidence}, {"version", probe.version}}},
          {"wall_s", end.wall_s}, {"cpu_user_s", seconds(end.usage.ru_utime)}, {"cpu_sys_s", seconds(end.usage.ru_stime)},
          {"minor_faults", end.usage.ru_minflt}, {"major_faults", end.usage.ru_majflt},
          {"allocations", 0}, {"frees", 0}, {"frees_skipped", 0}, {"ops", 0}, {"ops_per_s", 0.0},
          {"peak_live_bytes", 0}, {"final_live_bytes", 0}, {"checksum", fnv1a(out)},
          {"peak_rss_bytes", peak_rss}, {"peak_rss_delta_bytes", peak_rss},  // a process starts from nothing
          {"heap", nullptr}, {"heap_note", ""}, {"phases", json::array()}, {"checkpoints", json::array()},
          {"program", {{"command", command}, {"exit_status", 0}, {"stdout_bytes", out.size()},
                       {"processes_probed", probe.processes}}},
          {"unavailable", unavailable}};
}

ProgramLaunch launch_for(const Plan& plan, const std::string& allocator, const std::string& exe,
                         const std::string& proof_path) {
  ProgramLaunch l;
  l.path = plan.program_path;
  l.argv = plan.options.command;
  const auto lib = plan.libraries.find(allocator);
  const std::string library = lib != plan.libraries.end() ? lib->second : "";
  const std::string probe = probe_library_path(exe);
  l.preload = library.empty() ? probe : library + ":" + probe;  // the allocator first: its malloc wins
  l.env = {"VMBENCH_PROBE_OUT=" + proof_path, "VMBENCH_PROBE_ALLOCATOR=" + allocator,
           "VMBENCH_PROBE_LIBRARY=" + library};
  return l;
}

// The traced run of the first repetition (--syscalls): figures.syscalls, or null and the reason.
void add_syscalls(const Plan& plan, const Combination& c, const std::string& exe, const CellLimits& limits,
                  const std::atomic<bool>& cancel, json& figures) {
  const CellFile proof("", "probe");
  ProgramLaunch l = launch_for(plan, c.allocator, exe, proof.path);
  const ProgramEnd end = run_program(l, limits, cancel, true);
  std::string why = program_failure(end, limits);
  if (why.empty() && (!end.trace || !end.trace->traced)) why = "not traced: " + (end.trace ? end.trace->error : "no tracer");
  if (why.empty() && !end.trace->saw_begin) why = "the probe library never ran in the traced program";
  if (!why.empty()) {
    figures["syscalls"] = nullptr;
    figures["unavailable"]["syscalls"] = "traced pass failed: " + why;
    return;
  }
  json s = syscalls_json(end.trace->tally);
  s["method"] = kSyscallMethod;
  s["traced_wall_s"] = end.wall_s;
  s["heap_commit_calls"] = nullptr;
  s["heap_decommit_calls"] = nullptr;
  figures["syscalls"] = s;
}

}  // namespace

std::string probe_library_path(const std::string& exe) {
  const std::size_t slash = exe.rfind('/');
  return (slash == std::string::npos ? std::string(".") : exe.substr(0, slash)) + "/" + kProbeLibraryName;
}

CellRecord run_program_cell(const Plan& plan, const Cell& cell, const std::string& exe, const CellLimits& limits,
                            const std::atomic<bool>& cancel) {
  const Combination& c = plan.combinations[static_cast<std::size_t>(cell.combination)];
  const std::string& dir = plan.options.program_output;
  const std::string stem = c.allocator + "-rep" + std::to_string(cell.rep);
  const CellFile out(dir, stem + ".stdout"), err(dir, stem + ".stderr"), proof("", "probe");
  ProgramLaunch l = launch_for(plan, c.allocator, exe, proof.path);
  l.stdout_path = out.path;
  l.stderr_path = err.path;
  const ProgramEnd end = run_program(l, limits, cancel);
  CellRecord rec{cell.combination, cell.rep, false, program_failure(end, limits), nullptr, end.wall_s};
  if (!rec.error.empty()) {
    const std::string text = read_file(err.path);
    const std::string said = last_line(text.substr(text.size() > kStderrTailBytes ? text.size() - kStderrTailBytes : 0));
    if (!said.empty() && end.error.empty()) rec.error += ": " + said;
    return rec;
  }
  const ProbeReport probe = read_probe(proof.path, end.pid);
  if (!probe.found || !probe.ok) {
    rec.error = "allocator not proven: " + (probe.found ? probe.evidence
                                                       : std::string("the program never loaded the probe library "
                                                                     "(a static or setuid program ignores LD_PRELOAD)"));
    return rec;
  }
  rec.ok = true;
  rec.data = program_figures(end, probe, read_file(out.path), c.params.text("command"));
  if (!dir.empty()) {
    rec.data["program"]["stdout"] = out.path;
    rec.data["program"]["stderr"] = err.path;
  }
  if (cell.rep == 0 && plan.options.deep.syscalls && !cancel.load()) add_syscalls(plan, c, exe, limits, cancel, rec.data);
  return rec;
}

}  // namespace vmbench
