// Names from a results file are printed as text: never a terminal command, never Markdown markup.
#include "text_escape.hpp"

#include <gtest/gtest.h>

namespace vmbench {
namespace {

TEST(TextEscape, ControlCharactersAreShownNotSent) {
  EXPECT_EQ(terminal_text("tree/\x1b]0;owned\x07/inline"), "tree/\\x1b]0;owned\\x07/inline");
  EXPECT_EQ(terminal_text("a\nb\x7f"), "a\\x0ab\\x7f");
  EXPECT_EQ(terminal_text("pmr-pool commit_step=4K \xc3\xa9"), "pmr-pool commit_step=4K \xc3\xa9");  // UTF-8 kept
}

TEST(TextEscape, MarkdownMarkupIsEscaped) {
  EXPECT_EQ(markdown_text("a|b"), "a\\|b");
  EXPECT_EQ(markdown_text("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
  EXPECT_EQ(markdown_text("[link](http://x) *b* `c` \\"), "\\[link\\](http://x) \\*b\\* \\`c\\` \\\\");
  EXPECT_EQ(markdown_text("two\nlines"), "two lines");
  EXPECT_EQ(markdown_text("commit_step=4K"), "commit\\_step=4K");
}

}  // namespace
}  // namespace vmbench
