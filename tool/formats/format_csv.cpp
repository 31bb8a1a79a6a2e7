#include "formats.hpp"

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
  return v.dump();
}

}  // namespace

std::string render_csv(const nlohmann::json& doc) {
  static const char* const kFigures[] = {"wall_s", "ops", "ops_per_s", "cpu_user_s", "cpu_sys_s", "peak_rss_bytes",
                                         "peak_rss_delta_bytes", "final_rss_delta_bytes", "minor_faults", "major_faults",
                                         "page_table_delta_bytes", "allocations", "frees", "frees_skipped",
                                         "peak_live_bytes", "checksum"};
  static const char* const kHeap[] = {"commit_calls", "decommit_calls", "committed_bytes", "peak_committed_bytes"};
  std::string out = "key,workload,allocator,dispatch,params,rep,status,error";
  for (const char* f : kFigures) out += std::string(",") + f;
  for (const char* f : kHeap) out += std::string(",heap_") + f;
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
    for (const char* f : kFigures) out.append(",").append(value_text(figures.value(f, nlohmann::json())));
    const nlohmann::json heap = figures.value("heap", nlohmann::json());
    for (const char* f : kHeap) out.append(",").append(heap.is_object() ? value_text(heap.value(f, nlohmann::json())) : std::string());
    out += "\n";
  }
  return out;
}

}  // namespace vmbench
