#include "block_rows.hpp"

#include <cstdio>

#include "json_text.hpp"

namespace vmbench {

using nlohmann::json;

std::string workload_params_text(const json& params) {
  std::string s;
  for (auto it = params.begin(); it != params.end(); ++it) s += (s.empty() ? "" : " ") + it.key() + "=" + it.value().get<std::string>();
  return s;
}

std::string block_id(const json& g) {
  // json_text: a parameter's text that is not UTF-8 must not make dump() throw (json_text.hpp).
  return g["workload"].get<std::string>() + " " + g["dispatch"].get<std::string>() + " " +
         json_text(g["workload_params"]);
}

std::string block_name(const json& g) {
  return g["workload"].get<std::string>() + "  (" + workload_params_text(g["workload_params"]) + ")" +
         (g["dispatch"] == "virtual" ? ", virtual dispatch" : "");
}

std::string row_label(const json& g) {
  std::string label = g["allocator"].get<std::string>();
  for (auto it = g["swept"].begin(); it != g["swept"].end(); ++it)
    if (g["workload_params"].find(it.key()) == g["workload_params"].end())
      label += " " + it.key() + "=" + it.value().get<std::string>();
  return label;
}

bool is_oracle(const json& g) { return g["allocator"] == "oracle"; }

std::string number_text(const char* format, double value) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::optional<double> number_in(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string latency_value_text(const json& kind, const char* key, const json& latency) {
  const std::optional<double> ns = number_in(kind, key);
  if (!ns) return "n/a";
  const double floor_ns = number_in(latency, "resolved_from_ns").value_or(0.0);
  if (*ns < floor_ns) return number_text("< %.0f ns", floor_ns);
  if (*ns < 1e3) return number_text("%.0f ns", *ns);
  return *ns < 1e6 ? number_text("%.1f us", *ns / 1e3) : number_text("%.1f ms", *ns / 1e6);
}

}  // namespace vmbench
