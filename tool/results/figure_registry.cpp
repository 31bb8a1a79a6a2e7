#include "figure_registry.hpp"

#include <nlohmann/json.hpp>

namespace vmbench {

const Figure* find_figure(std::string_view name) {
  for (const Figure& f : kFigures)
    if (f.name == name) return &f;
  return nullptr;
}

std::string_view unit_name(Unit u) {
  switch (u) {
    case Unit::seconds: return "s";
    case Unit::bytes: return "bytes";
    case Unit::count: return "count";
    case Unit::per_second: return "1/s";
    case Unit::hash: return "hash";
    case Unit::ratio: return "ratio";
  }
  return "?";
}

std::string_view kind_name(FigureKind k) {
  switch (k) {
    case FigureKind::count: return "count";
    case FigureKind::memory: return "memory";
    case FigureKind::timing: return "timing";
    case FigureKind::cost: return "cost";
  }
  return "?";
}

std::string_view better_name(Better b) {
  switch (b) {
    case Better::lower: return "lower";
    case Better::higher: return "higher";
    case Better::none: return "none";
  }
  return "?";
}

std::string_view gate_name(Gate g) {
  switch (g) {
    case Gate::match: return "match";
    case Gate::exact: return "exact";
    case Gate::pages: return "pages";
    case Gate::timing: return "timing";
    case Gate::relative: return "relative";
    case Gate::report: return "report";
    case Gate::none: return "none";
  }
  return "?";
}

std::string_view group_place_name(GroupPlace p) {
  switch (p) {
    case GroupPlace::none: return "none";
    case GroupPlace::value: return "value";
    case GroupPlace::summary: return "summary";
  }
  return "?";
}

namespace {

using nlohmann::json;

json figure_json(const Figure& f) {
  const std::string key(cell_key(f));
  const std::string slot(slot_name(f.slot));
  return {{"name", f.name},
          {"unit", unit_name(f.unit)},
          {"signed", f.is_signed},
          {"counts", f.counts.empty() ? json(nullptr) : json(f.counts)},
          {"kind", kind_name(f.kind)},
          {"better", better_name(f.better)},
          {"gate", gate_name(f.gate)},
          {"tolerance", f.gate == Gate::relative ? json(f.tolerance) : json(nullptr)},
          {"cell", f.slot == CellSlot::document ? std::string() : slot.empty() ? key : slot + "." + key},
          {"group", group_place_name(f.group)},
          {"presence", f.presence == Presence::always ? "always" : "optional"},
          {"dashboard", f.dashboard},
          {"label", f.label},
          {"description", f.description}};
}

}  // namespace

json figure_registry_json() {
  json figures = json::array();
  for (const Figure& f : kFigures) figures.push_back(figure_json(f));
  json sections = json::array();
  for (const Section& s : kSections)
    sections.push_back(
        {{"name", s.name}, {"cells", s.in_cells}, {"groups", s.in_groups}, {"description", s.description}});
  return {{"figures", figures}, {"sections", sections}};
}

}  // namespace vmbench
