#include "results_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "figure_registry.hpp"
#include "schema_version.hpp"

namespace vmbench {

namespace {

using nlohmann::json;



struct Invalid {
  std::string message;
};

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw Invalid{where + ": " + what}; }

const json& member(const json& obj, const std::string& where, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end()) fail(where, std::string("missing field '") + name + "'");
  return *it;
}

const json& object_at(const json& obj, const std::string& where, const char* name) {
  const json& v = member(obj, where, name);
  if (!v.is_object()) fail(where + "." + name, "must be an object");
  return v;
}

const json& array_at(const json& obj, const std::string& where, const char* name) {
  const json& v = member(obj, where, name);
  if (!v.is_array()) fail(where + "." + name, "must be an array");
  return v;
}

void check_string(const json& obj, const std::string& where, const char* name) {
  if (!member(obj, where, name).is_string()) fail(where + "." + name, "must be a string");
}

void check_optional_string(const json& obj, const std::string& where, const char* name) {
  const auto it = obj.find(name);
  if (it != obj.end() && !it->is_string()) fail(where + "." + name, "must be a string");
}

void check_string_or_null(const json& obj, const std::string& where, const char* name) {
  const json& v = member(obj, where, name);
  if (!v.is_string() && !v.is_null()) fail(where + "." + name, "must be a string or null");
}

// Parameters and swept values: names to values, all written as text ("64K", "16").
void check_string_map(const json& obj, const std::string& where, const char* name) {
  const json& map = object_at(obj, where, name);
  for (auto it = map.begin(); it != map.end(); ++it)
    if (!it.value().is_string()) fail(where + "." + name + "." + it.key(), "must be a string");
}

// How a number may look, by what it measures.
enum class Range { seconds, count, signed_bytes, rate, any_finite, hash };

void check_number(const json& v, const std::string& where, Range range) {
  if (!v.is_number()) fail(where, "must be a number");
  if (range == Range::hash) {  // a 64-bit checksum: any unsigned whole number, compared exactly
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
      fail(where, "must be a whole number from 0 to 2^64-1: " + v.dump());
    return;
  }
  const double x = v.get<double>();
  if (!std::isfinite(x)) fail(where, "must be a finite number");
  const bool integral = v.is_number_integer() || v.is_number_unsigned() || x == std::floor(x);
  switch (range) {
    case Range::seconds:
      if (x < 0 || x > kMaxPlausibleSeconds) fail(where, "implausible number of seconds: " + v.dump());
      break;
    case Range::count:
      if (!integral || x < 0 || x > kMaxPlausibleCount) fail(where, "must be a whole number from 0 to 2^53: " + v.dump());
      break;
    case Range::signed_bytes:
      if (!integral || std::fabs(x) > kMaxPlausibleCount) fail(where, "must be a whole number within +-2^53: " + v.dump());
      break;
    case Range::rate:
      if (x < 0 || x > kMaxPlausibleRatePerS) fail(where, "implausible rate: " + v.dump());
      break;
    case Range::any_finite:
      if (std::fabs(x) > kMaxPlausibleCount) fail(where, "implausible number: " + v.dump());
      break;
    case Range::hash:
      break;
  }
}

void check_number_at(const json& obj, const std::string& where, const char* name, Range range) {
  check_number(member(obj, where, name), where + "." + name, range);
}

void check_optional_number(const json& obj, const std::string& where, const char* name, Range range) {
  const auto it = obj.find(name);
  if (it != obj.end()) check_number(*it, where + "." + name, range);
}

// A ratio to malloc: null when it cannot be computed, else a finite number >= 0 (> 0 if `positive`).
void check_ratio_or_null(const json& obj, const std::string& where, const char* name, bool positive) {
  const json& v = member(obj, where, name);
  if (v.is_null()) return;
  check_number(v, where + "." + name, Range::rate);
  if (positive && v.get<double>() <= 0) fail(where + "." + name, "must be a positive ratio: " + v.dump());
}

// How a registered figure's numbers may look; a figure the registry does not know is read as a count.
Range range_of(const Figure* f) {
  if (f == nullptr) return Range::count;
  switch (f->unit) {
    case Unit::seconds: return Range::seconds;
    case Unit::per_second:
    case Unit::ratio: return Range::rate;
    case Unit::hash: return Range::hash;
    case Unit::bytes:
    case Unit::count: return f->is_signed ? Range::signed_bytes : Range::count;
  }
  return Range::count;
}

void check_summary(const json& s, const std::string& where, Range range) {
  if (!s.is_object()) fail(where, "must be a summary object or null");
  const json& n = member(s, where, "n");
  if (!(n.is_number_integer() || n.is_number_unsigned()) || n.get<double>() < 1) fail(where + ".n", "must be a whole number >= 1");
  // Medians and means of whole numbers need not be whole: only the sign and size are checked.
  const Range value_range = range == Range::count ? Range::rate : range == Range::signed_bytes ? Range::any_finite : range;
  for (const char* f : {"median", "min", "max", "mean"}) check_number_at(s, where, f, value_range);
  check_number_at(s, where, "stddev", Range::rate);
  check_number_at(s, where, "cv", Range::any_finite);
}

// The allocator's own counters: null, or an object holding every heap figure (and other counts).
void check_heap(const json& f, const std::string& where) {
  const json& heap = member(f, where, "heap");
  if (heap.is_null()) return;
  if (!heap.is_object()) fail(where + ".heap", "must be an object or null");
  for (const Figure& fig : kFigures)
    if (fig.slot == CellSlot::heap) {
      const std::string key(cell_key(fig));
      check_number(member(heap, where + ".heap", key.c_str()), where + ".heap." + key, range_of(&fig));
    }
  for (auto it = heap.begin(); it != heap.end(); ++it) check_number(it.value(), where + ".heap." + it.key(), Range::count);
}

// An object of figures a cell may lack (the cost pass's, a workload's own counts, the --syscalls
// pass's, a program's): absent, null (the pass failed), or an object whose registered figures, where
// present, are numbers of their unit.
void check_optional_slot(const json& f, const std::string& where, CellSlot slot) {
  const std::string name(slot_name(slot));
  const auto object = f.find(name);
  if (object == f.end() || object->is_null()) return;
  if (!object->is_object()) fail(where + "." + name, "must be an object or null");
  for (const Figure& fig : kFigures) {
    const auto it = fig.slot == slot ? object->find(std::string(cell_key(fig))) : object->end();
    if (it != object->end()) check_number(*it, where + "." + name + "." + std::string(cell_key(fig)), range_of(&fig));
  }
}

void check_cell_figures(const json& f, const std::string& where) {
  for (const CellSlot slot : {CellSlot::cost, CellSlot::workload_counts, CellSlot::syscalls, CellSlot::program})
    check_optional_slot(f, where, slot);
  for (const Figure& fig : kFigures) {
    if (fig.slot != CellSlot::top) continue;
    const std::string name(fig.name);
    if (fig.presence == Presence::always) check_number(member(f, where, name.c_str()), where + "." + name, range_of(&fig));
    else if (const auto it = f.find(name); it != f.end() && !it->is_null()) check_number(*it, where + "." + name, range_of(&fig));
  }
  check_heap(f, where);
}

void check_cell(const json& c, const std::string& where) {
  if (!c.is_object()) fail(where, "must be an object");
  for (const char* s : {"key", "workload", "allocator", "dispatch"}) check_string(c, where, s);
  check_string_map(c, where, "params");
  check_optional_string(c, where, "error");
  check_number_at(c, where, "rep", Range::count);
  const json& status = member(c, where, "status");
  if (status != "ok" && status != "failed") fail(where + ".status", "must be \"ok\" or \"failed\"");
  if (status == "ok") check_cell_figures(object_at(c, where, "figures"), where + ".figures");
}

// What a group that ran holds: a summary of every figure each cell has, and the values equal in every
// repetition.
void check_group_that_ran(const json& g, const json& figures, const std::string& where) {
  for (const Figure& f : kFigures) {
    const std::string name(f.name);
    if (f.group == GroupPlace::value) check_number_at(g, where, name.c_str(), range_of(&f));
    const bool always = f.presence == Presence::always && f.slot == CellSlot::top;
    if (f.group == GroupPlace::summary && always && (!figures.contains(name) || figures[name].is_null()))
      fail(where + ".figures." + name, "missing for a group that ran");
  }
  check_string_or_null(g, where, "heap_note");
}

void check_group(const json& g, const std::string& where) {
  if (!g.is_object()) fail(where, "must be an object");
  for (const char* s : {"key", "workload", "allocator", "dispatch"}) check_string(g, where, s);
  check_string_map(g, where, "workload_params");
  check_string_map(g, where, "swept");
  check_number_at(g, where, "reps_ok", Range::count);
  check_number_at(g, where, "reps_failed", Range::count);
  const json& figures = object_at(g, where, "figures");
  for (auto it = figures.begin(); it != figures.end(); ++it)
    if (!it.value().is_null()) check_summary(it.value(), where + ".figures." + it.key(), range_of(find_figure(it.key())));
  const json& vs = member(g, where, "vs_malloc");
  if (vs.is_object()) {
    check_ratio_or_null(vs, where + ".vs_malloc", "speedup", true);
    check_ratio_or_null(vs, where + ".vs_malloc", "peak_rss_ratio", false);  // 0: no RSS growth
  } else if (!vs.is_null()) {
    fail(where + ".vs_malloc", "must be an object or null");
  }
  if (const auto phases = g.find("phases"); phases != g.end()) {
    if (!phases->is_array()) fail(where + ".phases", "must be an array");
    for (std::size_t i = 0; i < phases->size(); ++i) {
      const json& p = (*phases)[i];
      const std::string at = where + ".phases[" + std::to_string(i) + "]";
      if (!p.is_object()) fail(at, "must be an object");
      check_string(p, at, "name");
      check_summary(member(p, at, "seconds"), at + ".seconds", Range::seconds);
    }
  }
  if (g["reps_ok"].get<double>() > 0) check_group_that_ran(g, figures, where);
}

// Each combination once, each repetition of it once, and each group's counts those of its cells: a file
// with a combination twice (an older vmbench given -w tree,tree) was compared with itself and judged a
// regression, and groups whose cells are gone (cells: []) summarised nothing.
void check_cells_match_groups(const json& cells, const json& groups) {
  std::map<std::string, std::pair<double, double>> counted;  // key -> cells ok, cells failed
  std::set<std::pair<std::string, double>> seen;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::string key = cells[i]["key"].get<std::string>();
    const double rep = cells[i]["rep"].get<double>();
    if (!seen.insert({key, rep}).second)
      fail("cells[" + std::to_string(i) + "]", "repeats " + key + " rep " + cells[i]["rep"].dump() + ": each cell once");
    (cells[i]["status"] == "ok" ? counted[key].first : counted[key].second) += 1;
  }
  std::map<std::string, std::size_t> group_of;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string where = "groups[" + std::to_string(i) + "]";
    const std::string key = groups[i]["key"].get<std::string>();
    if (const auto [first, added] = group_of.emplace(key, i); !added)
      fail(where + ".key", "\"" + key + "\" repeats groups[" + std::to_string(first->second) + "]: each combination once");
    const auto [ok, failed] = counted[key];
    if (ok != groups[i]["reps_ok"].get<double>() || failed != groups[i]["reps_failed"].get<double>())
      fail(where, "reps_ok and reps_failed disagree with the cells of " + key + " (" + std::to_string(static_cast<long long>(ok)) +
                      " ok, " + std::to_string(static_cast<long long>(failed)) + " failed)");
  }
}

void check_document(const json& doc) {
  if (!doc.is_object()) fail("top level", "must be an object (is this a vmbench results file?)");
  const json& schema = member(doc, "top level", "schema");
  if (schema != kSchemaName)
    fail("schema", "is " + schema.dump() + ", not \"" + kSchemaName + "\": not a vmbench results file");
  const json& version = member(doc, "top level", "schema_version");
  if (!version.is_number_integer() && !version.is_number_unsigned()) fail("schema_version", "must be a whole number");
  if (version.get<long long>() != kSchemaVersion)
    fail("schema_version", "unsupported version " + version.dump() + " (this vmbench reads version " +
                               std::to_string(kSchemaVersion) + ")");
  if (!member(doc, "top level", "complete").is_boolean()) fail("complete", "must be true or false");
  const json& ctx = object_at(doc, "top level", "context");
  for (const char* s : {"cpu_model", "kernel"}) check_string(ctx, "context", s);
  for (const char* s : {"date_utc", "build_type", "vmbench_version", "git_commit"}) check_optional_string(ctx, "context", s);
  check_optional_number(ctx, "context", "cpu_count", Range::count);
  check_optional_number(ctx, "context", "seed", Range::hash);
  check_number_at(ctx, "context", "page_size", Range::count);
  if (ctx["page_size"].get<double>() < 1) fail("context.page_size", "must be at least 1");
  const json& plan = object_at(doc, "top level", "plan");
  check_number_at(plan, "plan", "reps", Range::count);
  check_string(plan, "plan", "scale");
  const json& cells = array_at(doc, "top level", "cells");
  for (std::size_t i = 0; i < cells.size(); ++i) check_cell(cells[i], "cells[" + std::to_string(i) + "]");
  const json& groups = array_at(doc, "top level", "groups");
  for (std::size_t i = 0; i < groups.size(); ++i) check_group(groups[i], "groups[" + std::to_string(i) + "]");
  check_cells_match_groups(cells, groups);
  const json& warnings = array_at(doc, "top level", "warnings");
  for (std::size_t i = 0; i < warnings.size(); ++i)
    if (!warnings[i].is_string()) fail("warnings[" + std::to_string(i) + "]", "must be a string");
}

// JSON has no NaN or Infinity, but some writers (Python's json by default) emit them: name the
// culprit rather than report a bare syntax error.
std::string find_non_json_number(const std::string& text) {
  bool in_string = false;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\n') ++line;
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    for (const char* word : {"NaN", "Infinity"})
      if (text.compare(i, std::strlen(word), word) == 0)
        return std::string(word) + " at line " + std::to_string(line) + " is not a JSON number (figures must be finite)";
  }
  return "";
}

// nlohmann keeps the last of two members of one name; a results file never has two, and which one a
// reader takes must not depend on the reader. The first repeated name, or "".
struct RepeatedMembers {
  std::vector<std::set<std::string>> open;  // the names met in each object being parsed
  std::string repeated;

  bool operator()(int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open.emplace_back();
    else if (event == json::parse_event_t::object_end && !open.empty()) open.pop_back();
    else if (event == json::parse_event_t::key && !open.empty() && !open.back().insert(parsed.get<std::string>()).second &&
             repeated.empty())
      repeated = parsed.get<std::string>();
    return true;
  }
};

// The rules of the text itself, the same in the plots' loader (scripts/plots/loader.py) and tested on
// one corpus (tests/fixtures/loader-rules/): no byte-order mark (vmbench writes none; nlohmann skipped
// it, Python refused it), no NUL byte (nlohmann and Python told a trailing NUL apart differently), no
// nesting deeper than kMaxNestingDepth (Python's parser overflowed its stack where nlohmann's did not).
// "" or what is wrong.
std::string text_rule_violation(const std::string& text) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) return "starts with a byte-order mark (vmbench writes none): not a results file";
  if (const auto nul = text.find('\0'); nul != std::string::npos)
    return "a NUL byte at offset " + std::to_string(nul) + ": not a text file";
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"') in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > kMaxNestingDepth)
        return "nested more than " + std::to_string(kMaxNestingDepth) + " levels deep: not a results file";
    } else if (ch == ']' || ch == '}') {
      --depth;
    }
  }
  return "";
}

// The length of the valid UTF-8 sequence at s[i], or 0 when the byte there starts none.
std::size_t utf8_sequence_at(const std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  return n;
}

std::string one_line(std::string s) {
  // nlohmann's messages start with "[json.exception.parse_error.101] ": the reader needs the rest.
  if (const auto close = s.find("] "); s.rfind("[json.exception", 0) == 0 && close != std::string::npos)
    s.erase(0, close + 2);
  // A parse error quotes the bytes it last read: line breaks and bytes that are not UTF-8 are shown
  // as escapes, so that the line is one line of text.
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_at(s, i);
    const auto c = static_cast<unsigned char>(s[i]);
    if (n == 0 || c < 0x20) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += c == '\n' || c == '\r' ? std::string(" ") : std::string(hex);
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace

LoadedResults parse_results(const std::string& text, const std::string& name) {
  LoadedResults out;
  out.path = name;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    out.error = name + ": empty file, not a results document";
    return out;
  }
  if (const std::string broken = text_rule_violation(text); !broken.empty()) {
    out.error = name + ": " + broken;
    return out;
  }
  RepeatedMembers repeated;
  try {
    out.doc = json::parse(text, std::ref(repeated));
  } catch (const json::exception& e) {
    const std::string non_number = find_non_json_number(text);
    // Truncated: the parser ran out of text (possibly inside a string) rather than met a wrong byte.
    const auto* parse_error = dynamic_cast<const json::parse_error*>(&e);
    const std::size_t last = text.find_last_not_of(" \t\r\n") + 1;
    const bool truncated = std::string(e.what()).find("unexpected end of input") != std::string::npos ||
                           (parse_error != nullptr && parse_error->byte >= last);
    out.error = name + ": not valid JSON" + (truncated ? " (truncated?)" : "") + ": " +
                (non_number.empty() ? one_line(e.what()) : non_number);
    out.doc = nullptr;
    return out;
  }
  if (!repeated.repeated.empty()) {
    out.error = name + ": the member \"" + repeated.repeated + "\" appears twice in one object: not a results file";
    out.doc = nullptr;
    return out;
  }
  try {
    check_document(out.doc);
  } catch (const Invalid& e) {
    out.error = name + ": " + e.message;
    out.doc = nullptr;
  } catch (const std::exception& e) {  // a type the checks did not foresee: still one line
    out.error = name + ": malformed results document: " + one_line(e.what());
    out.doc = nullptr;
  }
  return out;
}

namespace {

// The file's text, read through one descriptor: "" in `error` or why not. Opened without blocking (a
// FIFO with no writer would block the open itself), then refused unless regular: a device or a pipe
// has no size to check, and `compare /dev/zero x.json` grew by 65 MB/s until memory ran out.
std::string read_bounded(const std::string& path, std::string& error) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = path + ": cannot read: " + std::strerror(errno);
    return "";
  }
  struct stat st {};
  std::string text;
  if (fstat(fd, &st) != 0) error = path + ": cannot read: " + std::strerror(errno);
  else if (S_ISDIR(st.st_mode)) error = path + ": is a directory, not a results file";
  else if (!S_ISREG(st.st_mode)) error = path + ": not a regular file (a device, FIFO or socket): give a results file";
  else if (st.st_size > kMaxResultsFileBytes)
    error = path + ": " + std::to_string(st.st_size) + " bytes: larger than a results file can be (" +
            std::to_string(kMaxResultsFileBytes >> 20) + " MiB)";
  else text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (error.empty() && done < text.size()) {  // a file that shrank meanwhile ends early
    const ssize_t n = read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = path + ": read error: " + std::strerror(errno);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  text.resize(done);
  return text;
}

}  // namespace

LoadedResults load_results(const std::string& path) {
  LoadedResults out;
  out.path = path;
  const std::string text = read_bounded(path, out.error);
  if (!out.ok()) return out;
  return parse_results(text, path);
}

}  // namespace vmbench
