#include "run_journal.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "journal_codec.hpp"
#include "json_text.hpp"
#include "results_loader.hpp"  // kMaxResultsFileBytes

namespace vmbench {

namespace {

using nlohmann::json;

constexpr int kJournalVersion = 1;
const std::string kJournalMark = "{\"vmbench_journal\":";  // how the first line starts

std::string with_errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool write_all(int fd, const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool held_by_a_run(int fd) { return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK; }

// Why the run on OUT cannot start: PATH is taken. Held by a running vmbench (the lock), or left by one
// that did not finish: its cells must not be overwritten.
std::string refusal_for_existing(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return with_errno("cannot use " + path + ", where the run keeps its cells");
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return path + " exists and is not a regular file: the run keeps its cells there; move it away";
  }
  const bool held = held_by_a_run(fd);
  char head[32] = {};
  const ssize_t n = held ? 0 : read(fd, head, sizeof head - 1);
  close(fd);
  if (held) return "another vmbench run is writing these results (it holds " + path + "): wait for it, or give another --out";
  const bool journal = n > 0 && looks_like_journal(head);
  return path + " holds the cells of an earlier run that did not finish" +
         (journal ? std::string(" (vmbench was killed): `vmbench recover ") + path + "` makes it a results file"
                  : std::string(" (interrupted): it is a results file")) +
         "; move or delete it, then run again";
}

}  // namespace

std::string partial_path(const std::string& out_path) { return out_path + ".partial"; }

bool journal_in_use(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = held_by_a_run(fd);
  close(fd);
  return held;
}

bool looks_like_journal(const std::string& text) { return text.rfind(kJournalMark, 0) == 0; }

RunJournal::RunJournal(RunJournal&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), cells_(other.cells_), end_(other.end_) {
  other.fd_ = -1;
}

RunJournal& RunJournal::operator=(RunJournal&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    cells_ = other.cells_;
    end_ = other.end_;
    other.fd_ = -1;
  }
  return *this;
}

RunJournal::~RunJournal() { release(); }

// Written under a random name, locked, then linked to PATH: the journal appears at PATH whole and
// already locked, and link() fails if anything (even a dangling link) is at PATH already.
RunJournal RunJournal::create(const std::string& path, const Plan& plan, const json& context, std::string& why) {
  RunJournal j;
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    why = with_errno("cannot create " + path);
    return j;
  }
  // By hand, so that the mark comes first (a json object would sort its members).
  const std::string header = kJournalMark + std::to_string(kJournalVersion) + ",\"plan\":" +
                             json_text(plan_to_json(plan)) + ",\"context\":" + json_text(context) + "}\n";
  if (flock(fd, LOCK_EX | LOCK_NB) != 0 || !write_all(fd, header)) why = with_errno("cannot write " + path);
  else if (link(tmp.c_str(), path.c_str()) != 0)
    why = errno == EEXIST ? refusal_for_existing(path) : with_errno("cannot create " + path);
  unlink(tmp.c_str());
  if (!why.empty()) {
    close(fd);
    return j;
  }
  j.fd_ = fd;
  j.path_ = path;
  j.end_ = static_cast<off_t>(header.size());
  return j;
}

std::string RunJournal::append(const CellRecord& cell) {
  const std::string line = json_text(cell_record_to_json(cell)) + "\n";
  if (!write_all(fd_, line) || fdatasync(fd_) != 0) {
    const std::string why = with_errno("cannot append to " + path_);
    if (ftruncate(fd_, end_) != 0) {  // the journal keeps whole lines only; a torn line is left out on reading
    }
    return why;
  }
  end_ += static_cast<off_t>(line.size());
  ++cells_;
  struct stat st {};
  if (fstat(fd_, &st) == 0 && st.st_nlink == 0) return path_ + " was deleted (its directory removed?)";
  return "";
}

void RunJournal::remove() {
  if (fd_ >= 0) unlink(path_.c_str());  // our own file: still locked by us, so no other run's
  release();
}

void RunJournal::release() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

namespace {

// The next line from `at`; false at the end. `whole` is false for a last line without its newline.
bool next_line(const std::string& text, std::size_t& at, std::string& line, bool& whole) {
  if (at >= text.size()) return false;
  const std::size_t end = text.find('\n', at);
  whole = end != std::string::npos;
  line = text.substr(at, whole ? end - at : std::string::npos);
  at = whole ? end + 1 : text.size();
  return true;
}

void read_lines(const std::string& text, RecoveredRun& run) {
  std::size_t at = 0;
  std::string line;
  bool whole = false;
  if (!next_line(text, at, line, whole) || !whole || !looks_like_journal(line))
    throw std::invalid_argument("not a vmbench run journal");
  const json header = json::parse(line);
  if (header.at("vmbench_journal") != kJournalVersion) throw std::invalid_argument("a journal of another version");
  run.plan = plan_from_json(header.at("plan"));
  run.context = header.at("context");
  for (int n = 2; next_line(text, at, line, whole); ++n) {
    if (!whole) {  // vmbench died while writing this cell's line
      run.cut_short = true;
      break;
    }
    try {
      run.cells.push_back(cell_record_from_json(json::parse(line), run.plan));
    } catch (const std::exception& e) {
      throw std::invalid_argument("line " + std::to_string(n) + ": " + e.what());
    }
  }
}

}  // namespace

RecoveredRun read_journal(const std::string& path) {
  RecoveredRun run;
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0) {
    run.error = with_errno(path + ": cannot read");
    if (fd >= 0) close(fd);
    return run;
  }
  std::string text;
  if (!S_ISREG(st.st_mode) || st.st_size > kMaxResultsFileBytes) run.error = path + ": not a regular file of a journal's size";
  else text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (run.error.empty() && done < text.size()) {
    const ssize_t n = read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  text.resize(done);
  if (!run.error.empty()) return run;
  try {
    read_lines(text, run);
  } catch (const std::exception& e) {
    run.error = path + ": " + e.what();
  }
  return run;
}

}  // namespace vmbench
