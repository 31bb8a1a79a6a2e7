#include "formats.hpp"
#include "text_escape.hpp"

namespace vmbench {

namespace {

// The header, each column under a span named with it ("alloc p50"): Markdown has one header row.
std::vector<std::string> flat_header(const SummaryBlock& b) {
  std::vector<std::string> header = b.header;
  std::size_t column = 0;
  for (const auto& [label, covered] : b.spans) {
    for (std::size_t i = column; i < column + covered && i < header.size(); ++i)
      if (!label.empty()) header[i] = label + " " + header[i];
    column += covered;
  }
  return header;
}

// Every piece of text is escaped (text_escape.hpp): names from a results file are data, not markup.
// Appended piece by piece: `"x" + temporary` trips a false -Wrestrict in g++ 12.
std::string block_markdown(const SummaryBlock& b) {
  std::string out;
  out.append("### ").append(markdown_text(b.title)).append("\n\n|");
  const std::vector<std::string> header = flat_header(b);
  for (const auto& h : header) out.append(" ").append(markdown_text(h)).append(" |");
  out += "\n|";
  for (std::size_t i = 0; i < header.size(); ++i) out += i == 0 ? " --- |" : " ---: |";
  out += "\n";
  for (const auto& r : b.rows) {
    out += "|";
    for (const auto& c : r) out.append(" ").append(markdown_text(c)).append(" |");
    out += "\n";
  }
  out += "\n";
  for (const auto& n : b.notes) out.append("- ").append(markdown_text(n)).append("\n");
  if (!b.notes.empty()) out += "\n";
  return out;
}

}  // namespace

// The same tables as the terminal's, in the same order: the main blocks, their legend, the passes'.
std::string render_markdown(const nlohmann::json& doc) {
  std::string out;
  for (const auto& b : summary_blocks(doc)) out += block_markdown(b);
  if (!doc["groups"].empty()) out += summary_legend(doc) + "\n\n";
  for (const auto& b : pass_blocks(doc)) out += block_markdown(b);
  for (const auto& w : doc["warnings"]) out.append("> warning: ").append(markdown_text(w.get<std::string>())).append("\n");
  return out;
}

}  // namespace vmbench
