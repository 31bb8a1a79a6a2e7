#include "figure_values.hpp"

#include <string>

namespace vmbench {

using nlohmann::json;

// find, never operator[]: on a const document a missing key is undefined behaviour.
const json* cell_value(const json& cell_figures, const Figure& f) {
  const json* holder = &cell_figures;
  if (f.slot == CellSlot::document) return nullptr;
  if (f.slot != CellSlot::top) {
    const auto slot = cell_figures.find(std::string(slot_name(f.slot)));
    if (slot == cell_figures.end() || !slot->is_object()) return nullptr;
    holder = &*slot;
  }
  const auto it = holder->find(std::string(cell_key(f)));
  return it == holder->end() ? nullptr : &*it;
}

std::optional<double> cell_number(const json& cell_figures, const Figure& f) {
  const json* v = cell_value(cell_figures, f);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

const json* group_value(const json& group, const Figure& f) {
  const auto it = group.find(std::string(f.name));
  return it == group.end() ? nullptr : &*it;
}

const json* group_summary(const json& group, const Figure& f) {
  const auto figures = group.find("figures");
  if (figures == group.end() || !figures->is_object()) return nullptr;
  const auto it = figures->find(std::string(f.name));
  return it == figures->end() || !it->is_object() ? nullptr : &*it;
}

std::optional<double> group_number(const json& group, const Figure& f) {
  if (f.group == GroupPlace::value) {
    const json* v = group_value(group, f);
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->get<double>();
  }
  const json* s = group_summary(group, f);
  if (s == nullptr) return std::nullopt;
  const auto median = s->find("median");
  if (median == s->end() || !median->is_number()) return std::nullopt;
  return median->get<double>();
}

}  // namespace vmbench
