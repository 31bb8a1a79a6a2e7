// The figure registry's own invariants: what every reader (builder, loader, compare, CSV, exports,
// schema, docs, plots) assumes of a row, checked once here rather than discovered by each of them.
#include "figure_registry.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "catalog.hpp"
#include "plot_style.hpp"

namespace vmbench {
namespace {

TEST(FigureRegistry, NamesAreUniqueAndFollowTheUnitInTheName) {
  std::set<std::string_view> names;
  for (const Figure& f : kFigures) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    const std::string name(f.name);
    // Units live in names: a reader can tell a figure's unit without the registry.
    if (f.unit == Unit::seconds) {
      EXPECT_TRUE(name.ends_with("_s") && !name.ends_with("_per_s")) << name;
    }
    if (f.unit == Unit::per_second) {
      EXPECT_TRUE(name.ends_with("_per_s")) << name;
    }
    if (f.unit == Unit::bytes) {
      EXPECT_TRUE(name.ends_with("_bytes")) << name;
    }
  }
  for (const Section& s : kSections) EXPECT_TRUE(names.insert(s.name).second) << "section " << s.name;
}

TEST(FigureRegistry, EveryRowIsComplete) {
  for (const Figure& f : kFigures) {
    EXPECT_FALSE(f.label.empty()) << f.name;
    EXPECT_FALSE(f.description.empty()) << f.name;
    if (f.unit == Unit::count) {
      EXPECT_FALSE(f.counts.empty()) << f.name << ": say what it counts";
    }
    if (f.slot == CellSlot::heap) {
      EXPECT_FALSE(f.cell_key.empty()) << f.name;
    }
    EXPECT_FALSE(f.is_signed && f.unit != Unit::bytes) << f.name << ": only byte deltas are signed";
  }
}

TEST(FigureRegistry, AFigureTheDocumentComputesIsAnOptionalSummaryOfGroups) {
  for (const Figure& f : kFigures) {
    if (f.slot != CellSlot::document) continue;
    EXPECT_EQ(f.group, GroupPlace::summary) << f.name;
    EXPECT_EQ(f.presence, Presence::optional) << f.name << ": older files lack it";
    EXPECT_EQ(f.gate, Gate::none) << f.name << ": compare judges what the cells measured";
  }
  const nlohmann::json all = figure_registry_json();
  for (const auto& f : all["figures"]) {
    if (f["name"] == "scaling_efficiency") {
      EXPECT_EQ(f["cell"], "");
    }
  }
}

TEST(FigureRegistry, GateAndPlaceAgree) {
  for (const Figure& f : kFigures) {
    // compare reads timings from the cells' samples and everything else from the groups.
    if (f.gate == Gate::timing) {
      EXPECT_EQ(f.kind, FigureKind::timing) << f.name;
    }
    if (f.gate != Gate::none) {
      EXPECT_NE(f.group, GroupPlace::none) << f.name << ": compare reads groups";
    }
    if (f.gate == Gate::match) {
      EXPECT_EQ(f.unit, Unit::hash) << f.name;
    }
    if (f.unit == Unit::hash) {
      EXPECT_EQ(f.better, Better::none) << f.name;
    }
    // A value taken from the first repetition must be equal in all: a deterministic count.
    if (f.group == GroupPlace::value) {
      EXPECT_EQ(f.kind, FigureKind::count) << f.name;
    }
    if (f.dashboard) {
      EXPECT_EQ(f.group, GroupPlace::summary) << f.name << ": the dashboard shows medians";
    }
    // A relative gate needs its tolerance; nothing else has one.
    if (f.gate == Gate::relative) {
      EXPECT_GT(f.tolerance, 0) << f.name;
      EXPECT_LT(f.tolerance, 1) << f.name;
    } else {
      EXPECT_EQ(f.tolerance, 0) << f.name;
    }
    // The cost pass's figures live in its object, one per combination, and files before it lack them.
    if (f.kind == FigureKind::cost) {
      EXPECT_EQ(f.slot, CellSlot::cost) << f.name;
      EXPECT_EQ(f.presence, Presence::optional) << f.name;
      EXPECT_EQ(f.group, GroupPlace::summary) << f.name;
    }
  }
}

TEST(FigureRegistry, InstructionsAndEstimatedCyclesAreJudgedAtOnePercentAndKernelWorkExactly) {
  for (FigureId id : {FigureId::cost_instructions, FigureId::cost_estimated_cycles}) {
    EXPECT_EQ(figure(id).gate, Gate::relative) << figure(id).name;
    EXPECT_EQ(figure(id).tolerance, 0.01) << figure(id).name;
  }
  for (FigureId id : {FigureId::heap_commit_calls, FigureId::heap_decommit_calls, FigureId::heap_committed_bytes})
    EXPECT_EQ(figure(id).gate, Gate::exact) << figure(id).name;
  for (FigureId id : {FigureId::minor_faults, FigureId::major_faults})
    EXPECT_EQ(figure(id).gate, Gate::pages) << figure(id).name;  // within --tolerance-pages, as before
  EXPECT_EQ(figure(FigureId::modelled_s).gate, Gate::none);  // priced by a calibration that moves
}

TEST(FigureRegistry, FiguresAreFoundByNameAndId) {
  for (const Figure& f : kFigures) {
    ASSERT_NE(find_figure(f.name), nullptr) << f.name;
    EXPECT_EQ(&figure(f.id), find_figure(f.name)) << f.name;
  }
  EXPECT_EQ(find_figure("no_such_figure"), nullptr);
  EXPECT_EQ(cell_key(figure(FigureId::heap_commit_calls)), "commit_calls");
  EXPECT_EQ(cell_key(figure(FigureId::wall_s)), "wall_s");
}

TEST(FigureRegistry, ItsJsonListsEveryFigureWithItsCellPath) {
  const nlohmann::json j = figure_registry_json();
  ASSERT_EQ(j["figures"].size(), kFigures.size());
  ASSERT_EQ(j["sections"].size(), kSections.size());
  const nlohmann::json& commits = j["figures"][static_cast<std::size_t>(FigureId::heap_commit_calls)];
  EXPECT_EQ(commits["name"], "heap_commit_calls");
  EXPECT_EQ(commits["cell"], "heap.commit_calls");
  EXPECT_EQ(commits["unit"], "count");
  EXPECT_EQ(commits["counts"], "calls");
  EXPECT_EQ(commits["gate"], "exact");
  EXPECT_EQ(j["figures"][static_cast<std::size_t>(FigureId::ops_per_s)]["better"], "higher");
  const nlohmann::json& instructions = j["figures"][static_cast<std::size_t>(FigureId::cost_instructions)];
  EXPECT_EQ(instructions["cell"], "cost.instructions");
  EXPECT_EQ(instructions["kind"], "cost");
  EXPECT_EQ(instructions["gate"], "relative");
  EXPECT_EQ(instructions["tolerance"], 0.01);
  EXPECT_TRUE(commits["tolerance"].is_null());
}

TEST(PlotStyle, EveryAllocatorThatCanRunHasAColourOfItsOwn) {
  std::set<std::string_view> colours;
  for (const auto& s : kAllocatorStyles) EXPECT_TRUE(colours.insert(s.colour).second) << s.allocator;
  for (const AllocatorInfo& a : allocator_catalog()) {
    if (a.test_only) continue;
    EXPECT_NE(allocator_colour(a.name), kUnstyledColour) << a.name << ": add it to kAllocatorStyles";
    EXPECT_LT(allocator_rank(a.name), kAllocatorStyles.size()) << a.name;
  }
  EXPECT_EQ(allocator_colour("test-crash"), kUnstyledColour);
}

}  // namespace
}  // namespace vmbench
