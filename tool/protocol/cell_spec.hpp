// What the parent asks of one cell process: the single argument of `vmbench __cell SPEC`, as JSON.
// The runner builds a CellSpec and encodes it; the cell decodes it. The JSON keys are spelled only in
// cell_spec.cpp, so the two sides cannot drift apart.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "cell_protocol.hpp"

namespace vmbench {

struct CellSpec {
  std::string workload;
  std::string allocator;
  std::string library;                        // the preloaded allocator's library file; "" for built-in ones
  std::string dispatch = "inline";            // inline | virtual (through the vmb::Allocator interface)
  std::map<std::string, std::string> params;  // every parameter the cell reads, as the user wrote it
  std::uint64_t seed = 0;
  int warmup = 0;                             // unmeasured passes of the workload first
  Pass pass = Pass::throughput;
  // Sizes that one deep pass needs from the throughput pass before it; unused by every other pass.
  std::uint64_t every_ops = 0;        // timeline: operations between two points
  std::uint64_t max_objects = 0;      // heap map: objects live at once, at most (the allocations)
  std::uint64_t peak_live_bytes = 0;  // heap map: bytes live at once, at most

  bool virtual_dispatch() const noexcept;  // dispatch == "virtual"

  bool operator==(const CellSpec&) const = default;
};

// A spec the cell cannot run: malformed JSON, a key missing, unknown or of the wrong type, an unknown
// pass or dispatch. The cell exits with CellExit::bad_spec and this one-line reason.
struct BadCellSpec : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// nlohmann::json conversions (found by argument-dependent lookup): `json j = spec; j.get<CellSpec>()`.
// to_json writes a pass's own sizes only for that pass (and no "pass" for the timed one); from_json
// takes any of them as optional, 0 (throughput) when left out, and throws BadCellSpec.
void to_json(nlohmann::json& j, const CellSpec& spec);
void from_json(const nlohmann::json& j, CellSpec& spec);

// The command-line argument and back. decode_cell_spec throws BadCellSpec.
std::string encode_cell_spec(const CellSpec& spec);
CellSpec decode_cell_spec(const std::string& text);

}  // namespace vmbench
