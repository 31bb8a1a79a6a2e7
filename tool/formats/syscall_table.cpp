// The traced system-call table (--syscalls): per allocator, the commits and decommits one traced pass
// counted, and their bytes, the same way for every allocator (docs/metrics.md, "System calls"). The
// main table's commits column shows the heap's own counter where it has one; this table shows the
// trace's count for every allocator, so the two can be read side by side.
#include <optional>

#include "block_rows.hpp"
#include "pass_tables.hpp"

namespace vmbench {

using nlohmann::json;

namespace {

std::string count_text(const json& syscalls, const char* key) {
  const std::optional<double> n = number_in(syscalls, key);
  return n ? number_text("%.0f", *n) : "n/a";
}

std::string bytes_text(const json& syscalls, const char* key) {
  const std::optional<double> n = number_in(syscalls, key);
  return n ? human_bytes(*n) : "n/a";
}

// The allocators whose time-based purging the traced pass pinned (syscalls.pins), "jemalloc, mimalloc".
std::string pinned_text(const std::vector<const json*>& groups) {
  std::string pinned;
  for (const json* g : groups) {
    const json* syscalls = pass_object(*g, "syscalls");
    if (syscalls == nullptr) continue;
    const auto pins = syscalls->find("pins");
    if (pins != syscalls->end() && pins->is_array() && !pins->empty())
      pinned += (pinned.empty() ? "" : ", ") + row_label(*g);
  }
  return pinned;
}

}  // namespace

std::vector<SummaryBlock> syscall_blocks(const json& doc) {
  std::vector<SummaryBlock> out;
  for (const PassBlock& block : pass_blocks_of(doc)) {
    const auto& groups = block.groups;
    SummaryBlock b;
    b.title = block.name + "  memory system calls, one traced pass: fewer is better";
    b.header = {"allocator", "commits", "committed", "decommits", "decommitted"};
    for (const json* g : groups) {
      const json* syscalls = pass_object(*g, "syscalls");
      if (syscalls == nullptr) continue;
      b.rows.push_back({row_label(*g), count_text(*syscalls, "commits"), bytes_text(*syscalls, "commit_bytes"),
                        count_text(*syscalls, "decommits"), bytes_text(*syscalls, "decommit_bytes")});
    }
    if (b.rows.empty()) continue;
    if (const std::string pinned = pinned_text(groups); !pinned.empty())
      b.notes.push_back("pinned for determinism (no time-based purging): " + pinned);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace vmbench
