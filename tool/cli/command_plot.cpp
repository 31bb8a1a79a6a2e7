// `vmbench plot` and the Python launcher it shares with `vmbench report`: the figures are drawn by
// scripts/vmbench-plot (matplotlib); this file finds that script and an interpreter that can run it.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.hpp"
#include "exit_status.hpp"
#include "results_loader.hpp"

extern char** environ;

namespace vmbench {
namespace {

constexpr const char* kMatplotlibPackage = "python3-matplotlib";
constexpr const char* kDebianPython = "/usr/bin/python3";

#ifndef VMB_SOURCE_DIR
#define VMB_SOURCE_DIR ""
#endif

bool is_executable_file(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return {};
  std::string dirs = path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return {};
}

// Runs argv and waits: its exit status, 128 + signal, or -1 when it could not be started.
int spawn_and_wait(const std::vector<std::string>& args, bool silence_output) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return -1;
  if (silence_output) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// Where scripts/vmbench-plot lives: $VMBENCH_SCRIPTS, else the source tree this binary was built from.
std::string scripts_dir() {
  if (const char* env = std::getenv("VMBENCH_SCRIPTS"); env && *env) return env;
  return std::string(VMB_SOURCE_DIR) + "/scripts";
}

// The scripts read colours, orders and labels from this binary (`vmbench list --format json`): point
// them at it, so that they follow the vmbench that checked the files, not another one on PATH.
void export_self_to_scripts() {
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;  // the scripts then look for the build beside them, then PATH
  self[n] = '\0';
  if (::setenv("VMBENCH", self, 1) != 0) return;  // out of memory: the same fallbacks
}

}  // namespace

int refuse_unusable_results(const char* command, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (path.empty()) continue;
    const LoadedResults loaded = load_results(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "vmbench %s: %s\n", command, loaded.error.c_str());
      return exit_code(ExitStatus::unusable_input);
    }
  }
  return exit_code(ExitStatus::ok);
}

int run_plot_script(const char* command, const std::vector<std::string>& script_args) {
  const std::string script = scripts_dir() + "/vmbench-plot";
  if (::access(script.c_str(), R_OK) != 0) {
    std::fprintf(stderr,
                 "vmbench %s: cannot find %s (set VMBENCH_SCRIPTS to the scripts/ folder of a vmbench source "
                 "tree)\n",
                 command, script.c_str());
    return exit_code(ExitStatus::unusable_input);
  }
  export_self_to_scripts();
  // python3 on PATH first (the user's choice), then Debian's, which python3-matplotlib installs into.
  std::vector<std::string> tried;
  for (const std::string& candidate : {find_on_path("python3"), std::string(kDebianPython)}) {
    if (!is_executable_file(candidate)) continue;
    bool seen = false;
    for (const auto& t : tried) seen |= t == candidate;
    if (seen) continue;
    tried.push_back(candidate);
    if (spawn_and_wait({candidate, "-c", "import matplotlib"}, true) != 0) continue;
    std::vector<std::string> args{candidate, script};
    args.insert(args.end(), script_args.begin(), script_args.end());
    const int rc = spawn_and_wait(args, false);
    if (rc < 0) {
      std::fprintf(stderr, "vmbench %s: cannot start %s: %s\n", command, candidate.c_str(), std::strerror(errno));
      return exit_code(ExitStatus::unusable_input);
    }
    return rc;
  }
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
  std::fprintf(stderr, "vmbench %s: no Python with matplotlib (tried: %s); install it: apt-get install %s\n", command,
               list.empty() ? "no python3 found" : list.c_str(), kMatplotlibPackage);
  return exit_code(ExitStatus::no_matplotlib);
}

Command register_plot(CLI::App& app) {
  struct Options {
    std::string results;
    std::string out_dir = "vmbench-plots";
    std::string only;
    std::string format = "png,svg";
    std::string compare;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("plot", "Draw every figure a results file supports (PNG and SVG, needs matplotlib)");
  cmd->add_option("results", options->results, "Results JSON written by vmbench run")->required();
  cmd->add_option("--out,-o", options->out_dir, "Directory for the figures")->capture_default_str();
  cmd->add_option("--only", options->only, "Comma-separated figures: throughput, memory, phases, fragmentation, "
                                           "timeline, latency, heapmap, sweep, scaling, dispatch, compare");
  cmd->add_option("--format", options->format, "png, svg or png,svg")->capture_default_str();
  cmd->add_option("--compare", options->compare, "A second (earlier) results file: the compare figure shows "
                                                 "RESULTS relative to it");
  cmd->footer(
      "A figure whose data the file lacks is skipped with a one-line reason, never drawn empty.\n"
      "Exit codes: 0 figures written, 1 nothing to draw, 2 a file that cannot be used, 3 no matplotlib\n"
      "(apt-get install python3-matplotlib). Drawn by scripts/vmbench-plot (override: VMBENCH_SCRIPTS=DIR).\n"
      "Examples:\n"
      "  vmbench plot vmbench-results.json --out plots/\n"
      "  vmbench plot new.json --compare old.json --only compare,throughput");
  return {cmd, [options] {
            if (const int rc = refuse_unusable_results("plot", {options->results, options->compare}); rc != 0) return rc;
            std::vector<std::string> args{options->results, "--out", options->out_dir, "--format", options->format};
            if (!options->only.empty()) args.insert(args.end(), {"--only", options->only});
            if (!options->compare.empty()) args.insert(args.end(), {"--compare", options->compare});
            return run_plot_script("plot", args);
          }};
}

}  // namespace vmbench
