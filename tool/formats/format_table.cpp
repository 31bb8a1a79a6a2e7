#include <algorithm>

#include "formats.hpp"
#include "text_escape.hpp"

namespace vmbench {

namespace {

// The span labels' line: each label left-aligned over the columns it covers ("alloc" over p50..max).
std::string spans_line(const SummaryBlock& b, const std::vector<std::size_t>& width) {
  std::string s = " ";
  std::size_t column = 0;
  for (const auto& [label, covered] : b.spans) {
    std::size_t span_width = 0;
    for (std::size_t i = column; i < column + covered && i < width.size(); ++i) span_width += width[i] + 1;
    const std::string text = terminal_text(label).substr(0, span_width > 0 ? span_width - 1 : 0);
    s += ' ' + text + std::string(span_width - std::min(span_width, text.size() + 1), ' ');
    column += covered;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s + "\n";
}

// A block as aligned text: names left, numbers right, every text from the file escaped.
std::string block_text(SummaryBlock b) {
  for (auto& h : b.header) h = terminal_text(h);  // checkpoint labels come from the file
  for (auto& r : b.rows)  // names from the file: printable, and measured as printed
    for (auto& cell : r) cell = terminal_text(cell);
  std::vector<std::size_t> width(b.header.size(), 0);
  for (std::size_t i = 0; i < b.header.size(); ++i) width[i] = b.header[i].size();
  for (const auto& r : b.rows)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = " ";
    for (std::size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      const std::string pad(width[i] - cells[i].size(), ' ');
      s += ' ';
      if (i == 0) s.append(cells[i]).append(pad);  // names left
      else s.append(pad).append(cells[i]);         // numbers right
    }
    return s + "\n";
  };
  std::string out = terminal_text(b.title) + "\n";
  if (!b.spans.empty()) out += spans_line(b, width);
  out += line(b.header);
  for (const auto& r : b.rows) out += line(r);
  for (const auto& n : b.notes) out += "  note: " + terminal_text(n) + "\n";
  return out + "\n";
}

}  // namespace

// The main blocks and their legend, then the extra passes' compact tables, then the warnings.
std::string render_table(const nlohmann::json& doc) {
  std::string out;
  for (SummaryBlock& b : summary_blocks(doc)) out += block_text(std::move(b));
  if (!doc["groups"].empty()) out += summary_legend(doc) + "\n\n";
  for (SummaryBlock& b : pass_blocks(doc)) out += block_text(std::move(b));
  for (const auto& w : doc["warnings"]) out += "warning: " + terminal_text(w.get<std::string>()) + "\n";
  return out;
}

}  // namespace vmbench
