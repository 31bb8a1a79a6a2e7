// The allocator's own statistics, read through its public entry points found with dlsym (so a
// preloaded library is asked, never glibc by mistake): jemalloc mallctl, mimalloc mi_process_info,
// tcmalloc MallocExtension, glibc mallinfo2. A reading allocates nothing: it can run at checkpoints.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace vmbench {

struct NativeField {
  const char* name = nullptr;  // e.g. "stats.active"
  std::uint64_t value = 0;
};

struct NativeStats {
  static constexpr int kMaxFields = 10;
  std::array<NativeField, kMaxFields> fields{};
  int n_fields = 0;
  bool has_committed = false;
  std::uint64_t committed_bytes = 0;  // the library's figure for bytes held usable (docs/metrics.md)
};

class NativeStatsReader {
 public:
  explicit NativeStatsReader(const std::string& allocator);  // looks up the entry points once
  bool available() const noexcept { return kind_ != Kind::none; }
  const std::string& source() const noexcept { return source_; }  // what was asked, or why nothing
  NativeStats read() const noexcept;

 private:
  enum class Kind { none, jemalloc, mimalloc, tcmalloc, glibc } kind_ = Kind::none;
  std::string source_;
  void* entry_ = nullptr;
};

}  // namespace vmbench
