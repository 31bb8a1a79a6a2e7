// libFuzzer target: vmbench's results loader (tool/results/results_loader.cpp), the gate every results file
// passes before compare, export, plot and report use it. Any text must give either a document or one
// line of error, never a crash, an exception or a hang. A document the loader accepts must then be
// safe for every consumer: each rendering runs on it, comparing it with itself must find no change,
// and the loader must accept its own re-serialisation.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "compare.hpp"
#include "formats.hpp"
#include "results_loader.hpp"

namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "results loader: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const vmbench::LoadedResults loaded = vmbench::parse_results(text, "fuzz.json");
  if (!loaded.ok()) {
    if (loaded.error.find('\n') != std::string::npos) broken("an error of more than one line: " + loaded.error);
    if (loaded.error.rfind("fuzz.json", 0) != 0) broken("an error that does not name the file: " + loaded.error);
    return 0;
  }
  const nlohmann::json& doc = loaded.doc;
  for (const vmbench::OutputFormat& f : vmbench::format_catalog()) {  // every format, aggregates-only too
    f.render(doc, vmbench::FormatOptions{});
    f.render(doc, vmbench::FormatOptions{.aggregates_only = true});
  }
  const vmbench::Comparison self = vmbench::compare_documents(doc, doc, vmbench::CompareOptions{});
  if (!self.error.empty()) broken("a loaded document cannot be compared with itself: " + self.error);
  if (self.regressions != 0) broken("a document compared with itself shows a regression");
  vmbench::render_comparison_table(self);
  vmbench::render_comparison_markdown(self);
  const vmbench::LoadedResults again = vmbench::parse_results(doc.dump(), "fuzz.json");
  if (!again.ok()) broken("rejects its own re-serialisation: " + again.error);
  return 0;
}
