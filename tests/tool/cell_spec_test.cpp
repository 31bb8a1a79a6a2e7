// The cell protocol: a spec survives the trip to the child unchanged, and a spec the child cannot
// run is refused with CellExit::bad_spec and a reason, before anything is measured.
#include "cell_spec.hpp"

#include <gtest/gtest.h>

#include "cell_child.hpp"
#include "cell_protocol.hpp"

namespace vmbench {
namespace {

CellSpec tree_spec() {
  CellSpec s;
  s.workload = "tree";
  s.allocator = "arena";
  s.dispatch = "virtual";
  s.params = {{"depth", "6"}, {"commit_step", "64K"}};
  s.seed = 7;
  s.warmup = 2;
  return s;
}

TEST(CellSpec, RoundTripsEveryPass) {
  for (Pass pass : {Pass::throughput, Pass::syscalls, Pass::latency, Pass::timeline, Pass::heap_map, Pass::cost}) {
    CellSpec s = tree_spec();
    s.pass = pass;
    if (pass == Pass::timeline) s.every_ops = 1234;
    if (pass == Pass::heap_map) {
      s.max_objects = 99;
      s.peak_live_bytes = 4096;
    }
    EXPECT_EQ(decode_cell_spec(encode_cell_spec(s)), s) << pass_name(pass);
  }
}

TEST(CellSpec, APreloadedLibraryTravelsOnlyWhenThereIsOne) {
  CellSpec s = tree_spec();
  EXPECT_FALSE(nlohmann::json(s).contains("library"));
  s.allocator = "mine";
  s.library = "/opt/lib/libmine.so";
  EXPECT_EQ(nlohmann::json(s)["library"], "/opt/lib/libmine.so");
  EXPECT_EQ(decode_cell_spec(encode_cell_spec(s)), s);
}

TEST(CellSpec, ATimedCellsSpecCarriesNoPassKeys) {
  const nlohmann::json j = tree_spec();
  EXPECT_FALSE(j.contains("pass"));
  EXPECT_FALSE(j.contains("every_ops"));
  CellSpec heap_map = tree_spec();
  heap_map.pass = Pass::heap_map;
  const nlohmann::json h = heap_map;
  EXPECT_EQ(h.at("pass"), "heapmap");
  EXPECT_TRUE(h.contains("max_objects"));
  EXPECT_FALSE(h.contains("every_ops"));
}

TEST(CellSpec, AHandWrittenSpecWithoutPassKeysIsATimedCell) {
  const CellSpec s = decode_cell_spec(
      R"({"workload": "frag", "allocator": "pool", "dispatch": "inline", "params": {}, "seed": 42, "warmup": 0})");
  EXPECT_EQ(s.pass, Pass::throughput);
  EXPECT_EQ(s.every_ops, 0u);
  EXPECT_FALSE(s.virtual_dispatch());
}

TEST(CellSpec, ABadSpecIsRefusedWithItsReason) {
  const std::string good = encode_cell_spec(tree_spec());
  auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json j = nlohmann::json::parse(good);
    if (value.is_discarded()) j.erase(key);
    else j[key] = std::move(value);
    return j.dump();
  };
  const struct {
    std::string text;
    const char* reason;
  } cases[] = {
      {"{not json", "not JSON"},
      {"[1, 2]", "not a JSON object"},
      {with("seed", nlohmann::json::value_t::discarded), "'seed' is missing"},
      {with("seed", "forty-two"), "'seed'"},
      {with("pass", "turbo"), "unknown pass 'turbo'"},
      {with("dispatch", "sideways"), "unknown dispatch 'sideways'"},
      {with("warmup", -1), "'warmup' is negative"},
      {with("every_op", 5), "unknown key 'every_op'"},
      {with("params", {{"depth", 6}}), "'params'"},
  };
  for (const auto& c : cases) {
    try {
      decode_cell_spec(c.text);
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const BadCellSpec& e) {
      EXPECT_NE(std::string(e.what()).find(c.reason), std::string::npos) << e.what();
    }
  }
}

// In process: the cell refuses the spec before proving or running anything.
TEST(CellSpec, TheCellExitsWithBadSpecOnABadSpec) {
  EXPECT_EQ(cell_child_main("{not json"), exit_status(CellExit::bad_spec));
  EXPECT_EQ(cell_child_main(R"({"workload": "tree"})"), exit_status(CellExit::bad_spec));
}

}  // namespace
}  // namespace vmbench
