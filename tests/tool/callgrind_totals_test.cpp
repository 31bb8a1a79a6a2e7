// Reading callgrind's totals and the cycle estimate, on fixed text: what the cost pass's figures are.
#include "callgrind_totals.hpp"

#include <gtest/gtest.h>

namespace vmbench {
namespace {

// The shape callgrind 3.19 writes with --cache-sim=yes --instr-atstart=no (summary: 0 included).
constexpr const char* kFile =
    "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\ncmd:  ./m\npart: 1\n\n"
    "desc: I1 cache: 32768 B, 64 B, 8-way associative\n"
    "positions: line\nevents: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\nsummary: 0\n\n"
    "ob=(1) /tmp/m\nfn=(0) main\n0 6005 1000 1002 1 0 1 1 0 1\n\n"
    "totals: 6005 1000 1002 1 0 1 1 0 1\n";

TEST(CallgrindTotals, TotalsAreReadByEventName) {
  std::string why;
  const auto t = parse_callgrind_totals(kFile, &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->ir, 6005u);
  EXPECT_EQ(t->dr, 1000u);
  EXPECT_EQ(t->dw, 1002u);
  EXPECT_EQ(t->i1mr, 1u);
  EXPECT_EQ(t->d1mr, 0u);
  EXPECT_EQ(t->d1mw, 1u);
  EXPECT_EQ(t->ilmr, 1u);
  EXPECT_EQ(t->dlmr, 0u);
  EXPECT_EQ(t->dlmw, 1u);
}

TEST(CallgrindTotals, EventsInAnotherOrderAreFoundByName) {
  std::string why;
  const auto t = parse_callgrind_totals("events: Dw Ir DLmw DLmr ILmr D1mw D1mr I1mr Dr\ntotals: 3 1 9 8 7 6 5 4 2\n", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->ir, 1u);
  EXPECT_EQ(t->dr, 2u);
  EXPECT_EQ(t->dw, 3u);
  EXPECT_EQ(t->i1mr, 4u);
  EXPECT_EQ(t->dlmw, 9u);
}

TEST(CallgrindTotals, SummaryServesWhenThereIsNoTotalsLine) {
  std::string why;
  const auto t = parse_callgrind_totals("events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\nsummary: 10 2 3\n", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->ir, 10u);
  EXPECT_EQ(t->dw, 3u);
  EXPECT_EQ(t->i1mr, 0u);  // trailing zeros may be left out
}

TEST(CallgrindTotals, BadFilesSayWhy) {
  std::string why;
  EXPECT_FALSE(parse_callgrind_totals("totals: 1 2 3\n", &why));
  EXPECT_NE(why.find("events:"), std::string::npos) << why;
  EXPECT_FALSE(parse_callgrind_totals("events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n", &why));
  EXPECT_NE(why.find("totals:"), std::string::npos) << why;
  EXPECT_FALSE(parse_callgrind_totals("events: Ir\ntotals: 5\n", &why));
  EXPECT_NE(why.find("--cache-sim=yes"), std::string::npos) << why;
  EXPECT_FALSE(parse_callgrind_totals("events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\ntotals: 1 x 3\n", &why));
  EXPECT_NE(why.find("non-number"), std::string::npos) << why;
  EXPECT_FALSE(parse_callgrind_totals("events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\ntotals: 1 2 3 4 5 6 7 8 9 10\n", &why));
  EXPECT_NE(why.find("more numbers"), std::string::npos) << why;
}

TEST(CallgrindTotals, EstimatedCyclesFollowTheDocumentedFormula) {
  CallgrindTotals t;
  t.ir = 1000;
  t.dr = 300;
  t.dw = 200;
  t.i1mr = 10;
  t.d1mr = 20;
  t.d1mw = 30;  // 60 L1 misses
  t.ilmr = 1;
  t.dlmr = 2;
  t.dlmw = 3;  // 6 LL misses
  // L1 hits 1500 - 60 = 1440; LL hits 60 - 6 = 54; memory 6.
  EXPECT_EQ(estimated_cycles(t), 1440u + 5u * 54u + 35u * 6u);
  const nlohmann::json j = callgrind_totals_json(t);
  EXPECT_EQ(j["instructions"], 1000);
  EXPECT_EQ(j["data_reads"], 300);
  EXPECT_EQ(j["data_writes"], 200);
  EXPECT_EQ(j["l1_misses"], 60);
  EXPECT_EQ(j["ll_misses"], 6);
  EXPECT_EQ(j["estimated_cycles"], 1440 + 5 * 54 + 35 * 6);
  EXPECT_EQ(j["events"]["DLmw"], 3);
  EXPECT_EQ(j["events"].size(), 9u);
}

}  // namespace
}  // namespace vmbench
