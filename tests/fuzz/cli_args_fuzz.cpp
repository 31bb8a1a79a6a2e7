// libFuzzer target: vmbench's command line and parameter parsers. The input is split at line breaks
// into the arguments after `vmbench`. Whatever they are, parsing must end in a command or in one
// line of refusal (a CLI11 parse error, the checks of numeric, repeated and empty options, or the
// plan's std::invalid_argument), never another exception, a crash or a hang; and a plan that is
// made must hold only values its parameters accept, with as many cells as it says.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "commands.hpp"
#include "number_checks.hpp"
#include "plan.hpp"
#include "run_options.hpp"

namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "command line: %s\n", what.c_str());
  std::abort();
}

std::vector<std::string> split_lines(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"vmbench"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  args.push_back(current);
  return args;
}

const vmbench::ParamDef* find_def(const std::string& name, const std::string& workload) {
  for (const auto& d : vmbench::allocator_params())
    if (d.name == name) return &d;
  for (const auto& d : vmbench::find_workload(workload)->params)
    if (d.name == name) return &d;
  return nullptr;
}

constexpr std::size_t kCheckedCombinations = 4096;

// A plan made from any input: every value valid for its parameter, and reps cells per combination.
void check_plan(const vmbench::Plan& plan) {
  if (plan.cells.size() != plan.combinations.size() * static_cast<std::size_t>(plan.options.reps))
    broken("the cells are not the combinations times the repetitions");
  // A legal sweep may plan tens of thousands of combinations (the cap is kMaxPlannedCells cells):
  // every value comes from one of the plan's axes, so an evenly spaced sample of them sees every value
  // of the first axes, and the check stays well under libFuzzer's timeout.
  const std::size_t stride = plan.combinations.size() / kCheckedCombinations + 1;
  for (std::size_t i = 0; i < plan.combinations.size(); i += stride)
    for (const auto& [name, value] : plan.combinations[i].params.values()) {
      const auto& c = plan.combinations[i];
      const vmbench::ParamDef* def = find_def(name, c.workload);
      if (def == nullptr) broken("a parameter no one declares: " + name);
      if (const std::string why = vmbench::validate_param(*def, value); !why.empty()) broken("planned " + why);
    }
}

void plan_or_one_line(const vmbench::RunArguments& args) {
  try {
    check_plan(vmbench::make_plan(args.resolved()));
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) broken(std::string("a refusal of two lines: ") + e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = split_lines(data, size);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  CLI::App app{"vmbench"};
  vmbench::refuse_repeats_after_parsing(app);
  app.require_subcommand(1);
  vmbench::RunArguments run;
  CLI::App* run_command = vmbench::add_run_command(app, run);
  std::vector<vmbench::Command> others;  // they own their options' targets; their actions are never run
  for (auto add : {vmbench::register_list, vmbench::register_plot, vmbench::register_report, vmbench::register_compare,
                   vmbench::register_export, vmbench::register_recover, vmbench::register_record})
    others.push_back(add(app));
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError&) {
    return 0;  // main() prints it as one line
  }
  for (const CLI::App* command : app.get_subcommands())
    if (!vmbench::check_given_once_and_not_empty(*command).empty()) return 0;
  if (*run_command) plan_or_one_line(run);
  return 0;
}
