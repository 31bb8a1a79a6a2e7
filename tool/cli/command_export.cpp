// `vmbench export --format FORMAT RESULTS.json`: an existing results file, rendered by one of the
// format catalog's exports (format_catalog.cpp) on standard output, what it has to say on stderr.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "exit_status.hpp"
#include "format_catalog.hpp"
#include "results_loader.hpp"
#include "standard_output.hpp"

namespace vmbench {

namespace {

int refuse(const std::string& why) {
  std::fprintf(stderr, "vmbench export: %s\n", why.c_str());
  return exit_code(ExitStatus::unusable_input);
}

bool any_ok_cell(const nlohmann::json& doc) {
  for (const auto& c : doc["cells"])
    if (c["status"] == "ok") return true;
  return false;
}

}  // namespace

Command register_export(CLI::App& app) {
  struct Args {
    std::string path;
    std::string format = "gbench";
    FormatOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("export", "Convert a results file for other tools (CI dashboards)");
  cmd->add_option("results", args->path, "A results file written by vmbench run")->required();
  cmd->add_option("--format,-f", args->format, format_help(true))
      ->check(CLI::IsMember(format_names(true)))
      ->capture_default_str();
  cmd->add_flag("--aggregates-only", args->options.aggregates_only,
                "gbench: one median entry per benchmark, no repetitions (for dashboards)");
  cmd->footer(
      "Examples:\n"
      "  vmbench export results.json > gbench.json && compare.py benchmarks base-gbench.json gbench.json\n"
      "  vmbench export --format custom-smaller results.json > memory.json\n"
      "  vmbench export --format bmf results.json > bmf.json");
  return {cmd, [args] {
            const LoadedResults r = load_results(args->path);
            if (!r.ok()) return refuse(r.error);
            if (!any_ok_cell(r.doc)) return refuse(args->path + " has no successful cell: nothing to export");
            const Rendered out = find_format(args->format)->render(r.doc, args->options);
            print_out(out.text);
            for (const std::string& note : out.notes) std::fprintf(stderr, "vmbench export: %s\n", note.c_str());
            return exit_code(ExitStatus::ok);
          }};
}

}  // namespace vmbench
