#include "callgrind_totals.hpp"

#include <array>
#include <charconv>
#include <vector>

namespace vmbench {

namespace {

using nlohmann::json;

constexpr std::array<const char*, 9> kEventNames = {"Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"};

std::array<std::uint64_t*, 9> fields_of(CallgrindTotals& t) {
  return {&t.ir, &t.dr, &t.dw, &t.i1mr, &t.d1mr, &t.d1mw, &t.ilmr, &t.dlmr, &t.dlmw};
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// The rest of the first line that starts with `key` (e.g. "totals:"), or nullopt.
std::optional<std::string_view> line_after(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    if (line.starts_with(key)) return line.substr(key.size());
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<CallgrindTotals> parse_callgrind_totals(std::string_view text, std::string* why) {
  const std::optional<std::string_view> events_line = line_after(text, "events:");
  if (!events_line) {
    *why = "no events: line in the callgrind output";
    return std::nullopt;
  }
  std::optional<std::string_view> totals_line = line_after(text, "totals:");
  if (!totals_line) totals_line = line_after(text, "summary:");
  if (!totals_line) {
    *why = "no totals: or summary: line in the callgrind output";
    return std::nullopt;
  }
  const std::vector<std::string_view> events = words(*events_line), numbers = words(*totals_line);
  if (numbers.size() > events.size()) {
    *why = "the callgrind totals have more numbers than events";
    return std::nullopt;
  }
  CallgrindTotals t;
  const auto fields = fields_of(t);
  for (std::size_t f = 0; f < kEventNames.size(); ++f) {
    std::size_t column = 0;
    while (column < events.size() && events[column] != kEventNames[f]) ++column;
    if (column == events.size()) {
      *why = std::string("the callgrind output has no event ") + kEventNames[f] + " (was --cache-sim=yes given?)";
      return std::nullopt;
    }
    if (column >= numbers.size()) continue;  // the format leaves trailing zeros out
    const std::string_view n = numbers[column];
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), *fields[f]);
    if (ec != std::errc() || end != n.data() + n.size()) {
      *why = "the callgrind totals hold a non-number: '" + std::string(n) + "'";
      return std::nullopt;
    }
  }
  return t;
}

json callgrind_totals_json(const CallgrindTotals& t) {
  CallgrindTotals copy = t;
  const auto fields = fields_of(copy);
  json events = json::object();
  for (std::size_t f = 0; f < kEventNames.size(); ++f) events[kEventNames[f]] = *fields[f];
  return {{"instructions", t.ir},          {"data_reads", t.dr},
          {"data_writes", t.dw},           {"l1_misses", l1_misses(t)},
          {"ll_misses", ll_misses(t)},     {"estimated_cycles", estimated_cycles(t)},
          {"events", events}};
}

}  // namespace vmbench
