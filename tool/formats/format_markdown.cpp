#include "formats.hpp"
#include "text_escape.hpp"

namespace vmbench {

// Every piece of text is escaped (text_escape.hpp): names from a results file are data, not markup.
// Appended piece by piece: `"x" + temporary` trips a false -Wrestrict in g++ 12.
std::string render_markdown(const nlohmann::json& doc) {
  std::string out;
  for (const auto& b : summary_blocks(doc)) {
    out.append("### ").append(markdown_text(b.title)).append("\n\n|");
    for (const auto& h : b.header) out.append(" ").append(markdown_text(h)).append(" |");
    out += "\n|";
    for (std::size_t i = 0; i < b.header.size(); ++i) out += i == 0 ? " --- |" : " ---: |";
    out += "\n";
    for (const auto& r : b.rows) {
      out += "|";
      for (const auto& c : r) out.append(" ").append(markdown_text(c)).append(" |");
      out += "\n";
    }
    out += "\n";
    for (const auto& n : b.notes) out.append("- ").append(markdown_text(n)).append("\n");
    if (!b.notes.empty()) out += "\n";
  }
  if (!doc["groups"].empty()) out += summary_legend(doc) + "\n\n";
  for (const auto& w : doc["warnings"]) out.append("> warning: ").append(markdown_text(w.get<std::string>())).append("\n");
  return out;
}

}  // namespace vmbench
