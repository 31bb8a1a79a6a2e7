// The last line of every comparison: the verdict, what was judged, and what was not and why. A gate
// that judged no timing must say so (a U test needs repetitions the file may not have), so that "no
// regression" is never read as "no slowdown".
#include <cmath>
#include <cstdio>
#include <map>

#include "compare.hpp"

namespace vmbench {

namespace {

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", fraction * 100);
  return buf;
}

bool judged(const CompareRow& r) { return r.gated && r.verdict != Verdict::not_judged; }

// The kinds of rows, as the last line names them.
const char* kind_label(const std::string& kind) {
  if (kind == "pages") return "memory";
  return kind.c_str();
}

// The judged cost row that moved most, as " (largest +0.013%)": how close the gate came to its threshold.
std::string largest_cost_change(const Comparison& c) {
  const CompareRow* largest = nullptr;
  for (const auto& r : c.rows)
    if (judged(r) && r.kind == "cost" && std::isfinite(r.change) &&
        (largest == nullptr || std::fabs(r.change) > std::fabs(largest->change)))
      largest = &r;
  if (largest == nullptr) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, " (largest %+.3g%%)", largest->change * 100);
  return buf;
}

// "(24 cost (largest +0.013%), 60 exact, 20 memory, 0 timing)": the judged rows by kind, in a fixed order.
std::string judged_by_kind(const Comparison& c) {
  std::map<std::string, int> n;
  for (const auto& r : c.rows)
    if (judged(r)) ++n[r.kind];
  std::string out;
  for (const char* kind : {"cost", "exact", "pages", "timing", "status"}) {
    if (n[kind] == 0 && (std::string(kind) == "status" || std::string(kind) == "cost")) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(n[kind]) + " " + kind_label(kind);
    if (std::string(kind) == "cost") out += largest_cost_change(c);
  }
  return "(" + out + ")";
}

// Why a timing row was not judged.
std::string timing_reason(const CompareRow& r) {
  if (!r.gated && r.threshold == "off") return "reported only (--threshold NAME=off)";
  return r.note.empty() ? "not comparable here" : r.note;
}

// "; timing not judged: REASON", "; timing judged in 3 of 36 rows (...)", or "" when every timing row was judged.
std::string timing_clause(const Comparison& c) {
  int rows = 0, judged_rows = 0;
  std::map<std::string, int> reasons;
  for (const auto& r : c.rows) {
    if (r.kind != "timing") continue;
    ++rows;
    if (judged(r)) ++judged_rows;
    else ++reasons[timing_reason(r)];
  }
  if (rows == 0) return "; no timing compared";
  if (judged_rows == rows) return "";
  std::string common;  // the most frequent reason
  int most = 0;
  for (const auto& [reason, count] : reasons)
    if (count > most) {
      most = count;
      common = reason;
    }
  const std::size_t others = reasons.size() - 1;
  const std::string more = others > 0 ? " (and " + std::to_string(others) + (others == 1 ? " other reason)" : " other reasons)") : "";
  if (judged_rows == 0) return "; timing not judged: " + common + more;
  return "; timing judged in " + std::to_string(judged_rows) + " of " + std::to_string(rows) + " rows (not: " + common +
         more + ")";
}

}  // namespace

void give_verdict(Comparison& out) {
  std::string first_worse;
  int judged_rows = 0;
  for (const auto& r : out.rows) {
    if (!judged(r)) continue;
    ++judged_rows;
    if (r.verdict == Verdict::worse && ++out.regressions == 1) {
      first_worse = r.key + " " + r.figure;
      if (std::isfinite(r.change) && r.kind != "status") first_worse.append(" ").append(percent(r.change));
    }
    if (r.verdict == Verdict::better) ++out.improvements;
  }
  const std::string how = out.normalized_by.empty() ? "" : "; timings relative to " + out.normalized_by;
  const std::string cost = out.cost_only_in_one_file > 0 ? "; cost figures in one file only for " +
                                                               std::to_string(out.cost_only_in_one_file) + " cells"
                                                         : "";
  if (out.regressions > 0)
    out.verdict_line = "REGRESSION: " + std::to_string(out.regressions) + " of " + std::to_string(judged_rows) +
                       " judged figures worse (first: " + first_worse + ") " + judged_by_kind(out) + how;
  else
    out.verdict_line = "no regression: " + std::to_string(judged_rows) + " figures judged in " +
                       std::to_string(out.cells_compared) + " cells " + judged_by_kind(out) + ", " +
                       std::to_string(out.improvements) + " better" + how;
  out.verdict_line += cost + timing_clause(out);
}

}  // namespace vmbench
