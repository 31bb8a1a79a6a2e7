#include "cell_spec.hpp"

#include <array>
#include <string_view>

namespace vmbench {

namespace {

using nlohmann::json;

// The spec's keys, each spelled once.
constexpr const char* kWorkload = "workload";
constexpr const char* kAllocator = "allocator";
constexpr const char* kLibrary = "library";
constexpr const char* kDispatch = "dispatch";
constexpr const char* kParams = "params";
constexpr const char* kSeed = "seed";
constexpr const char* kWarmup = "warmup";
constexpr const char* kPass = "pass";
constexpr const char* kEveryOps = "every_ops";
constexpr const char* kMaxObjects = "max_objects";
constexpr const char* kPeakLiveBytes = "peak_live_bytes";
constexpr std::array<std::string_view, 11> kKnownKeys = {kWorkload, kAllocator, kDispatch,   kParams,
                                                         kSeed,     kWarmup,    kPass,       kEveryOps,
                                                         kMaxObjects, kPeakLiveBytes, kLibrary};

constexpr std::string_view kDispatchInline = "inline";
constexpr std::string_view kDispatchVirtual = "virtual";

template <class T>
T required(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) throw BadCellSpec(std::string("'") + key + "' is missing");
  try {
    return it->get<T>();
  } catch (const json::exception& e) {
    throw BadCellSpec(std::string("'") + key + "': " + e.what());
  }
}

// A deep-pass key: 0 when left out.
std::uint64_t optional_count(const json& j, const char* key) {
  return j.contains(key) ? required<std::uint64_t>(j, key) : 0;
}

void refuse_unknown_keys(const json& j) {
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view k : kKnownKeys) known |= key == k;
    if (!known) throw BadCellSpec("unknown key '" + key + "'");
  }
}

}  // namespace

bool CellSpec::virtual_dispatch() const noexcept { return dispatch == kDispatchVirtual; }

// A pass's own keys travel only with that pass, so that a timed cell's spec is the plain one.
void to_json(json& j, const CellSpec& s) {
  j = {{kWorkload, s.workload}, {kAllocator, s.allocator}, {kDispatch, s.dispatch},
       {kParams, s.params},     {kSeed, s.seed},           {kWarmup, s.warmup}};
  if (!s.library.empty()) j[kLibrary] = s.library;
  if (s.pass != Pass::throughput) j[kPass] = std::string(pass_name(s.pass));
  if (s.pass == Pass::timeline) j[kEveryOps] = s.every_ops;
  if (s.pass == Pass::heap_map) {
    j[kMaxObjects] = s.max_objects;
    j[kPeakLiveBytes] = s.peak_live_bytes;
  }
}

void from_json(const json& j, CellSpec& s) {
  if (!j.is_object()) throw BadCellSpec("not a JSON object");
  refuse_unknown_keys(j);
  s.workload = required<std::string>(j, kWorkload);
  s.allocator = required<std::string>(j, kAllocator);
  s.library = j.contains(kLibrary) ? required<std::string>(j, kLibrary) : std::string();
  s.dispatch = required<std::string>(j, kDispatch);
  if (s.dispatch != kDispatchInline && s.dispatch != kDispatchVirtual)
    throw BadCellSpec("unknown dispatch '" + s.dispatch + "' (valid: inline, virtual)");
  s.params = required<std::map<std::string, std::string>>(j, kParams);
  s.seed = required<std::uint64_t>(j, kSeed);
  s.warmup = required<int>(j, kWarmup);
  if (s.warmup < 0) throw BadCellSpec("'warmup' is negative");
  const std::string pass = j.contains(kPass) ? required<std::string>(j, kPass) : std::string(pass_name(Pass::throughput));
  const std::optional<Pass> parsed = parse_pass(pass);
  if (!parsed) throw BadCellSpec("unknown pass '" + pass + "'");
  s.pass = *parsed;
  s.every_ops = optional_count(j, kEveryOps);
  s.max_objects = optional_count(j, kMaxObjects);
  s.peak_live_bytes = optional_count(j, kPeakLiveBytes);
}

std::string encode_cell_spec(const CellSpec& spec) { return json(spec).dump(); }

CellSpec decode_cell_spec(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw BadCellSpec(std::string("not JSON: ") + e.what());
  }
  return j.get<CellSpec>();
}

}  // namespace vmbench
