// --threshold NAME=VALUE: a tolerance per figure, for the figures compare judges (the registry's gate).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "compare.hpp"
#include "figure_registry.hpp"

namespace vmbench {

namespace {

const Figure* comparable_figure(const std::string& name) {
  const Figure* f = find_figure(name);
  return f != nullptr && f->gate != Gate::none ? f : nullptr;
}

std::string comparable_names() {
  std::string all;
  for (const Figure& f : kFigures)
    if (f.gate != Gate::none) all += (all.empty() ? "" : ", ") + std::string(f.name);
  return all;
}

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

std::string threshold_text(const Figure& f, const Threshold* custom, const CompareOptions& o) {
  if (custom != nullptr && custom->type == Threshold::Type::off) return "off";
  const bool relative = custom != nullptr && custom->type == Threshold::Type::relative;
  const bool absolute = custom != nullptr && custom->type == Threshold::Type::absolute;
  if (f.gate == Gate::timing)
    return "p < " + number_text(o.alpha) + " and " + number_text(100 * (relative ? custom->value : o.min_effect)) + "%";
  if (relative) return number_text(100 * custom->value) + "%";
  if (absolute) {
    std::string text = number_text(custom->value);
    text += ' ';
    text += f.unit == Unit::count ? f.counts : std::string_view("bytes");
    return text;
  }
  switch (f.gate) {
    case Gate::match: return "equal";
    case Gate::exact: return "exact";
    case Gate::pages: return number_text(o.tolerance_pages) + (f.unit == Unit::bytes ? " pages" : " faults");
    case Gate::relative: return number_text(100 * f.tolerance) + "%";
    case Gate::report: return "shown";
    case Gate::timing:
    case Gate::none: break;
  }
  return "";
}

std::optional<std::pair<std::string, Threshold>> parse_threshold(const std::string& text, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    error = "--threshold '" + text + "': expected FIGURE=VALUE, e.g. wall_s=15% or heap_commit_calls=2";
    return std::nullopt;
  }
  const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
  const Figure* figure = comparable_figure(name);
  if (figure == nullptr) {
    error = "--threshold: unknown figure '" + name + "' (figures: " + comparable_names() + ")";
    return std::nullopt;
  }
  Threshold t;
  if (value == "off") {
    t.type = Threshold::Type::off;
    return std::make_pair(name, t);
  }
  const bool relative = value.back() == '%';
  const std::string number = relative ? value.substr(0, value.size() - 1) : value;
  char* end = nullptr;
  const double x = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(x) || x < 0) {
    error = "--threshold '" + text + "': the value must be a non-negative number, a percentage (15%) or off";
    return std::nullopt;
  }
  if (figure->gate == Gate::timing && !relative) {
    error = "--threshold '" + text + "': a timing threshold is a minimum effect in percent (e.g. " + name + "=15%)";
    return std::nullopt;
  }
  t.type = relative ? Threshold::Type::relative : Threshold::Type::absolute;
  t.value = relative ? x / 100 : x;
  return std::make_pair(name, t);
}

}  // namespace vmbench
