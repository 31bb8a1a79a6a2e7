// What the commands print to standard output, checked: a full disk, a file-size limit (ulimit -f) or
// /dev/full made `vmbench export r.json > out.json` leave 1,024 bytes of JSON and exit 0. Every
// command prints through print_out(); main() asks standard_output_failure() before it exits.
#pragma once

#include <string>
#include <string_view>

namespace vmbench {

// Writes `text` to stdout; the first failure is remembered with its errno.
void print_out(std::string_view text);

// printf to stdout through print_out().
[[gnu::format(printf, 1, 2)]] void print_outf(const char* format, ...);

// After the command: flushes stdout, and returns "" when everything printed reached it, else the
// reason ("No space left on device"; "write error" when the system gave none).
std::string standard_output_failure();

}  // namespace vmbench
