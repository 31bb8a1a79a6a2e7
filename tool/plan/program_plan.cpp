#include "program_plan.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "catalog.hpp"
#include "plan.hpp"

namespace vmbench {

namespace {

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";  // execvp's, when PATH is unset

// "" when `path` is a file this process may execute, else why not.
std::string not_executable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  if (access(path.c_str(), X_OK) != 0) return std::strerror(errno);
  return "";
}

[[noreturn]] void refuse(const std::string& what) { throw std::invalid_argument(what); }

}  // namespace

std::string resolve_command(const std::string& name) {
  if (name.empty()) refuse("the command after --program -- is empty");
  if (name.find('/') != std::string::npos) {
    if (const std::string why = not_executable(name); !why.empty()) refuse("cannot run " + name + ": " + why);
    return name;
  }
  const char* env = std::getenv("PATH");
  const std::string path = env != nullptr ? env : kDefaultPath;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find(':', start);
    const std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (not_executable(candidate).empty()) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  refuse("command not found: " + name);
}

std::string quote_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) {
    const bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                               "0123456789-_./=:,+@%") == std::string::npos;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += (line.empty() ? "" : " ") + (plain ? word : quoted + "'");
  }
  return line;
}

bool check_program_options(const RunOptions& o) {
  if (!o.program) {
    if (!o.command.empty()) refuse("unexpected arguments: " + quote_command(o.command) +
                                   " (to measure a program: vmbench run --program -- CMD ARGS...)");
    for (const auto& w : o.workloads)
      if (w == "program") refuse("workload program runs a command: vmbench run --program -- CMD ARGS...");
    return false;
  }
  if (o.command.empty()) refuse("--program needs a command after --: vmbench run --program -- CMD ARGS...");
  for (const auto& w : o.workloads)
    if (w != "program") refuse("--program runs a command, not workload " + w + ": leave out --workload");
  if (o.dispatch != "inline") refuse("--dispatch applies to the workloads, not to a program");
  if (o.warmup != 0) refuse("--warmup applies to the workloads, not to a program");
  if (o.deep.latency || o.deep.timeline || o.deep.heap_map)
    refuse("--latency, --timeline and --heapmap time a workload's own operations; a program has --syscalls only");
  for (const auto& p : o.param_args)
    if (p.rfind("command=", 0) == 0) refuse("the command is given after --program --, not as a parameter");
  struct stat st {};
  if (!o.program_output.empty() &&
      (stat(o.program_output.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || access(o.program_output.c_str(), W_OK) != 0))
    refuse("--program-output " + o.program_output + ": not a folder vmbench can write in");
  return true;
}

bool runs_programs(const std::string& allocator) {
  const AllocatorInfo* info = find_allocator(allocator);
  return info == nullptr || allocator == "malloc" || info->loading == Loading::preload;
}

}  // namespace vmbench
