"""The workload's own instructions per operation are the same for every allocator (issue 17): the loops of
tree, churn, strings and frag are compiled into each heap's instantiation, and a comparison of allocators is
only fair if none of them got a different loop. Counted under callgrind, attributed to source lines through
the debug information (workload_instructions.py; docs/library.md, "The workload's own instructions").
Deterministic: simulated instruction counts only.

What may differ, and why the test groups or bounds it:
  - Heaps without individual free (arena, bump, pmr-monotonic) skip the walks that free objects one by one
    (tree's release, strings' tokens and table, churn's last live set): the workload's source takes another
    branch (`if constexpr (kIndividualFree)`), so they are compared with each other, not with the others.
  - Inside one group, the heap's inlined fast path (or its call: malloc, jemalloc, pmr-pool) changes the
    registers left to the workload's loop: a value kept in a register for one heap is spilled around the
    call of another, and a null check the heap's code already made is merged away. Measured with GCC 12
    at --scale ci, that moves the workload's own count by up to 3.44 instructions per operation from its
    group's median (churn's pool: 45.76 against 49.20). TOLERANCE_PER_OP allows 4. A loop left out of
    line behind its closure (what issue 17 saw: 16 more loads per churn step, 8 per operation) is outside
    it: forcing bump's timed phases out of line made churn/bump 8.9 over its group's median.
"""
import shutil
import statistics
import unittest

import workload_instructions as wi
from vmbtest import VMBENCH

# Measured: at most 3.44 instructions per operation from the group's median (docs/library.md).
TOLERANCE_PER_OP = 4.0
NO_INDIVIDUAL_FREE = {"arena", "bump", "pmr-monotonic"}


def group_of(allocator):
    return "without individual free" if allocator in NO_INDIVIDUAL_FREE else "with individual free"


@unittest.skipUnless(shutil.which("valgrind") and shutil.which("addr2line") and shutil.which("nm"),
                     "needs valgrind and binutils (addr2line, nm)")
class WorkloadInstructionsPerOperation(unittest.TestCase):
    table = None

    @classmethod
    def setUpClass(cls):
        _, sanitized = wi.ci_cells(VMBENCH, ["tree"])
        if sanitized:
            raise unittest.SkipTest("a sanitizer build cannot run under valgrind")
        cls.table = wi.measure(VMBENCH)

    def per_op(self, workload):
        row = self.table[workload]
        ops = {c["ops"] for c in row.values()}
        self.assertEqual(len(ops), 1, f"{workload}: every allocator does the same operations: {ops}")
        step = ops.pop()
        return {a: c["workload_ir"] / step for a, c in row.items()}

    def check_workload(self, workload):
        per_op = self.per_op(workload)
        self.assertEqual(len({c["checksum"] for c in self.table[workload].values()}), 1, "the same work on every heap")
        for group in {group_of(a) for a in per_op}:
            # A preloaded malloc is malloc's code (test_a_preloaded_malloc_...): counted once in the median.
            members = {a: v for a, v in per_op.items() if group_of(a) == group and a not in wi.PRELOADED}
            median = statistics.median(members.values())
            for a, v in members.items():
                self.assertLessEqual(abs(v - median), TOLERANCE_PER_OP,
                                     f"{workload}/{a}: {v:.2f} workload instructions per operation, its group "
                                     f"({group}) {median:.2f}: {members}")

    def test_tree(self):
        self.check_workload("tree")

    def test_churn(self):
        self.check_workload("churn")

    def test_strings(self):
        self.check_workload("strings")

    def test_frag(self):
        self.check_workload("frag")

    def test_the_compiler_left_the_same_functions_out_of_line_for_every_heap_of_a_group(self):
        # Exact: a loop the compiler did not inline for one heap (strings' tokenize for the pool alone,
        # before issue 17) is a function of that heap only. tree's release exists only where objects are
        # freed one by one, hence the groups.
        sets = wi.out_of_line_functions(VMBENCH, [a for a in wi.ALLOCATORS if a not in wi.PRELOADED])
        for group in {group_of(a) for a in sets}:
            members = {a: s for a, s in sets.items() if group_of(a) == group}
            first, reference = next(iter(members.items()))
            self.assertTrue(reference, f"no workload function found for {first}: the symbol names changed?")
            for a, s in members.items():
                self.assertEqual(s, reference, f"{a} against {first} ({group})")

    def test_a_preloaded_malloc_runs_exactly_the_code_of_malloc(self):
        if "jemalloc" not in self.table["churn"]:
            self.skipTest("jemalloc not installed (Debian package libjemalloc2)")
        for workload, row in self.table.items():
            self.assertEqual(row["jemalloc"]["workload_ir"], row["malloc"]["workload_ir"], workload)

    def test_the_attribution_finds_the_workload_and_the_heap_apart(self):
        # Sanity of the method: the workload's share is neither nothing nor everything.
        for workload, row in self.table.items():
            for a, c in row.items():
                self.assertGreater(c["workload_ir"], 0, f"{workload}/{a}")
                self.assertLess(c["workload_ir"], c["total_ir"], f"{workload}/{a}")


class Classification(unittest.TestCase):
    def test_the_innermost_frame_outside_the_standard_headers_decides(self):
        self.assertTrue(wi.is_workload_source(["/usr/include/c++/12/bit:100", "/src/workloads/churn.hpp:96"]))
        self.assertFalse(wi.is_workload_source(["/usr/include/c++/12/memory_resource:50",
                                                "/src/workloads/heaps/pmr_heaps.hpp:40", "/src/workloads/driver.hpp:100"]))
        self.assertFalse(wi.is_workload_source(["/src/lib/include/vmb/arena.hpp:10", "/src/workloads/driver.hpp:100"]))
        self.assertTrue(wi.is_workload_source(["/b/../../workloads/rng.hpp:26"]))
        self.assertFalse(wi.is_workload_source(["??:0"]))
        self.assertFalse(wi.is_workload_source([]))


if __name__ == "__main__":
    unittest.main()
