// Workload and allocator parameters: declared with a default per scale, overridden with
// --param NAME=V, validated in the parent before anything runs, read typed in the child.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmbench {

enum class Scale : std::uint8_t { ci = 0, standard = 1, large = 2 };
inline constexpr const char* kScaleNames[] = {"ci", "default", "large"};
std::optional<Scale> parse_scale(const std::string& s);

enum class ParamKind : std::uint8_t {
  count,   // non-negative integer; accepts k/M/G/T suffixes as powers of 1000 ("2M" = 2000000)
  bytes,   // byte size; accepts K/M/G/T suffixes as powers of 1024 ("64K" = 65536)
  choice,  // one of `choices`
  text,    // any non-empty text: a command line, a file path
};

// The values a count or byte-size parameter may take, both ends included: what the workload or the
// allocator can honour (a depth whose tree fits in memory and in a 64-bit shift, a divisor above 0).
struct ParamRange {
  std::uint64_t min = 0;
  std::uint64_t max = UINT64_MAX;
};

struct ParamDef {
  std::string name;
  ParamKind kind;
  std::array<std::string, 3> defaults;  // per Scale: ci, default, large
  std::string help;
  std::vector<std::string> choices = {};  // for ParamKind::choice
  std::vector<std::string> applies_to = {};  // allocator parameters: the allocators that read it
  ParamRange range = {};                  // for ParamKind::count and bytes
};

// Parse a count or byte size with its suffix; nullopt (with a reason) when malformed or overflowing.
std::optional<std::uint64_t> parse_count(const std::string& s, std::string* why = nullptr);
std::optional<std::uint64_t> parse_bytes(const std::string& s, std::string* why = nullptr);
// Check one value against its definition (kind, choices, range); empty string when valid, else a
// one-line reason naming the parameter and its valid values.
std::string validate_param(const ParamDef& def, const std::string& value);
// "4 to 22", "1 to 64M" (bytes in their short form): the range as a message gives it.
std::string describe_range(const ParamDef& def);
// A value quoted back in a message: as given when short, else its start and its length (a
// 310-digit number is not echoed whole).
std::string echo_value(const std::string& value);
// Human form of a byte size: 4096 -> "4K", 2097152 -> "2M".
std::string format_bytes_short(std::uint64_t bytes);
// For messages: 4096 -> "4 KiB", 68719476736 -> "64 GiB", 1000 -> "1000 bytes".
std::string format_bytes_long(std::uint64_t bytes);

// Resolved parameters of one cell: every declared name has a value.
class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  std::uint64_t count(const std::string& name) const;  // aborts with a message if missing/invalid
  std::uint64_t bytes(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, std::string>& values() const { return values_; }
  void set(const std::string& name, const std::string& value) { values_[name] = value; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace vmbench
