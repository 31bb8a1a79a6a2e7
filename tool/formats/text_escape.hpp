// Text from a results file (workload, allocator and parameter names, keys, errors, warnings) printed
// in a table or in Markdown: a name is data, never markup or a terminal command. A file could hold
// "\e]0;...\a" (a terminal escape sequence), or "a|b" and "<script>" (a broken or injected Markdown
// table); these are printed as visible text.
#pragma once

#include <string>
#include <string_view>

namespace vmbench {

// Control characters (C0 and DEL; ESC among them) as \xNN; everything else as it is.
std::string terminal_text(std::string_view text);

// terminal_text(), then Markdown's and HTML's active characters escaped: \ ` * _ [ ] | with a
// backslash, < > & as HTML entities; a line break becomes a space (a table cell is one line).
std::string markdown_text(std::string_view text);

}  // namespace vmbench
