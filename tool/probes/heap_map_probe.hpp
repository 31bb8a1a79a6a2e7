// The heap-map pass: where the live objects sit, page by page. The probe keeps its own registry of
// the workload's live objects (address -> bytes; memory mapped outside the heap under test) and, at
// the moment live bytes first reach their peak and at each named checkpoint, takes a snapshot: the
// live objects' address ranges, cut into at most kMaxBins bins, each with its live bytes (from the
// registry) and its resident pages (mincore). All storage is reserved before the measured phase.
// What it counts differs from the timeline's R, and each snapshot carries both (docs/metrics.md, Heap
// map): the map's resident pages are absolute, of the address ranges holding live objects, whatever
// else sits there (the allocator's metadata, freed pages it kept, and for a malloc library the
// workload's own bookkeeping, allocated through the same malloc before the phase); the timeline's R is
// the process's anonymous RSS grown since the phase started (`rss_delta_bytes`, read here too). The
// probe's own registry is mapped near the heap and never counted as resident.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "op_probe.hpp"

namespace vmbench {

class HeapMapProbe final : public OpProbe {
 public:
  static constexpr int kMaxSnapshots = 8;
  static constexpr int kMaxRegions = 32;    // clusters of live objects: an arena has 2, the pool 24
  static constexpr int kMaxBins = 128;      // per region: with kMaxRegions, the bound on the result
  static constexpr std::uint64_t kRegionGapBytes = 64u << 20;  // a larger gap starts a new region

  // `max_objects`: an upper bound of the live objects (the cell's allocations); `peak_live_bytes`:
  // the peak of the first repetition, reached at the same operation in this deterministic pass.
  HeapMapProbe(std::uint64_t max_objects, std::uint64_t peak_live_bytes);
  ~HeapMapProbe() override;
  HeapMapProbe(const HeapMapProbe&) = delete;
  HeapMapProbe& operator=(const HeapMapProbe&) = delete;

  bool ok() const noexcept { return table_ != nullptr; }
  void start() noexcept;
  void stop() noexcept { active_ = false; }
  void checkpoint(const std::string& label, std::uint64_t live_bytes) noexcept;

  void allocated(std::uintptr_t address, std::size_t bytes, std::uint64_t, std::uint64_t live_bytes) override;
  void freed(std::uintptr_t address, std::size_t, std::uint64_t, std::uint64_t) override { erase(address); }
  void died(std::uintptr_t address, std::size_t, std::uint64_t) override { erase(address); }
  void dropped(std::uint64_t, std::uint64_t, std::uint64_t) override { untracked_deaths_ = true; }

  nlohmann::json to_json() const;

 private:
  struct Entry {
    std::uint64_t address;  // 0: empty slot
    std::uint64_t bytes;
  };
  struct Region {
    std::uint64_t first_page_address = 0;
    std::uint64_t pages = 0;
    std::uint64_t pages_per_bin = 0;
    int bins = 0;
    std::array<std::uint64_t, kMaxBins> live_bytes{};
    std::array<std::uint32_t, kMaxBins> resident_pages{};
  };
  struct Snapshot {
    char label[32] = {};
    std::uint64_t live_bytes = 0;
    std::uint64_t objects = 0;
    int regions = 0;
    bool regions_truncated = false;
    std::int64_t rss_delta_bytes = 0;  // the timeline's R at this moment: RssAnon minus at start()
    std::array<Region, kMaxRegions> region{};
  };

  void insert(std::uint64_t address, std::uint64_t bytes) noexcept;
  void erase(std::uint64_t address) noexcept;
  void snapshot(const char* label, std::uint64_t live_bytes) noexcept;
  void measure_region(Region& r, const Entry* first, const Entry* last) noexcept;
  void count_resident(Region& r) const noexcept;
  std::uint64_t own_resident_bytes() const noexcept;
  std::int64_t anon_bytes_of_the_heap() const noexcept;

  Entry* table_ = nullptr;    // open addressing, linear probing, capacity a power of two
  Entry* scratch_ = nullptr;  // the live objects, sorted by address, during a snapshot
  std::uint64_t capacity_ = 0;
  std::uint64_t map_bytes_ = 0;
  std::uint64_t peak_live_bytes_;
  bool peak_taken_ = false;
  bool active_ = false;
  bool untracked_deaths_ = false;
  bool registry_full_ = false;
  std::int64_t baseline_anon_bytes_ = 0;  // RssAnon at start(), the probe's own pages left out
  std::uint64_t count_ = 0;
  Snapshot* snapshots_ = nullptr;
  int n_snapshots_ = 0;
};

}  // namespace vmbench
