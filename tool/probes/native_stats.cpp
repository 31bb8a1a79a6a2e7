#include "native_stats.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <cstddef>

namespace vmbench {

namespace {

using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
using MiProcessInfo = void (*)(std::size_t*, std::size_t*, std::size_t*, std::size_t*, std::size_t*, std::size_t*,
                               std::size_t*, std::size_t*);
using TcProperty = int (*)(const char*, std::size_t*);

void add(NativeStats& s, const char* name, std::uint64_t value) {
  if (s.n_fields < NativeStats::kMaxFields) s.fields[static_cast<std::size_t>(s.n_fields++)] = {name, value};
}

// jemalloc caches its statistics: writing "epoch" refreshes them before they are read.
void read_jemalloc(Mallctl mallctl, NativeStats& s) {
  std::uint64_t epoch = 1;
  std::size_t len = sizeof epoch;
  mallctl("epoch", &epoch, &len, &epoch, sizeof epoch);
  for (const char* name : {"stats.allocated", "stats.active", "stats.resident", "stats.mapped", "stats.retained",
                           "stats.arenas.4096.dirty_npurge", "stats.arenas.4096.muzzy_npurge"}) {
    std::size_t v = 0;  // 4096 = MALLCTL_ARENAS_ALL: the purge counts summed over all arenas
    std::uint64_t v64 = 0;
    len = sizeof v;
    if (mallctl(name, &v, &len, nullptr, 0) == 0) {
      add(s, name, v);
    } else if (len = sizeof v64; mallctl(name, &v64, &len, nullptr, 0) == 0) {
      add(s, name, v64);
    }
  }
  for (int i = 0; i < s.n_fields; ++i)
    if (std::string_view(s.fields[static_cast<std::size_t>(i)].name) == "stats.mapped") {
      s.has_committed = true;  // mapped: active plus dirty and muzzy pages still mapped read-write
      s.committed_bytes = s.fields[static_cast<std::size_t>(i)].value;
    }
}

void read_mimalloc(MiProcessInfo info, NativeStats& s) {
  std::size_t elapsed_ms = 0, user_ms = 0, sys_ms = 0, rss = 0, peak_rss = 0, commit = 0, peak_commit = 0, faults = 0;
  info(&elapsed_ms, &user_ms, &sys_ms, &rss, &peak_rss, &commit, &peak_commit, &faults);
  add(s, "current_rss", rss);
  add(s, "peak_rss", peak_rss);
  add(s, "current_commit", commit);
  add(s, "peak_commit", peak_commit);
  add(s, "page_faults", faults);
  s.has_committed = true;
  s.committed_bytes = commit;
}

void read_tcmalloc(TcProperty property, NativeStats& s) {
  std::size_t heap = 0, unmapped = 0;
  for (const char* name : {"generic.current_allocated_bytes", "generic.heap_size", "tcmalloc.pageheap_free_bytes",
                           "tcmalloc.pageheap_unmapped_bytes"}) {
    std::size_t v = 0;
    if (property(name, &v) == 0) continue;  // returns non-zero on success
    add(s, name, v);
    if (std::string_view(name) == "generic.heap_size") heap = v;
    if (std::string_view(name) == "tcmalloc.pageheap_unmapped_bytes") unmapped = v;
  }
  s.has_committed = heap > 0;
  s.committed_bytes = heap - unmapped;
}

void read_glibc(NativeStats& s) {
  const struct mallinfo2 m = mallinfo2();
  add(s, "arena", m.arena);
  add(s, "hblkhd", m.hblkhd);
  add(s, "uordblks", m.uordblks);
  add(s, "fordblks", m.fordblks);
  add(s, "keepcost", m.keepcost);
  s.has_committed = true;  // brk/heap space plus mmapped chunks
  s.committed_bytes = m.arena + m.hblkhd;
}

}  // namespace

NativeStatsReader::NativeStatsReader(const std::string& allocator) {
  if (allocator == "jemalloc" && (entry_ = dlsym(RTLD_DEFAULT, "mallctl")) != nullptr) {
    kind_ = Kind::jemalloc;
    source_ = "jemalloc mallctl (epoch refreshed; not purged)";
  } else if (allocator == "mimalloc" && (entry_ = dlsym(RTLD_DEFAULT, "mi_process_info")) != nullptr) {
    kind_ = Kind::mimalloc;
    source_ = "mimalloc mi_process_info";
  } else if (allocator == "tcmalloc" && (entry_ = dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty")) != nullptr) {
    kind_ = Kind::tcmalloc;
    source_ = "tcmalloc MallocExtension_GetNumericProperty";
  } else if (allocator == "malloc") {
    kind_ = Kind::glibc;
    source_ = "glibc mallinfo2";
  } else if (allocator == "jemalloc" || allocator == "mimalloc" || allocator == "tcmalloc") {
    source_ = "the library does not export its statistics entry point";
  } else {
    source_ = "not a malloc library: its own counters are in heap, where it keeps any";
  }
}

NativeStats NativeStatsReader::read() const noexcept {
  NativeStats s;
  switch (kind_) {
    case Kind::jemalloc: read_jemalloc(reinterpret_cast<Mallctl>(entry_), s); break;
    case Kind::mimalloc: read_mimalloc(reinterpret_cast<MiProcessInfo>(entry_), s); break;
    case Kind::tcmalloc: read_tcmalloc(reinterpret_cast<TcProperty>(entry_), s); break;
    case Kind::glibc: read_glibc(s); break;
    case Kind::none: break;
  }
  return s;
}

}  // namespace vmbench
