// `vmbench record -o FILE -- CMD ARGS...`: runs the command with the recording library preloaded
// (preload/malloc_recorder.cpp), which appends every allocation call to FILE (docs/trace-format.md);
// this side writes the file's header first and checks and summarizes the trace after. The program
// keeps the terminal: its output is its own, vmbench's summary goes to stderr.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "atomic_file.hpp"
#include "commands.hpp"
#include "exit_status.hpp"
#include "program_plan.hpp"
#include "program_process.hpp"
#include "run_context.hpp"
#include "run_loop.hpp"
#include "trace_reader.hpp"

namespace vmbench {

namespace {

constexpr const char* kRecorderName = "libvmbench_record.so";

struct RecordArguments {
  std::string out_path;
  std::vector<std::string> command;
};

int refuse(const std::string& why) {
  std::fprintf(stderr, "vmbench: %s\n", why.c_str());
  return exit_code(ExitStatus::unusable_input);
}

std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  if (!path.empty() && path[0] == '/') return path;
  return getcwd(buf, sizeof buf) != nullptr ? std::string(buf) + "/" + path : path;
}

// A header value on one line: a backslash and a newline (a script given with -c) escaped as \\ and \n.
std::string one_line_value(const std::string& v) {
  std::string out;
  for (char c : v) out += c == '\\' ? std::string("\\\\") : c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

// The file header (trace_format.hpp): magic, version, and key=value lines about the recording.
std::string header_bytes(const std::string& program, const std::vector<std::string>& command) {
  const nlohmann::json ctx = collect_context(quote_command(command), 0);
  std::string text = "program=" + one_line_value(program) + "\ncommand=" + one_line_value(quote_command(command)) + "\n";
  for (const char* key : {"date_utc", "machine", "cpu_model", "kernel", "page_size", "vmbench_version"})
    if (ctx.contains(key))
      text += std::string(key) + "=" + one_line_value(ctx[key].is_string() ? ctx[key].get<std::string>() : ctx[key].dump()) + "\n";
  vmb::trace::FileHeader h{};
  std::memcpy(h.magic, vmb::trace::kFileMagic, sizeof h.magic);
  h.version = vmb::trace::kVersion;
  h.text_bytes = static_cast<std::uint32_t>(text.size());
  return std::string(reinterpret_cast<const char*>(&h), sizeof h) + text;
}

std::string write_header(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return out ? "" : "cannot write " + path + ": " + std::strerror(errno);
}

// One line: how many calls of each kind, in how many processes, how many bytes per call.
void print_summary(const Trace& t, const std::string& path) {
  static const char* const kNames[vmb::trace::kOps] = {"malloc",         "free",          "calloc", "realloc",
                                                       "posix_memalign", "aligned_alloc", "memalign"};
  std::uint64_t ops[vmb::trace::kOps] = {};
  for (const auto& s : t.streams())
    for (unsigned i = 0; i < vmb::trace::kOps; ++i) ops[i] += s.ops[i];
  std::string kinds;
  for (unsigned i = 0; i < vmb::trace::kOps; ++i)
    if (ops[i] > 0) kinds += (kinds.empty() ? "" : ", ") + std::string(kNames[i]) + " " + std::to_string(ops[i]);
  const double per_call = t.events() > 0 ? static_cast<double>(t.file_bytes()) / static_cast<double>(t.events()) : 0;
  std::fprintf(stderr, "vmbench: recorded %llu calls (%s) in %zu process image(s); main: %llu calls, %llu allocations; "
               "%llu bytes, %.1f per call: %s\n",
               static_cast<unsigned long long>(t.events()), kinds.c_str(), t.streams().size(),
               static_cast<unsigned long long>(t.main_stream().events),
               static_cast<unsigned long long>(t.main_stream().allocating_calls),
               static_cast<unsigned long long>(t.file_bytes()), per_call, path.c_str());
}

int command_record(const RecordArguments& args) {
  std::string program;
  try {
    program = resolve_command(args.command.empty() ? "" : args.command.front());
  } catch (const std::invalid_argument& e) {
    return refuse(e.what());
  }
  const std::string exe = self_exe();
  const std::string recorder = exe.substr(0, exe.rfind('/') + 1) + kRecorderName;
  if (access(recorder.c_str(), R_OK) != 0) return refuse("the recording library is missing: " + recorder);
  // Only a regular file (or nothing) at OUT is written: not a device, a FIFO or a symbolic link.
  if (const std::string why = check_output_file(args.out_path); !why.empty()) return refuse(why);
  const std::string out = absolute(args.out_path);
  if (const std::string why = write_header(out, header_bytes(program, args.command)); !why.empty()) return refuse(why);

  ProgramLaunch launch{program, args.command, recorder, {"VMBENCH_RECORD_FILE=" + out}, "", "", true};
  const std::atomic<bool> never{false};
  signal(SIGINT, SIG_IGN);  // Ctrl-C is the program's to handle; its end is reported below
  const ProgramEnd end = run_program(launch, CellLimits{}, never);
  const std::string failure = program_failure(end, CellLimits{});
  try {
    print_summary(Trace(out), out);
  } catch (const TraceError& e) {
    return refuse(std::string(e.what()) + (failure.empty() ? "" : " (" + failure + ")"));
  }
  if (failure.empty()) return exit_code(ExitStatus::ok);
  std::fprintf(stderr, "vmbench: %s; the trace of what it did is kept\n", failure.c_str());
  return exit_code(ExitStatus::failed);
}

}  // namespace

Command register_record(CLI::App& app) {
  auto args = std::make_shared<RecordArguments>();
  CLI::App* cmd = app.add_subcommand("record", "Record every allocation call of a program into a trace file");
  cmd->add_option("--out,-o", args->out_path, "The trace file (docs/trace-format.md)")->required();
  cmd->add_option("command", args->command, "The command and its arguments, after --")->required();
  cmd->footer(
      "Exit status: 0 recorded, 1 the program failed (the trace is kept), 2 bad input.\n"
      "Example:\n"
      "  vmbench record -o py.trace -- python3 -c 'x = [str(i) for i in range(10**5)]'\n"
      "  vmbench run -w replay -p trace=py.trace");
  return {cmd, [args] { return command_record(*args); }};
}

}  // namespace vmbench
