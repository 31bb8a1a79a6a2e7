// JSON as text, never an exception. nlohmann's dump() throws (type_error 316) on a string that is not
// valid UTF-8: a path or a command line holding a byte such as 0xff, or a cell's stderr, aborted
// vmbench after a cell was measured and lost it. Here each invalid byte becomes U+FFFD instead.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vmbench {

// `indent` as nlohmann's dump(): -1 for one line, 2 for the results files.
inline std::string json_text(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vmbench
