// `vmbench recover JOURNAL [--out FILE]`: the cells of a run that was killed (SIGKILL, a crash, the
// machine going down) as a results file. Such a run leaves its journal, OUT.partial (run_journal.hpp),
// holding every cell it finished; this builds the document the run would have written from it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "atomic_file.hpp"
#include "commands.hpp"
#include "exit_status.hpp"
#include "json_text.hpp"
#include "results_loader.hpp"
#include "run_journal.hpp"
#include "standard_output.hpp"

namespace vmbench {

namespace {

int refuse(const std::string& why) {
  std::fprintf(stderr, "vmbench recover: %s\n", why.c_str());
  return exit_code(ExitStatus::unusable_input);
}

// The document of the journal's cells, checked as any results file is: "" or why not, in `why`.
std::string document_of(const RecoveredRun& run, std::string& why) {
  try {
    const bool complete = !run.cut_short && run.cells.size() == run.plan.cells.size();
    const std::string text = json_text(build_document(run.plan, run.cells, run.context, complete), 2);
    const LoadedResults checked = parse_results(text, "the recovered document");
    if (checked.ok()) return text;
    why = checked.error;
  } catch (const std::exception& e) {  // a cell the document cannot hold: the journal was damaged
    why = std::string("cannot rebuild the document: ") + e.what();
  }
  return "";
}

int recover(const std::string& journal, const std::string& out_arg) {
  const std::string out = out_arg.empty() ? journal : out_arg;
  if (journal_in_use(journal)) return refuse(journal + " is held by a running vmbench: wait for it to finish");
  const RecoveredRun run = read_journal(journal);
  if (!run.error.empty()) return refuse(run.error);
  std::string why;
  const std::string text = document_of(run, why);
  if (!why.empty()) return refuse(journal + ": " + why);
  if (out == kStandardOutput) {
    print_out(text + "\n");
    return exit_code(ExitStatus::ok);
  }
  if (out != journal)
    if (const std::string refused = check_output_file(out); !refused.empty()) return refuse(refused);
  if (const std::string failed = write_file_atomically(out, text); !failed.empty()) return refuse(failed);
  std::fprintf(stderr, "vmbench recover: %zu of the %zu planned cells written to %s%s\n", run.cells.size(),
               run.plan.cells.size(), out.c_str(),
               run.cut_short ? " (the cell being written when vmbench died is lost)" : "");
  return exit_code(ExitStatus::ok);
}

}  // namespace

Command register_recover(CLI::App& app) {
  struct Args {
    std::string journal, out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("recover", "Make a results file of the cells a killed run left in OUT.partial");
  cmd->add_option("journal", args->journal, "The journal a killed `vmbench run --out OUT` left: OUT.partial")->required();
  cmd->add_option("--out,-o", args->out, "Where to write the results (default: over the journal itself; - for "
                                         "standard output)");
  cmd->footer(
      "A run appends every finished cell to OUT.partial and writes OUT only when it completes; an\n"
      "interrupted run (Ctrl-C) leaves its partial results in OUT.partial. A run that was killed outright\n"
      "leaves the journal there instead: this turns it into a results file (complete: false).\n"
      "Exit codes: 0 written, 2 not a journal or the results cannot be written.\n"
      "Example:\n"
      "  vmbench recover vmbench-results.json.partial --out recovered.json");
  return {cmd, [args] { return recover(args->journal, args->out); }};
}

}  // namespace vmbench
