// The journal of a run: OUT.partial, beside the results file OUT, while the run goes. One line per
// finished cell is appended to it (JSON Lines), so that writing after each cell costs that cell's
// bytes, not the whole document's again (800 cells took 155 s when the document was rewritten after
// every cell), and a vmbench killed outright (SIGKILL, a crash) leaves every finished cell on disk:
// `vmbench recover OUT.partial` turns the journal into a results document.
//
// The journal also guards OUT: it is created exclusively and locked (flock) for the whole run, so a
// second run on the same OUT is refused with one line, and an unfinished run's journal (or its
// partial document) is never overwritten by the next run.
//
//   line 1        {"vmbench_journal": 1, "plan": {...}, "context": {...}}  the plan and context, whole
//   each next     {"combination": i, "rep": r, "ok": b, "error": "...", "elapsed_s": x, "data": {...}}
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plan.hpp"
#include "results_document.hpp"

namespace vmbench {

// OUT.partial: where a run on OUT keeps its journal, and where an unfinished run's document stays.
std::string partial_path(const std::string& out_path);

class RunJournal {
 public:
  RunJournal() = default;
  RunJournal(RunJournal&& other) noexcept;
  RunJournal& operator=(RunJournal&& other) noexcept;
  RunJournal(const RunJournal&) = delete;
  RunJournal& operator=(const RunJournal&) = delete;
  ~RunJournal();  // releases the lock; leaves the file

  // Creates `path` with its header, locked, exclusively: "" in `why`, or the one line that refuses
  // the run (another run holds it; an unfinished run left it; it cannot be written).
  static RunJournal create(const std::string& path, const Plan& plan, const nlohmann::json& context, std::string& why);

  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  std::size_t cells() const { return cells_; }

  // One finished cell, on disk before the next cell starts: "" or why not (the journal is left as it
  // was before the call, or has been deleted: its directory removed).
  std::string append(const CellRecord& cell);

  // The run is over and its document is elsewhere: the journal is deleted.
  void remove();
  // The run is over and its journal stays (replaced by a document, or kept for `vmbench recover`).
  void release();

 private:
  int fd_ = -1;
  std::string path_;
  std::size_t cells_ = 0;
  off_t end_ = 0;  // bytes of whole lines written
};

// A journal read back: the plan, context and finished cells of the run that wrote it.
struct RecoveredRun {
  Plan plan;
  nlohmann::json context;
  std::vector<CellRecord> cells;
  bool cut_short = false;  // the last line was incomplete (vmbench died while writing it): left out
  std::string error;       // one line naming the file, when it cannot be read as a journal
};

RecoveredRun read_journal(const std::string& path);

// Whether a running vmbench holds the journal at `path` (its lock).
bool journal_in_use(const std::string& path);

// Whether a file's text starts as a journal does (else it is, say, the partial document of an
// interrupted run).
bool looks_like_journal(const std::string& text);

}  // namespace vmbench
