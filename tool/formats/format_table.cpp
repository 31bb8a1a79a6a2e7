#include <algorithm>

#include "formats.hpp"
#include "text_escape.hpp"

namespace vmbench {

std::string render_table(const nlohmann::json& doc) {
  std::string out;
  for (SummaryBlock b : summary_blocks(doc)) {
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
    out += terminal_text(b.title) + "\n" + line(b.header);
    for (const auto& r : b.rows) out += line(r);
    for (const auto& n : b.notes) out += "  note: " + terminal_text(n) + "\n";
    out += "\n";
  }
  if (!doc["groups"].empty()) out += summary_legend(doc) + "\n\n";
  for (const auto& w : doc["warnings"]) out += "warning: " + terminal_text(w.get<std::string>()) + "\n";
  return out;
}

}  // namespace vmbench
