// Reading a results file back (compare, export, and later plot and report): the file must be a
// vmbench-results document of a supported version whose figures are all plausible numbers. Every
// problem is one line naming the file and the field, never an exception or a crash.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vmbench {

struct LoadedResults {
  std::string path;
  nlohmann::json doc;  // valid when error is empty
  std::string error;   // one line: "FILE: what is wrong"

  bool ok() const { return error.empty(); }
};

// A results file is a few MiB (800 cells: about 4 MiB); anything larger than this is not one and is not
// read. Only a regular file is read (not a device, FIFO or socket: they have no size to check).
inline constexpr long long kMaxResultsFileBytes = 256LL << 20;

// A results document nests about 6 levels; far deeper is not one (and would overflow a recursive
// parser's stack, as Python's does).
inline constexpr int kMaxNestingDepth = 64;

// Reads and checks the file at `path`.
LoadedResults load_results(const std::string& path);

// Checks a document given as text; `name` is used in the messages (a file name).
LoadedResults parse_results(const std::string& text, const std::string& name);

// Figures above these are not measurements but corruption: a cell process is killed long before a
// day has passed, and no machine holds 2^53 bytes (the largest integer a double keeps exactly).
inline constexpr double kMaxPlausibleSeconds = 86400.0 * 7;
inline constexpr double kMaxPlausibleCount = 9007199254740992.0;  // 2^53
inline constexpr double kMaxPlausibleRatePerS = 1e15;

}  // namespace vmbench
