#include "formats.hpp"

namespace vmbench {

std::string render_markdown(const nlohmann::json& doc) {
  std::string out;
  for (const auto& b : summary_blocks(doc)) {
    out += "### " + b.title + "\n\n|";
    for (const auto& h : b.header) out += " " + h + " |";
    out += "\n|";
    for (std::size_t i = 0; i < b.header.size(); ++i) out += i == 0 ? " --- |" : " ---: |";
    out += "\n";
    for (const auto& r : b.rows) {
      out += "|";
      for (const auto& c : r) out += " " + c + " |";
      out += "\n";
    }
    out += "\n";
    for (const auto& n : b.notes) out += "- " + n + "\n";
    if (!b.notes.empty()) out += "\n";
  }
  if (!doc["groups"].empty()) out += summary_legend(doc) + "\n\n";
  for (const auto& w : doc["warnings"]) out += "> warning: " + w.get<std::string>() + "\n";
  return out;
}

}  // namespace vmbench
