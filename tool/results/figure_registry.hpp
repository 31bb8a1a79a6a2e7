// The figure registry: every figure a results document carries, declared once. The document builder,
// the loader, compare, the CSV, the exports, the table, `vmbench list --format json` (and through it
// the JSON Schema, docs/results-schema.md and the Python plots) read this table; nothing else in the
// tool names a figure. Adding a metric: the probe that writes it, one `FigureId` and one row here
// (Presence::optional: older files lack it), a test; then `python3 tests/schema/sync_schema.py`
// rewrites the schema's and the docs' figure parts. A figure inside an object of the cell (`heap`,
// `cost`) names its CellSlot and its key there; the object itself is a Section. How compare judges it is
// its Gate (a relative gate carries its tolerance). tests/tool/test_registry.py fails when a cell
// writes a figure not registered here, or the schema, the docs or the Python side disagree.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace vmbench {

enum class Unit : std::uint8_t {
  seconds,
  bytes,
  count,       // of what: Figure::counts
  per_second,  // a rate
  hash,        // a 64-bit checksum: compared exactly, never through a double
  ratio,       // of two figures (1: equal), e.g. the scaling efficiency
};

// What a figure measures, which decides how far it can be trusted.
enum class FigureKind : std::uint8_t {
  count,   // deterministic for a seed: the same on every run and machine
  memory,  // resident memory, page tables, page faults: noisy by a few pages
  timing,  // noisy: a distribution over repetitions
  cost,    // simulated work of the measured phase (the cost pass, --cost): deterministic for a binary and a
           // seed, one value per combination; and the modelled time made from it
};

enum class Better : std::uint8_t { lower, higher, none };  // none: it must not change (the checksum)

// How `vmbench compare` judges a figure by default (--threshold changes the tolerance, or turns it off).
enum class Gate : std::uint8_t {
  match,   // any difference means the work was not the same
  exact,   // no change allowed
  pages,   // within --tolerance-pages
  timing,  // Mann-Whitney U test plus a minimum effect, on the cells' samples
  relative,  // within Figure::tolerance of the base (a fraction), unless --threshold says otherwise
  report,    // compared and shown, judged only when --threshold gives it a tolerance
  none,      // recorded, not compared
};

// Where a cell carries the figure: at the top of its `figures`, inside its `heap` object (the
// allocator's own counters, null for allocators that keep none), or inside its `cost` object (the cost
// pass's figures, on the first repetition of a run with --cost; null when the pass failed); or nowhere:
// `document` figures are computed by the results document from several groups (the scaling
// efficiency), and only groups hold them. The other objects are absent where they do not apply:
// `workload_counts` (a workload's own counts: the replay's), `syscalls` (the --syscalls pass, first
// repetition), `program` (a --program cell's run).
enum class CellSlot : std::uint8_t { top, heap, cost, document, workload_counts, syscalls, program };

// The object of a slot within a cell's figures ("heap", "cost"...); empty for the top and the document.
constexpr std::string_view slot_name(CellSlot s) {
  switch (s) {
    case CellSlot::heap: return "heap";
    case CellSlot::cost: return "cost";
    case CellSlot::workload_counts: return "workload_counts";
    case CellSlot::syscalls: return "syscalls";
    case CellSlot::program: return "program";
    default: return "";
  }
}

// What a group holds of the figure.
enum class GroupPlace : std::uint8_t {
  none,     // cells only
  value,    // `groups[].NAME`: the first ok repetition's value (equal in every repetition)
  summary,  // `groups[].figures.NAME`: {n, median, min, max, mean, stddev, cv} over the ok repetitions, or null
};

// Whether every ok cell has it (within `heap` when the heap object is there). The loader and the
// schema require an `always` figure in every cell and its summary in every group that ran, so a
// figure added to an existing schema version must be `optional`: the files written before it (the
// gate's baseline, the test fixtures) must still load.
enum class Presence : std::uint8_t {
  always,
  optional,  // absent when /proc/self/status was unreadable or the file predates the figure; null when
             // the kernel refused the reading
};

// One figure per enumerator, in the order of kFigures (checked below): C++ code names a figure only
// through this enum, so a misspelt or removed figure is a compile error.
enum class FigureId : std::uint8_t {
  checksum,
  ops,
  allocations,
  frees,
  frees_skipped,
  peak_live_bytes,
  heap_commit_calls,
  heap_decommit_calls,
  heap_committed_bytes,
  heap_peak_committed_bytes,
  peak_rss_delta_bytes,
  final_rss_delta_bytes,
  peak_rss_bytes,
  page_table_delta_bytes,
  minor_faults,
  major_faults,
  cost_instructions,
  cost_estimated_cycles,
  cost_data_reads,
  cost_data_writes,
  cost_l1_misses,
  cost_ll_misses,
  wall_s,
  cpu_user_s,
  cpu_sys_s,
  ops_per_s,
  thread_ops_per_s,
  thread_min_s,
  thread_median_s,
  thread_max_s,
  scaling_efficiency,
  final_live_bytes,
  rss_baseline_bytes,
  final_rss_bytes,
  heap_reserved_bytes,
  modelled_s,
  modelled_kernel_s,
  cpu_s_per_s,
  recorded_calls,
  recorded_allocations,
  unknown_frees,
  failed_calls,
  reused_addresses,
  process_images,
  recorded_pid,
  syscall_commits,
  syscall_decommits,
  syscall_commit_bytes,
  syscall_decommit_bytes,
  program_processes,
  program_stdout_bytes,
  recorded_threads,
  cross_thread_frees,
};

struct Figure {
  FigureId id;
  std::string_view name;  // the JSON key in groups and compare, the CSV column
  Unit unit;
  bool is_signed = false;  // a difference of two readings (may be negative)
  FigureKind kind;
  Better better = Better::lower;
  Gate gate;
  CellSlot slot = CellSlot::top;
  std::string_view cell_key = {};  // the key within the slot; empty: `name`
  GroupPlace group;
  Presence presence = Presence::always;
  double tolerance = 0;       // Gate::relative: how far from the base it may move, a fraction (0.01: 1%)
  bool dashboard = false;     // in the customSmallerIsBetter export (github-action-benchmark)
  std::string_view counts = {};  // Unit::count: what is counted ("calls", "faults"), the export's unit
  std::string_view label;     // short, for axes, legends and table headers
  std::string_view description;  // one line, for docs/results-schema.md and `vmbench list --format json`
};

// In report order: workload-defined counts first (if they moved, the work itself changed and nothing
// below them is comparable like for like), then memory, then time, then what compare does not judge.
inline constexpr std::array kFigures = {
    Figure{.id = FigureId::checksum, .name = "checksum", .unit = Unit::hash, .kind = FigureKind::count,
           .better = Better::none, .gate = Gate::match, .group = GroupPlace::value, .label = "checksum",
           .description = "the workload's result: equal for every allocator at one seed and parameter set"},
    Figure{.id = FigureId::ops, .name = "ops", .unit = Unit::count, .kind = FigureKind::count, .gate = Gate::exact,
           .group = GroupPlace::value, .counts = "operations", .label = "operations",
           .description = "the workload's operations in the measured phase: allocations, deaths (freed or "
                          "skipped) and resizes; the same for every allocator doing the same work"},
    Figure{.id = FigureId::allocations, .name = "allocations", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::exact, .group = GroupPlace::value, .counts = "allocations", .label = "allocations",
           .description = "allocations made in the measured phase"},
    Figure{.id = FigureId::frees, .name = "frees", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::exact, .group = GroupPlace::value, .counts = "frees", .label = "frees",
           .description = "individual frees actually performed"},
    Figure{.id = FigureId::frees_skipped, .name = "frees_skipped", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::exact, .group = GroupPlace::value, .counts = "objects", .label = "frees skipped",
           .description = "objects that died on an allocator without individual free"},
    Figure{.id = FigureId::peak_live_bytes, .name = "peak_live_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::exact, .group = GroupPlace::value, .label = "peak live",
           .description = "requested bytes alive at the peak"},
    Figure{.id = FigureId::heap_commit_calls, .name = "heap_commit_calls", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::heap, .cell_key = "commit_calls",
           .group = GroupPlace::summary, .dashboard = true, .counts = "calls", .label = "commit calls",
           .description = "commit calls the allocator made during the measured phase (its own counter)"},
    Figure{.id = FigureId::heap_decommit_calls, .name = "heap_decommit_calls", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::heap, .cell_key = "decommit_calls",
           .group = GroupPlace::summary, .dashboard = true, .counts = "calls", .label = "decommit calls",
           .description = "decommit calls the allocator made during the measured phase (its own counter)"},
    Figure{.id = FigureId::heap_committed_bytes, .name = "heap_committed_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::heap, .cell_key = "committed_bytes",
           .group = GroupPlace::summary, .label = "committed",
           .description = "bytes the allocator held committed at the end of the phase"},
    Figure{.id = FigureId::heap_peak_committed_bytes, .name = "heap_peak_committed_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::heap,
           .cell_key = "peak_committed_bytes", .group = GroupPlace::summary, .dashboard = true,
           .label = "peak committed", .description = "the most bytes the allocator held committed at once"},
    Figure{.id = FigureId::peak_rss_delta_bytes, .name = "peak_rss_delta_bytes", .unit = Unit::bytes,
           .is_signed = true, .kind = FigureKind::memory, .gate = Gate::pages, .group = GroupPlace::summary,
           .presence = Presence::optional, .dashboard = true, .label = "RSS growth in the phase",
           .description = "VmHWM after the phase minus VmRSS when the peak counter was reset; null if the reset "
                          "was refused"},
    Figure{.id = FigureId::final_rss_delta_bytes, .name = "final_rss_delta_bytes", .unit = Unit::bytes,
           .is_signed = true, .kind = FigureKind::memory, .gate = Gate::pages, .group = GroupPlace::summary,
           .presence = Presence::optional, .label = "RSS left after the phase",
           .description = "VmRSS after the phase minus the baseline"},
    Figure{.id = FigureId::peak_rss_bytes, .name = "peak_rss_bytes", .unit = Unit::bytes,
           .kind = FigureKind::memory, .gate = Gate::pages, .group = GroupPlace::summary,
           .presence = Presence::optional, .label = "peak RSS of the process",
           .description = "VmHWM after the phase (the whole process, start-up included); null if the reset was "
                          "refused"},
    Figure{.id = FigureId::page_table_delta_bytes, .name = "page_table_delta_bytes", .unit = Unit::bytes,
           .is_signed = true, .kind = FigureKind::memory, .gate = Gate::pages, .group = GroupPlace::summary,
           .presence = Presence::optional, .label = "page-table growth",
           .description = "VmPTE after the phase minus before"},
    Figure{.id = FigureId::minor_faults, .name = "minor_faults", .unit = Unit::count, .kind = FigureKind::memory,
           .gate = Gate::pages, .group = GroupPlace::summary, .dashboard = true, .counts = "faults",
           .label = "minor page faults", .description = "minor page faults of the measured phase"},
    Figure{.id = FigureId::major_faults, .name = "major_faults", .unit = Unit::count, .kind = FigureKind::memory,
           .gate = Gate::pages, .group = GroupPlace::summary, .counts = "faults", .label = "major page faults",
           .description = "major page faults of the measured phase"},
    // The cost pass (--cost): counts of the measured phase under callgrind with a fixed simulated cache,
    // identical from run to run (docs/ci.md), so a 1% tolerance sees a 1% regression. The cache figures
    // are shown; a change of code moves them by more than its cost, which estimated cycles weigh.
    Figure{.id = FigureId::cost_instructions, .name = "cost_instructions", .unit = Unit::count,
           .kind = FigureKind::cost, .gate = Gate::relative, .slot = CellSlot::cost, .cell_key = "instructions",
           .group = GroupPlace::summary, .presence = Presence::optional, .tolerance = 0.01,
           .counts = "instructions", .label = "instructions (simulated)",
           .description = "instructions executed in the measured phase, counted by callgrind (--cost)"},
    Figure{.id = FigureId::cost_estimated_cycles, .name = "cost_estimated_cycles", .unit = Unit::count,
           .kind = FigureKind::cost, .gate = Gate::relative, .slot = CellSlot::cost,
           .cell_key = "estimated_cycles", .group = GroupPlace::summary, .presence = Presence::optional,
           .tolerance = 0.01, .counts = "cycles", .label = "estimated cycles",
           .description = "L1 hits + 5 x LL hits + 35 x LL misses over instruction fetches, data reads and "
                          "writes of the measured phase (--cost)"},
    Figure{.id = FigureId::cost_data_reads, .name = "cost_data_reads", .unit = Unit::count,
           .kind = FigureKind::cost, .gate = Gate::report, .slot = CellSlot::cost, .cell_key = "data_reads",
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "reads",
           .label = "data reads (simulated)", .description = "data reads of the measured phase (--cost)"},
    Figure{.id = FigureId::cost_data_writes, .name = "cost_data_writes", .unit = Unit::count,
           .kind = FigureKind::cost, .gate = Gate::report, .slot = CellSlot::cost, .cell_key = "data_writes",
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "writes",
           .label = "data writes (simulated)", .description = "data writes of the measured phase (--cost)"},
    Figure{.id = FigureId::cost_l1_misses, .name = "cost_l1_misses", .unit = Unit::count,
           .kind = FigureKind::cost, .gate = Gate::report, .slot = CellSlot::cost, .cell_key = "l1_misses",
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "misses",
           .label = "L1 misses (simulated)",
           .description = "instruction and data L1 misses of the measured phase, 32 KiB 8-way caches (--cost)"},
    Figure{.id = FigureId::cost_ll_misses, .name = "cost_ll_misses", .unit = Unit::count,
           .kind = FigureKind::cost, .gate = Gate::report, .slot = CellSlot::cost, .cell_key = "ll_misses",
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "misses",
           .label = "last-level misses (simulated)",
           .description = "last-level cache misses of the measured phase, 8 MiB 16-way (--cost)"},
    Figure{.id = FigureId::wall_s, .name = "wall_s", .unit = Unit::seconds, .kind = FigureKind::timing,
           .gate = Gate::timing, .group = GroupPlace::summary, .label = "time of the measured phase",
           .description = "monotonic time of the measured phase"},
    Figure{.id = FigureId::cpu_user_s, .name = "cpu_user_s", .unit = Unit::seconds, .kind = FigureKind::timing,
           .gate = Gate::timing, .group = GroupPlace::summary, .label = "user CPU time",
           .description = "user CPU time of the measured phase"},
    Figure{.id = FigureId::cpu_sys_s, .name = "cpu_sys_s", .unit = Unit::seconds, .kind = FigureKind::timing,
           .gate = Gate::timing, .group = GroupPlace::summary, .label = "system CPU time",
           .description = "system CPU time of the measured phase"},
    Figure{.id = FigureId::ops_per_s, .name = "ops_per_s", .unit = Unit::per_second, .kind = FigureKind::timing,
           .better = Better::higher, .gate = Gate::timing, .group = GroupPlace::summary, .counts = "operations",
           .label = "operations per second",
           .description = "ops / wall_s of one repetition; a group's throughput is ops / its median wall_s"},
    // Threads (the `threads` parameter). Not judged by compare: ops_per_s judges the same measurement.
    Figure{.id = FigureId::thread_ops_per_s, .name = "thread_ops_per_s", .unit = Unit::per_second,
           .kind = FigureKind::timing, .better = Better::higher, .gate = Gate::none, .group = GroupPlace::summary,
           .presence = Presence::optional, .counts = "operations", .label = "operations per second per thread",
           .description = "ops_per_s divided by the threads of the cell"},
    Figure{.id = FigureId::thread_min_s, .name = "thread_min_s", .unit = Unit::seconds, .kind = FigureKind::timing,
           .gate = Gate::none, .group = GroupPlace::summary, .presence = Presence::optional,
           .label = "fastest thread's time",
           .description = "the shortest time a thread of the cell took, from the start barrier to its own end "
                          "(one thread: wall_s)"},
    Figure{.id = FigureId::thread_median_s, .name = "thread_median_s", .unit = Unit::seconds,
           .kind = FigureKind::timing, .gate = Gate::none, .group = GroupPlace::summary,
           .presence = Presence::optional, .label = "median thread's time",
           .description = "the median of the threads' times from the start barrier to their own ends"},
    Figure{.id = FigureId::thread_max_s, .name = "thread_max_s", .unit = Unit::seconds, .kind = FigureKind::timing,
           .gate = Gate::none, .group = GroupPlace::summary, .presence = Presence::optional,
           .label = "slowest thread's time",
           .description = "the longest time a thread of the cell took, from the start barrier to its own end"},
    Figure{.id = FigureId::scaling_efficiency, .name = "scaling_efficiency", .unit = Unit::ratio,
           .kind = FigureKind::timing, .better = Better::higher, .gate = Gate::none, .slot = CellSlot::document,
           .group = GroupPlace::summary, .presence = Presence::optional, .label = "scaling efficiency",
           .description = "computed by the document: each repetition's thread_ops_per_s over "
                          "the median of the 1-thread group of the same workload, allocator and parameters "
                          "(1: no loss per thread); null without such a group"},
    Figure{.id = FigureId::final_live_bytes, .name = "final_live_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::none, .group = GroupPlace::none, .label = "live at the end",
           .description = "requested bytes alive at the end of the phase"},
    Figure{.id = FigureId::rss_baseline_bytes, .name = "rss_baseline_bytes", .unit = Unit::bytes,
           .kind = FigureKind::memory, .gate = Gate::none, .group = GroupPlace::none,
           .presence = Presence::optional, .label = "RSS baseline",
           .description = "VmRSS when the peak counter was reset, just before the measured phase"},
    Figure{.id = FigureId::final_rss_bytes, .name = "final_rss_bytes", .unit = Unit::bytes,
           .kind = FigureKind::memory, .gate = Gate::none, .group = GroupPlace::none,
           .presence = Presence::optional, .label = "RSS after the phase",
           .description = "VmRSS after the phase"},
    Figure{.id = FigureId::heap_reserved_bytes, .name = "heap_reserved_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::none, .slot = CellSlot::heap, .cell_key = "reserved_bytes",
           .group = GroupPlace::none, .label = "address space reserved",
           .description = "address space the allocator reserved (its own counter)"},
    Figure{.id = FigureId::modelled_s, .name = "modelled_s", .unit = Unit::seconds, .kind = FigureKind::cost,
           .gate = Gate::none, .slot = CellSlot::cost, .group = GroupPlace::summary,
           .presence = Presence::optional, .label = "modelled time",
           .description = "estimated cycles at the nominal frequency plus the kernel work priced by the run's "
                          "calibration (context.cost_model, context.kernel_costs; --cost)"},
    Figure{.id = FigureId::modelled_kernel_s, .name = "modelled_kernel_s", .unit = Unit::seconds,
           .kind = FigureKind::cost, .gate = Gate::none, .slot = CellSlot::cost, .group = GroupPlace::summary,
           .presence = Presence::optional, .label = "modelled kernel time",
           .description = "the kernel's part of modelled_s: page faults, commit and decommit calls (--cost)"},
    Figure{.id = FigureId::cpu_s_per_s, .name = "cpu_s_per_s", .unit = Unit::per_second, .kind = FigureKind::timing,
           .better = Better::higher, .gate = Gate::none, .group = GroupPlace::summary,
           .presence = Presence::optional, .counts = "CPU seconds", .label = "CPU share of the phase",
           .description = "(cpu_user_s + cpu_sys_s) / wall_s: how much of one CPU the cell had; below 0.9 it "
                          "waited (another process, the disk, a quota)"},
    // The replay's own counts (workload_counts): what the trace held and what the replay left out. Fixed
    // by the trace, the same for every allocator; absent for the other workloads.
    Figure{.id = FigureId::recorded_calls, .name = "recorded_calls", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::exact, .slot = CellSlot::workload_counts, .group = GroupPlace::summary,
           .presence = Presence::optional, .counts = "calls", .label = "recorded calls",
           .description = "replay: the allocation calls the trace recorded in the replayed process image"},
    Figure{.id = FigureId::recorded_allocations, .name = "recorded_allocations", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::workload_counts,
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "allocations",
           .label = "recorded allocations",
           .description = "replay: recorded calls that created an object (the replay's allocations equal it)"},
    Figure{.id = FigureId::unknown_frees, .name = "unknown_frees", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::exact, .slot = CellSlot::workload_counts, .group = GroupPlace::summary,
           .presence = Presence::optional, .counts = "frees", .label = "unknown frees",
           .description = "replay: frees and reallocs of an address not live in the trace: counted, not replayed"},
    Figure{.id = FigureId::failed_calls, .name = "failed_calls", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::exact, .slot = CellSlot::workload_counts, .group = GroupPlace::summary,
           .presence = Presence::optional, .counts = "calls", .label = "failed recorded calls",
           .description = "replay: recorded allocations that returned null: nothing to replay"},
    Figure{.id = FigureId::reused_addresses, .name = "reused_addresses", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::workload_counts,
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "addresses",
           .label = "addresses given out twice",
           .description = "replay: an address recorded again while still live (the trace missed its free)"},
    Figure{.id = FigureId::process_images, .name = "process_images", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::exact, .slot = CellSlot::workload_counts, .group = GroupPlace::summary,
           .presence = Presence::optional, .counts = "processes", .label = "process images in the trace",
           .description = "replay: the trace's process images (streams); the one with the most events is replayed"},
    Figure{.id = FigureId::recorded_pid, .name = "recorded_pid", .unit = Unit::count, .kind = FigureKind::count,
           .gate = Gate::none, .slot = CellSlot::workload_counts, .cell_key = "pid", .group = GroupPlace::none,
           .presence = Presence::optional, .counts = "process id", .label = "recorded process id",
           .description = "replay: the process id of the replayed stream when it was recorded (which image)"},
    // The --syscalls pass (first repetition), also kept whole in the `syscalls` section: its totals as
    // figures, so that the CSV, the exports and compare carry them (for a --program cell they are the
    // only count of its memory calls).
    Figure{.id = FigureId::syscall_commits, .name = "syscall_commits", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::report, .slot = CellSlot::syscalls, .cell_key = "commits",
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "calls",
           .label = "commit system calls (traced)",
           .description = "system calls that made memory usable, counted by the traced pass (--syscalls)"},
    Figure{.id = FigureId::syscall_decommits, .name = "syscall_decommits", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::report, .slot = CellSlot::syscalls, .cell_key = "decommits",
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "calls",
           .label = "decommit system calls (traced)",
           .description = "system calls that gave memory back, counted by the traced pass (--syscalls)"},
    Figure{.id = FigureId::syscall_commit_bytes, .name = "syscall_commit_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::report, .slot = CellSlot::syscalls, .cell_key = "commit_bytes",
           .group = GroupPlace::summary, .presence = Presence::optional, .label = "bytes committed (traced)",
           .description = "bytes those commit calls covered (--syscalls)"},
    Figure{.id = FigureId::syscall_decommit_bytes, .name = "syscall_decommit_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::report, .slot = CellSlot::syscalls,
           .cell_key = "decommit_bytes", .group = GroupPlace::summary, .presence = Presence::optional,
           .label = "bytes decommitted (traced)", .description = "bytes those decommit calls covered (--syscalls)"},
    // A --program cell's own (`program`): what the command did besides its memory.
    Figure{.id = FigureId::program_processes, .name = "program_processes", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::report, .slot = CellSlot::program,
           .cell_key = "processes_probed", .group = GroupPlace::summary, .presence = Presence::optional,
           .counts = "processes", .label = "processes of the program",
           .description = "--program: process images that loaded the probe (the command and what it started)"},
    Figure{.id = FigureId::program_stdout_bytes, .name = "program_stdout_bytes", .unit = Unit::bytes,
           .kind = FigureKind::count, .gate = Gate::none, .slot = CellSlot::program, .cell_key = "stdout_bytes",
           .group = GroupPlace::summary, .presence = Presence::optional, .label = "program output",
           .description = "--program: bytes the command wrote to its standard output (hashed into checksum)"},
    Figure{.id = FigureId::recorded_threads, .name = "recorded_threads", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::workload_counts,
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "threads",
           .label = "recorded threads",
           .description = "replay of a trace of several threads: its threads, each replayed on a thread of its own"},
    Figure{.id = FigureId::cross_thread_frees, .name = "cross_thread_frees", .unit = Unit::count,
           .kind = FigureKind::count, .gate = Gate::exact, .slot = CellSlot::workload_counts,
           .group = GroupPlace::summary, .presence = Presence::optional, .counts = "frees",
           .label = "cross-thread frees",
           .description = "replay of a trace of several threads: frees and reallocs of another thread's object, each "
                          "waiting for its allocation"},
};

constexpr bool figures_in_id_order() {
  for (std::size_t i = 0; i < kFigures.size(); ++i)
    if (static_cast<std::size_t>(kFigures[i].id) != i) return false;
  return true;
}
static_assert(figures_in_id_order(), "kFigures must list the figures in FigureId order, one row each");

constexpr const Figure& figure(FigureId id) { return kFigures[static_cast<std::size_t>(id)]; }

// The key within the cell's slot (`heap_commit_calls` is `heap.commit_calls` in a cell); not used for
// CellSlot::document.
constexpr std::string_view cell_key(const Figure& f) { return f.cell_key.empty() ? f.name : f.cell_key; }

// The structured entries beside the figures: a cell's (and, where noted, a group's) objects and
// arrays, described in docs/results-schema.md and checked by the loader and the schema by hand.
struct Section {
  std::string_view name;
  bool in_cells;
  bool in_groups;
  std::string_view description;
};

inline constexpr std::array kSections = {
    Section{"proof", true, true, "how the child proved which allocator answered malloc (groups: its evidence)"},
    Section{"heap", true, false, "the allocator's own counters (the heap_* figures), or null"},
    Section{"heap_note", true, true, "the allocator's remark, e.g. the pool's size classes"},
    Section{"phases", true, true, "time per named part of the workload (groups: a summary of its seconds)"},
    Section{"checkpoints", true, false, "live bytes and RSS read at the same instant at each checkpoint"},
    Section{"native", true, false, "the malloc library's own statistics (throughput pass)"},
    Section{"hardware_counters", true, false, "cycles, instructions, cache and TLB misses (throughput pass)"},
    Section{"syscalls", true, true, "memory system calls of a traced pass (--syscalls)"},
    Section{"latency", true, true, "percentiles of every allocate and free (--latency)"},
    Section{"timeline", true, false, "memory over time (--timeline)"},
    Section{"fragmentation", false, true, "F3, F4 and the peaks of the timeline (--timeline)"},
    Section{"heap_map", true, false, "page occupancy snapshots (--heapmap)"},
    Section{"cost", true, true,
            "the cost pass (--cost): the cost_* figures, callgrind's events, method, notes (pins, capped "
            "reservations) and the modelled time's parts; null when the pass failed (groups: the cell's)"},
    Section{"unavailable", true, false, "figure name -> why it is null"},
    Section{"workload_counts", true, false,
            "a workload's own counts (replay: the recorded_*, unknown_frees... figures); absent elsewhere"},
    Section{"program", true, false,
            "a --program cell: its command, exit status, output bytes, processes probed, kept output files"},
};

const Figure* find_figure(std::string_view name);

// Names of the enumerators, as `vmbench list --format json` writes them.
std::string_view unit_name(Unit u);  // s, bytes, count, 1/s, hash
std::string_view kind_name(FigureKind k);
std::string_view better_name(Better b);
std::string_view gate_name(Gate g);
std::string_view group_place_name(GroupPlace p);

// The registry as data: {figures: [...], sections: [...]}, for `vmbench list --format json`.
nlohmann::json figure_registry_json();

}  // namespace vmbench
