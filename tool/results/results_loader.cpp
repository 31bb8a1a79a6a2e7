#include "results_loader.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "figure_registry.hpp"
#include "schema_version.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

// A results file is a few MiB at most; anything far larger is not one (and is not read whole).
constexpr long long kMaxResultsFileBytes = 1LL << 30;

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

// The cost pass's figures (--cost, first repetition only): absent, null (the pass failed), or an object
// whose registered figures, where present, are numbers of their unit.
void check_cost(const json& f, const std::string& where) {
  const auto cost = f.find("cost");
  if (cost == f.end() || cost->is_null()) return;
  if (!cost->is_object()) fail(where + ".cost", "must be an object or null");
  for (const Figure& fig : kFigures) {
    const auto it = fig.slot == CellSlot::cost ? cost->find(std::string(cell_key(fig))) : cost->end();
    if (it != cost->end()) check_number(*it, where + ".cost." + std::string(cell_key(fig)), range_of(&fig));
  }
}

void check_cell_figures(const json& f, const std::string& where) {
  check_cost(f, where);
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

std::string one_line(std::string s) {
  // nlohmann's messages start with "[json.exception.parse_error.101] ": the reader needs the rest.
  if (const auto close = s.find("] "); s.rfind("[json.exception", 0) == 0 && close != std::string::npos)
    s.erase(0, close + 2);
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

}  // namespace

LoadedResults parse_results(const std::string& text, const std::string& name) {
  LoadedResults out;
  out.path = name;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    out.error = name + ": empty file, not a results document";
    return out;
  }
  try {
    out.doc = json::parse(text);
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

LoadedResults load_results(const std::string& path) {
  LoadedResults out;
  out.path = path;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    out.error = path + ": cannot read: " + std::strerror(errno);
    return out;
  }
  if (S_ISDIR(st.st_mode)) {
    out.error = path + ": is a directory, not a results file";
    return out;
  }
  if (st.st_size > kMaxResultsFileBytes) {
    out.error = path + ": " + std::to_string(st.st_size) + " bytes: too large to be a results file";
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.error = path + ": cannot read: " + std::strerror(errno);
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    out.error = path + ": read error";
    return out;
  }
  return parse_results(text.str(), path);
}

}  // namespace vmbench
