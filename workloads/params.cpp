#include "params.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "exit_codes.hpp"

namespace vmbench {

std::optional<Scale> parse_scale(const std::string& s) {
  for (int i = 0; i < 3; ++i)
    if (s == kScaleNames[i]) return static_cast<Scale>(i);
  return std::nullopt;
}

namespace {

std::optional<std::uint64_t> parse_scaled(const std::string& s, std::uint64_t base, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<std::uint64_t> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  if (s.empty()) return fail("empty value");
  std::size_t i = 0;
  std::uint64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const std::uint64_t digit = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return fail("number too large");
    v = v * 10 + digit;
  }
  if (i == 0) return fail("not a number");
  int shifts = 0;
  if (i < s.size()) {
    const std::string suffix = s.substr(i);
    const std::string units = "KMGT";
    const std::size_t pos = suffix.size() == 1 ? units.find(static_cast<char>(std::toupper(suffix[0]))) : std::string::npos;
    if (pos == std::string::npos) return fail("unknown suffix (use K, M, G or T)");
    shifts = static_cast<int>(pos) + 1;
  }
  for (int k = 0; k < shifts; ++k) {
    if (v > UINT64_MAX / base) return fail("number too large");
    v *= base;
  }
  return v;
}

}  // namespace

std::optional<std::uint64_t> parse_count(const std::string& s, std::string* why) {
  return parse_scaled(s, 1000, why);
}
std::optional<std::uint64_t> parse_bytes(const std::string& s, std::string* why) {
  return parse_scaled(s, 1024, why);
}

std::string echo_value(const std::string& value) {
  constexpr std::size_t kEchoBytes = 24;  // enough for any value a parameter can hold
  if (value.size() <= kEchoBytes) return value;
  return value.substr(0, kEchoBytes) + "... (" + std::to_string(value.size()) + " characters)";
}

std::string describe_range(const ParamDef& def) {
  const auto show = [&](std::uint64_t v) {
    return def.kind == ParamKind::bytes ? format_bytes_short(v) : std::to_string(v);
  };
  return show(def.range.min) + " to " + show(def.range.max);
}

std::string validate_param(const ParamDef& def, const std::string& value) {
  const std::string given = "parameter " + def.name + "=" + echo_value(value) + ": ";
  std::string why;
  std::optional<std::uint64_t> number;
  switch (def.kind) {
    case ParamKind::count: number = parse_count(value, &why); break;
    case ParamKind::bytes: number = parse_bytes(value, &why); break;
    case ParamKind::choice: {
      std::string list;
      for (const auto& c : def.choices) {
        if (c == value) return "";
        list += (list.empty() ? "" : ", ") + c;
      }
      return given + "expected one of " + list;
    }
    case ParamKind::text:
      return value.empty() ? "parameter " + def.name + " is empty" : "";
  }
  if (!number) return given + why + " (valid: " + describe_range(def) + ")";
  if (*number < def.range.min || *number > def.range.max) return given + "out of range (valid: " + describe_range(def) + ")";
  return "";
}

namespace {
// The largest binary unit that divides `bytes` exactly: (count, unit index: -1 bytes, 0 K ... 3 T).
std::pair<std::uint64_t, int> exact_binary_unit(std::uint64_t bytes) {
  constexpr int kLargestUnit = 3;  // T
  int u = -1;
  while (bytes >= 1024 && bytes % 1024 == 0 && u < kLargestUnit) {
    bytes /= 1024;
    ++u;
  }
  return {bytes, u};
}
}  // namespace

std::string format_bytes_short(std::uint64_t bytes) {
  const auto [count, u] = exact_binary_unit(bytes);
  return std::to_string(count) + (u >= 0 ? std::string(1, "KMGT"[u]) : std::string());
}

std::string format_bytes_long(std::uint64_t bytes) {
  const char* const units[] = {"KiB", "MiB", "GiB", "TiB"};
  const auto [count, u] = exact_binary_unit(bytes);
  return std::to_string(count) + " " + (u >= 0 ? units[u] : "bytes");
}

namespace {
[[noreturn]] void bad_param(const std::string& name, const char* what) {
  std::fprintf(stderr, "vmbench: parameter %s: %s\n", name.c_str(), what);
  std::exit(kExitBadParameter);
}
}  // namespace

const std::string& Params::text(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) bad_param(name, "not set");
  return it->second;
}
std::uint64_t Params::count(const std::string& name) const {
  auto v = parse_count(text(name));
  if (!v) bad_param(name, "not a count");
  return *v;
}
std::uint64_t Params::bytes(const std::string& name) const {
  auto v = parse_bytes(text(name));
  if (!v) bad_param(name, "not a byte size");
  return *v;
}

}  // namespace vmbench
