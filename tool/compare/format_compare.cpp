// Renderings of a comparison (`vmbench compare --format table|markdown|json`).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "compare.hpp"
#include "formats.hpp"
#include "text_escape.hpp"

namespace vmbench {

namespace {

using nlohmann::json;

std::string value_text(const json& v, const std::string& unit) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (unit == "hash") return v.dump();
  const double x = v.get<double>();
  char buf[48];
  if (unit == "s") return human_seconds(x);
  if (unit == "bytes") return human_bytes(x);
  if (unit == "ratio") std::snprintf(buf, sizeof buf, "%.3f", x);
  else if (unit == "1/s") std::snprintf(buf, sizeof buf, "%.4g", x);
  else std::snprintf(buf, sizeof buf, "%.0f", x);
  return buf;
}

std::string change_text(const CompareRow& r) {
  if (r.kind == "status") return "";
  if (std::isnan(r.change)) return r.base == r.now ? "0%" : "changed";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", r.change * 100);
  return buf;
}

std::string p_text(const CompareRow& r) {
  if (!r.p.is_number()) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", r.p.get<double>());
  return buf;
}

std::string verdict_text(const CompareRow& r) {
  std::string v = verdict_name(r.verdict);
  if (!r.gated && r.verdict != Verdict::not_judged) v += " (not gated)";
  return v;
}

// `text`: terminal_text or markdown_text, for what comes from the files (keys, names, notes).
std::vector<std::vector<std::string>> cells_of(const Comparison& c, std::string (*text)(std::string_view)) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : c.rows)
    rows.push_back({text(r.key), text(r.figure), text(value_text(r.base, r.unit)), text(value_text(r.now, r.unit)),
                    change_text(r), p_text(r), r.threshold, verdict_text(r), text(r.note)});
  return rows;
}

// `threshold`: the tolerance each row was judged by (a --threshold, else the registry's gate).
const std::vector<std::string> kHeader = {"cell", "figure", "base", "new", "change", "p", "threshold", "verdict", "note"};
constexpr std::size_t kVerdictColumn = 7;

}  // namespace

Comparison fold_unchanged(const Comparison& c) {
  Comparison out = c;
  out.rows.clear();
  std::set<std::string> cells_folded;
  std::size_t folded = 0;
  for (const auto& r : c.rows) {
    if (r.verdict == Verdict::unchanged) {
      ++folded;
      cells_folded.insert(r.key);
    } else {
      out.rows.push_back(r);
    }
  }
  if (folded > 0)
    out.notes.push_back(std::to_string(folded) + " unchanged figures of " + std::to_string(cells_folded.size()) +
                        " cells not listed (--verbose lists every row)");
  return out;
}

std::string render_comparison_table(const Comparison& c) {
  const auto rows = cells_of(c, terminal_text);
  std::vector<std::size_t> width(kHeader.size());
  for (std::size_t i = 0; i < kHeader.size(); ++i) width[i] = kHeader[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i + 1 < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& cells, bool first_of_cell) {
    std::string s;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string text = i == 0 && !first_of_cell ? "" : cells[i];
      if (i + 1 == cells.size()) {
        if (!text.empty()) s += "  " + text;
        break;
      }
      const std::string pad(width[i] - text.size(), ' ');
      s += i == 0 ? text + pad : i == 1 ? "  " + text + pad : "  " + pad + text;
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(kHeader, true);
  std::string previous;
  for (const auto& r : rows) {
    out += line(r, r[0] != previous);
    previous = r[0];
  }
  out += "\n";
  for (const auto& n : c.notes) out += "note: " + terminal_text(n) + "\n";
  out += c.verdict_line + "\n";
  return out;
}

std::string render_comparison_markdown(const Comparison& c) {
  std::string out = "|";
  for (const auto& h : kHeader) out += " " + h + " |";
  out += "\n|";
  for (std::size_t i = 0; i < kHeader.size(); ++i) out += i < 2 || i + 1 == kHeader.size() ? " --- |" : " ---: |";
  out += "\n";
  for (const auto& r : cells_of(c, markdown_text)) {
    const bool worse = r[kVerdictColumn] == "worse";
    out += "|";
    for (const auto& x : r) out += " " + (worse && !x.empty() ? "**" + x + "**" : x) + " |";
    out += "\n";
  }
  out += "\n";
  for (const auto& n : c.notes) out += "- " + markdown_text(n) + "\n";
  out += "\n**" + c.verdict_line + "**\n";
  return out;
}

json comparison_json(const Comparison& c, const std::string& base_path, const std::string& new_path) {
  json rows = json::array();
  for (const auto& r : c.rows)
    rows.push_back({{"cell", r.key},
                    {"figure", r.figure},
                    {"kind", r.kind},
                    {"unit", r.unit},
                    {"base", r.base},
                    {"new", r.now},
                    {"change", std::isfinite(r.change) ? json(r.change) : json(nullptr)},
                    {"p", r.p},
                    {"verdict", verdict_name(r.verdict)},
                    {"gated", r.gated},
                    {"threshold", r.threshold},
                    {"note", r.note}});
  return {{"base", base_path},
          {"new", new_path},
          {"normalized_by", c.normalized_by.empty() ? json(nullptr) : json(c.normalized_by)},
          {"cells_compared", c.cells_compared},
          {"regressions", c.regressions},
          {"improvements", c.improvements},
          {"regression", c.regressions > 0},
          {"verdict", c.verdict_line},
          {"notes", c.notes},
          {"rows", rows}};
}

}  // namespace vmbench
