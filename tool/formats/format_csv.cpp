#include "figure_values.hpp"
#include "formats.hpp"
#include "json_text.hpp"

namespace vmbench {

namespace {

// RFC 4180 quoting: fields with a comma, quote or newline are quoted, quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string value_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return json_text(v);
}

}  // namespace

// One column per registered figure, in the registry's order; empty where the cell has none.
std::string render_csv(const nlohmann::json& doc) {
  std::string out = "key,workload,allocator,dispatch,params,rep,status,error";
  for (const Figure& f : kFigures) out.append(",").append(f.name);
  out += "\n";
  for (const auto& c : doc["cells"]) {
    std::string params;
    for (auto it = c["params"].begin(); it != c["params"].end(); ++it)
      params += (params.empty() ? "" : " ") + it.key() + "=" + it.value().get<std::string>();
    out += csv_field(c["key"].get<std::string>()) + "," + c["workload"].get<std::string>() + "," +
           c["allocator"].get<std::string>() + "," + c["dispatch"].get<std::string>() + "," + csv_field(params) + "," +
           std::to_string(c["rep"].get<int>()) + "," + c["status"].get<std::string>() + "," +
           csv_field(c.value("error", std::string()));
    const nlohmann::json figures = c.value("figures", nlohmann::json::object());
    for (const Figure& f : kFigures) {
      const nlohmann::json* v = cell_value(figures, f);
      out.append(",").append(v != nullptr ? value_text(*v) : std::string());
    }
    out += "\n";
  }
  return out;
}

}  // namespace vmbench
