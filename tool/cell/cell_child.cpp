#include "cell_child.hpp"

#include <unistd.h>

#include <cstdio>
#include <new>
#include <optional>
#include <utility>

#include "allocator_proof.hpp"
#include "cell_protocol.hpp"
#include "cell_result.hpp"
#include "cell_spec.hpp"
#include "code_residency.hpp"
#include "pass_probes.hpp"
#include "run_cell.hpp"

namespace vmbench {

namespace {

int fail(CellExit code, const std::string& what) {
  std::fprintf(stderr, "vmbench: %s\n", what.c_str());
  return exit_status(code);
}

bool write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The spec's strings and parameters move into the request: a copy would be one more set of
// allocations in the measured process, moving malloc's heap under the workload.
CellRequest request_for(CellSpec&& spec, OpProbe* probe) {
  CellRequest req;
  req.workload = std::move(spec.workload);
  req.allocator = std::move(spec.allocator);
  req.preloaded_malloc = !spec.library.empty();
  req.virtual_dispatch = spec.virtual_dispatch();
  req.params = Params(std::move(spec.params));
  req.seed = spec.seed;
  req.warmup = spec.warmup;
  req.probe = probe;
  return req;
}

// Runs the workload between the probes' hooks: its outcome, or the exit status of its failure.
std::optional<int> run_measured(CellSpec&& spec, PassProbes& probes, CellOutcome& outcome) {
  try {
    outcome = run_cell(request_for(std::move(spec), probes.op_probe()), probes.hooks());
  } catch (const AllocatorNotCreated& e) {
    return fail(CellExit::allocation_failed, e.what());
  } catch (const std::bad_alloc&) {
    return fail(CellExit::allocation_failed, "memory ran out outside the allocator under test (std::bad_alloc)");
  } catch (const std::exception& e) {
    return fail(CellExit::workload_error, e.what());
  }
  return std::nullopt;
}

}  // namespace

int cell_child_main(const std::string& spec_text) {
  CellSpec spec;
  try {
    spec = decode_cell_spec(spec_text);
  } catch (const BadCellSpec& e) {
    return fail(CellExit::bad_spec, std::string("bad cell specification: ") + e.what());
  }
  const AllocatorProof proof = prove_allocator(spec.allocator, spec.library);
  if (!proof.ok) return fail(CellExit::allocator_not_proven, "allocator not proven: " + proof.evidence);

  // Before the probes' first reading: the phase's RSS and faults hold no code page (code_residency.hpp).
  // A kernel that refuses leaves the code as it is: the measurement stands, a little noisier.
  (void)make_code_resident();
  PassProbes probes(spec);  // before the measured phase: no probe allocates inside it
  if (!probes.error().empty()) return fail(CellExit::allocation_failed, probes.error());
  CellOutcome outcome;
  if (const std::optional<int> failed = run_measured(std::move(spec), probes, outcome)) return *failed;

  // Never a type_error on a string that is not UTF-8 (a library path, say): the measurement stands.
  const std::string result =
      cell_result_json(proof, outcome, probes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!write_all(kResultFd, result)) return fail(CellExit::result_unwritable, "cannot write the result to the parent");
  return exit_status(CellExit::ok);
}

}  // namespace vmbench
