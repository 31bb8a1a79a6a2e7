#include "number_checks.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "params.hpp"  // echo_value

namespace vmbench {

namespace {

std::string shown(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        const std::string bad = echo_value(text) + " is not a whole number from " + range;
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return bad;
        std::uint64_t v = 0;
        for (const char c : text) {
          const auto digit = static_cast<std::uint64_t>(c - '0');
          if (v > (UINT64_MAX - digit) / 10) return bad;
          v = v * 10 + digit;
        }
        return v < min || v > max ? bad : std::string();
      },
      "UINT in " + range);
}

CLI::Validator finite_number(double min, double max) {
  const std::string range = shown(min) + " to " + shown(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        const std::string bad = echo_value(text) + " is not a finite number from " + range;
        char* end = nullptr;
        errno = 0;
        const double x = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(x)) return bad;
        return x < min || x > max ? bad : std::string();
      },
      "NUMBER in " + range);
}

void refuse_repeats_after_parsing(CLI::App& app) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

std::string check_given_once_and_not_empty(const CLI::App& command) {
  for (const CLI::Option* opt : command.get_options()) {
    if (opt->count() == 0) continue;
    const std::string name = opt->get_name();
    // A program's command line (run --program -- CMD ARGS..., record -- CMD ARGS...) may hold an
    // empty argument on purpose: `sh -c 'echo "$1"' sh ''`.
    const bool arguments = opt->get_positional() && opt->get_expected_max() > 1;
    if (!arguments)
      for (const std::string& value : opt->results())
        if (value.empty()) return name + ": an empty value (give a value, or leave the option out)";
    if (opt->get_expected_max() == 1 && opt->count() > 1)
      return name + ": given " + std::to_string(opt->count()) + " times (give it once)";
  }
  return "";
}

}  // namespace vmbench
