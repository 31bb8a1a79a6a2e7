// vmbench: measure, explain and guard memory-allocator performance. This file is the table of
// commands; each declares its own options in its own command_*.cpp (commands.hpp).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "cell_child.hpp"
#include "commands.hpp"
#include "exit_status.hpp"
#include "number_checks.hpp"
#include "standard_output.hpp"
#include "run_context.hpp"

namespace {

using vmbench::exit_code;
using vmbench::ExitStatus;

std::string join_args(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

void describe(CLI::App& app) {
  vmbench::refuse_repeats_after_parsing(app);
  app.set_version_flag("--version", vmbench::version_string());
  app.require_subcommand(1);
  app.footer("Examples:\n  vmbench run\n  vmbench run --workload tree --allocator arena,malloc,jemalloc\n  vmbench list");
}

// CLI11 would take an unknown command for a stray argument; name it, with the valid ones.
bool refuse_unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  std::string valid;
  bool known = false;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    valid += (valid.empty() ? "" : ", ") + sub->get_name();
    known |= sub->get_name() == argv[1];
  }
  if (!known) std::fprintf(stderr, "vmbench: unknown command '%s' (valid: %s; see vmbench --help)\n", argv[1], valid.c_str());
  return !known;
}

// A standard stream the caller closed (`vmbench run <&- >&-`) gets /dev/null: otherwise the next
// file or pipe vmbench opens takes its number, and what is printed to it lands in that file or pipe.
bool open_standard_streams() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd)
    if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) != fd)
      return false;  // open gives the lowest free number: fd, since those below it are open
  return true;
}

// Everything a command printed must have reached standard output: a full disk, a file-size limit or
// /dev/full must not pass for success with half a document written. The command's own status, or
// after one line, unusable_input (2).
int checked_standard_output(const std::string& command, int status) {
  const std::string failure = vmbench::standard_output_failure();
  if (failure.empty()) return status;
  std::fprintf(stderr, "vmbench %s: cannot write to standard output: %s\n", command.c_str(), failure.c_str());
  return exit_code(ExitStatus::unusable_input);
}

// Parses the command line: nothing when a command is to run, else the exit status (help, version, error).
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "vmbench: %s\n", e.what());
    return exit_code(ExitStatus::unusable_input);
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  if (!open_standard_streams()) return exit_code(ExitStatus::unusable_input);
  // The cell process: internal, never typed by a user, so it bypasses the CLI parser entirely.
  if (argc == 3 && std::string(argv[1]) == "__cell") return vmbench::cell_child_main(argv[2]);

  CLI::App app{"vmbench: measure, explain and guard memory-allocator performance.\n"
               "Runs synthetic workloads against arenas, pools and malloc implementations, each cell in its\n"
               "own process, and reports time, throughput, RSS and commit counts."};
  describe(app);
  // The commands, in the order --help lists them: one line each.
  const std::vector<vmbench::Command> commands = {
      vmbench::register_run(app, join_args(argc, argv)),
      vmbench::register_list(app),
      vmbench::register_plot(app),
      vmbench::register_report(app),
      vmbench::register_compare(app),
      vmbench::register_export(app),
      vmbench::register_recover(app),
      vmbench::register_record(app),
  };
  if (refuse_unknown_command(app, argc, argv)) return exit_code(ExitStatus::unusable_input);
  if (const std::optional<int> done = parse(app, argc, argv)) return *done;
  // A file-size limit (ulimit -f) must make a write fail with EFBIG, which vmbench reports and
  // survives, not kill it with SIGXFSZ and lose what it measured.
  if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR) {
    std::fprintf(stderr, "vmbench: cannot ignore SIGXFSZ: %s\n", std::strerror(errno));
    return exit_code(ExitStatus::unusable_input);
  }
  for (const auto& c : commands) {
    if (!*c.app) continue;
    if (const std::string why = vmbench::check_given_once_and_not_empty(*c.app); !why.empty()) {
      std::fprintf(stderr, "vmbench %s: %s\n", c.app->get_name().c_str(), why.c_str());
      return exit_code(ExitStatus::unusable_input);
    }
    return checked_standard_output(c.app->get_name(), c.action());
  }
  return exit_code(ExitStatus::unusable_input);
}
