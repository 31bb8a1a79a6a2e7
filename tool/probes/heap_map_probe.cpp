#include "heap_map_probe.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <vector>

#include "probes.hpp"

namespace vmbench {

namespace {

constexpr std::uint64_t kHashMultiplier = 0x9e3779b97f4a7c15ULL;  // 2^64 / golden ratio
constexpr std::uint64_t kMincoreChunkPages = 4096;                 // one fixed buffer per call

std::uint64_t page_bytes() { return static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)); }

// Resident pages of [address, address + pages * page), except those in [skip_lo, skip_hi): mincore in
// chunks; a chunk with an unmapped hole is retried page by page (an unmapped page is not resident).
void count_resident_pages(std::uint64_t address, std::uint64_t pages, std::uint64_t page, std::uint64_t pages_per_bin,
                          std::uint64_t skip_lo, std::uint64_t skip_hi, std::uint32_t* resident_per_bin) {
  unsigned char vec[kMincoreChunkPages];
  for (std::uint64_t done = 0; done < pages;) {
    const std::uint64_t n = std::min(kMincoreChunkPages, pages - done);
    void* at = reinterpret_cast<void*>(address + done * page);
    if (mincore(at, n * page, vec) != 0)
      for (std::uint64_t i = 0; i < n; ++i)
        vec[i] = mincore(reinterpret_cast<void*>(address + (done + i) * page), page, &vec[i]) == 0 ? vec[i] : 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t at_page = address + (done + i) * page;
      if ((vec[i] & 1) != 0 && (at_page < skip_lo || at_page >= skip_hi)) ++resident_per_bin[(done + i) / pages_per_bin];
    }
    done += n;
  }
}

}  // namespace

HeapMapProbe::HeapMapProbe(std::uint64_t max_objects, std::uint64_t peak_live_bytes)
    : peak_live_bytes_(peak_live_bytes) {
  capacity_ = std::bit_ceil(std::max<std::uint64_t>(1024, 2 * max_objects));  // load factor <= 1/2
  map_bytes_ = 2 * capacity_ * sizeof(Entry) + kMaxSnapshots * sizeof(Snapshot);
  void* p = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  table_ = static_cast<Entry*>(p);
  scratch_ = table_ + capacity_;
  snapshots_ = reinterpret_cast<Snapshot*>(scratch_ + capacity_);
  for (int i = 0; i < kMaxSnapshots; ++i) new (&snapshots_[i]) Snapshot();
}

HeapMapProbe::~HeapMapProbe() {
  if (table_ != nullptr) munmap(table_, map_bytes_);
}

// The probe's own resident pages: its registry grows with the live objects, which the timeline's pass
// does not have.
std::uint64_t HeapMapProbe::own_resident_bytes() const noexcept {
  if (table_ == nullptr) return 0;
  const std::uint64_t page = page_bytes();
  const std::uint64_t pages = (map_bytes_ + page - 1) / page;
  std::uint32_t resident = 0;  // one bin of all the pages
  count_resident_pages(reinterpret_cast<std::uint64_t>(table_), pages, page, pages, 0, 0, &resident);
  return resident * page;
}

std::int64_t HeapMapProbe::anon_bytes_of_the_heap() const noexcept {
  return static_cast<std::int64_t>(read_statm().anon_bytes) - static_cast<std::int64_t>(own_resident_bytes());
}

void HeapMapProbe::start() noexcept {
  baseline_anon_bytes_ = anon_bytes_of_the_heap();
  active_ = true;
}

// The probe's own mapping (registry, scratch, snapshots) is not the heap: its pages are skipped.
void HeapMapProbe::count_resident(Region& r) const noexcept {
  const auto own = reinterpret_cast<std::uint64_t>(table_);
  count_resident_pages(r.first_page_address, r.pages, page_bytes(), r.pages_per_bin, own, own + map_bytes_,
                       r.resident_pages.data());
}

void HeapMapProbe::insert(std::uint64_t address, std::uint64_t bytes) noexcept {
  if (2 * (count_ + 1) > capacity_) {
    registry_full_ = true;
    return;
  }
  for (std::uint64_t i = (address * kHashMultiplier) >> 20 & (capacity_ - 1);; i = (i + 1) & (capacity_ - 1))
    if (table_[i].address == 0 || table_[i].address == address) {
      count_ += table_[i].address == 0;
      table_[i] = {address, bytes};
      return;
    }
}

// Linear probing without tombstones: after removing, shift back the entries that probed past it.
void HeapMapProbe::erase(std::uint64_t address) noexcept {
  const std::uint64_t mask = capacity_ - 1;
  std::uint64_t i = (address * kHashMultiplier) >> 20 & mask;
  while (table_[i].address != address) {
    if (table_[i].address == 0) return;  // not registered (allocated before the pass registered)
    i = (i + 1) & mask;
  }
  table_[i] = {0, 0};
  --count_;
  for (std::uint64_t j = (i + 1) & mask; table_[j].address != 0; j = (j + 1) & mask) {
    const std::uint64_t home = (table_[j].address * kHashMultiplier) >> 20 & mask;
    if (((j - home) & mask) >= ((j - i) & mask)) {  // its home is at or before the hole
      table_[i] = table_[j];
      table_[j] = {0, 0};
      i = j;
    }
  }
}

void HeapMapProbe::allocated(std::uintptr_t address, std::size_t bytes, std::uint64_t, std::uint64_t live_bytes) {
  if (table_ == nullptr) return;
  insert(address, bytes);
  if (active_ && !peak_taken_ && peak_live_bytes_ > 0 && live_bytes >= peak_live_bytes_) {
    peak_taken_ = true;
    snapshot("peak", live_bytes);
  }
}

void HeapMapProbe::checkpoint(const std::string& label, std::uint64_t live_bytes) noexcept {
  if (active_ && table_ != nullptr) snapshot(label.c_str(), live_bytes);
}

void HeapMapProbe::measure_region(Region& r, const Entry* first, const Entry* last) noexcept {
  const std::uint64_t page = page_bytes();
  const std::uint64_t lo = first->address & ~(page - 1);
  std::uint64_t hi = 0;
  for (const Entry* e = first; e != last; ++e) hi = std::max(hi, e->address + e->bytes);
  r.first_page_address = lo;
  r.pages = (hi - lo + page - 1) / page;
  r.pages_per_bin = (r.pages + kMaxBins - 1) / kMaxBins;
  r.bins = static_cast<int>((r.pages + r.pages_per_bin - 1) / r.pages_per_bin);
  const std::uint64_t bin_bytes = r.pages_per_bin * page;
  for (const Entry* e = first; e != last; ++e)  // an object's bytes go to every bin it overlaps
    for (std::uint64_t at = e->address, end = e->address + e->bytes; at < end;) {
      const std::uint64_t bin = (at - lo) / bin_bytes;
      const std::uint64_t bin_end = lo + (bin + 1) * bin_bytes;
      r.live_bytes[bin] += std::min(end, bin_end) - at;
      at = std::min(end, bin_end);
    }
  count_resident(r);
}

void HeapMapProbe::snapshot(const char* label, std::uint64_t live_bytes) noexcept {
  if (n_snapshots_ >= kMaxSnapshots) return;
  Snapshot& s = snapshots_[n_snapshots_++];
  std::strncpy(s.label, label, sizeof s.label - 1);
  s.live_bytes = live_bytes;
  s.rss_delta_bytes = anon_bytes_of_the_heap() - baseline_anon_bytes_;
  std::uint64_t n = 0;
  for (std::uint64_t i = 0; i < capacity_; ++i)
    if (table_[i].address != 0) scratch_[n++] = table_[i];
  s.objects = n;
  std::sort(scratch_, scratch_ + n, [](const Entry& a, const Entry& b) { return a.address < b.address; });
  for (std::uint64_t begin = 0; begin < n;) {
    std::uint64_t end = begin + 1;
    std::uint64_t reach = scratch_[begin].address + scratch_[begin].bytes;
    while (end < n && scratch_[end].address < reach + kRegionGapBytes) {
      reach = std::max(reach, scratch_[end].address + scratch_[end].bytes);
      ++end;
    }
    if (s.regions == kMaxRegions) {
      s.regions_truncated = true;
      break;
    }
    measure_region(s.region[static_cast<std::size_t>(s.regions++)], scratch_ + begin, scratch_ + end);
    begin = end;
  }
}

nlohmann::json HeapMapProbe::to_json() const {
  using nlohmann::json;
  json snaps = json::array();
  for (int i = 0; i < n_snapshots_; ++i) {
    const Snapshot& s = snapshots_[i];
    json regions = json::array();
    std::uint64_t resident_pages = 0;
    for (int k = 0; k < s.regions; ++k) {
      const Region& r = s.region[static_cast<std::size_t>(k)];
      const auto bins = static_cast<std::size_t>(r.bins);
      for (std::size_t b = 0; b < bins; ++b) resident_pages += r.resident_pages[b];
      regions.push_back({{"first_page_address", r.first_page_address},
                         {"pages", r.pages},
                         {"pages_per_bin", r.pages_per_bin},
                         {"live_bytes", std::vector<std::uint64_t>(r.live_bytes.begin(), r.live_bytes.begin() + static_cast<long>(bins))},
                         {"resident_pages", std::vector<std::uint32_t>(r.resident_pages.begin(), r.resident_pages.begin() + static_cast<long>(bins))}});
    }
    snaps.push_back({{"label", s.label}, {"live_bytes", s.live_bytes}, {"objects", s.objects},
                     {"resident_bytes", resident_pages * page_bytes()}, {"rss_delta_bytes", s.rss_delta_bytes},
                     {"regions", regions}, {"regions_truncated", s.regions_truncated}});
  }
  return {{"page_bytes", page_bytes()},
          {"snapshots", snaps},
          {"untracked_deaths", untracked_deaths_},
          {"registry_full", registry_full_}};
}

}  // namespace vmbench
