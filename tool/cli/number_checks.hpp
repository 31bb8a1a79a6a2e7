// Checks of numeric options, run by CLI11 on the text as given, before it converts it: a number is
// taken only when it is written as one and lies in its range. CLI11 alone let `--seed -1` become
// 2^64-1 (strtoull wraps a sign around), `--alpha nan` pass a range check (every comparison with
// NaN is false) and `--timeout inf` through.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace vmbench {

// Decimal digits only (no sign, exponent or suffix), from min to max.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max);

// A finite decimal number (no NaN, no infinity, nothing after it), from min to max.
CLI::Validator finite_number(double min, double max);

// Before the commands are added to `app`: an option given twice is kept for
// check_given_once_and_not_empty() to refuse by name (CLI11's own refusal said "At Most 1 required but
// received 3" for two values).
void refuse_repeats_after_parsing(CLI::App& app);

// After parsing: every option given to `command` was given a non-empty value, and an option that takes
// one value was given once. "" or the one line that says which option was not.
std::string check_given_once_and_not_empty(const CLI::App& command);

}  // namespace vmbench
