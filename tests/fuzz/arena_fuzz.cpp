// libFuzzer target: arenas driven by the fuzzer's bytes against the reference model
// (tests/model/arena_model.hpp). The first bytes choose the arena (virtual with page or larger
// commit steps, with or without a guard page, or fixed over a misaligned buffer), its size and how
// much clear() retains; the rest choose the operations. Any mismatch with the model aborts, and
// ASan/UBSan catch what the model cannot see (an overflow in the size arithmetic, a stray write).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "../model/arena_model.hpp"
#include "vmb/os.hpp"

namespace {

using vmb::model::ArenaChecker;
using vmb::model::ByteChoices;

constexpr int kMaxSteps = 4096;              // per input: keeps executions fast
constexpr std::size_t kMaxArenaBytes = 1 << 20;

ArenaChecker::Limits fuzz_limits(ByteChoices& choices) {
  ArenaChecker::Limits limits;
  limits.max_size = choices.below(2) == 0 ? 300 : 70000;  // small pushes, or pushes across pages
  limits.verify_every_steps = 32;
  limits.max_pushes_to_exhaust = 4096;
  return limits;
}

void run(vmb::Arena& arena, std::size_t step_bytes, std::size_t retain_bytes, ByteChoices& choices) {
  ArenaChecker checker(arena, step_bytes, retain_bytes, choices, fuzz_limits(choices));
  for (int i = 0; i < kMaxSteps && !choices.exhausted(); ++i) {
    if (!checker.step()) break;
  }
  if (!checker.finish()) {
    std::fprintf(stderr, "arena model mismatch: %s\n", checker.failure().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteChoices choices(data, size);
  const std::size_t page = vmb::os::page_size();
  if (choices.below(4) == 0) {
    // FixedArena over a buffer with a misaligned start: alignment must come from the addresses.
    const std::size_t bytes = choices.below(kMaxArenaBytes / 4);
    const std::size_t misalign = choices.below(16);
    std::vector<unsigned char> buffer(bytes + misalign);
    vmb::FixedArena arena(buffer.data() + misalign, bytes);
    run(arena, 0, 0, choices);
    return 0;
  }
  vmb::ArenaOptions o;
  o.reserve_bytes = page + choices.below(kMaxArenaBytes);  // often not a multiple of the step
  o.commit_step_bytes = page * (1 + choices.below(16));
  o.retain_bytes = choices.below(o.reserve_bytes + page);
  o.guard_page = choices.below(2) == 1;
  vmb::VirtualArena arena(o);
  if (!arena.ok()) {
    std::fprintf(stderr, "cannot reserve %zu bytes: %s\n", o.reserve_bytes, vmb::to_string(arena.last_error()));
    std::abort();
  }
  // The arena rounds the commit step up to the page size; the model is given the same step.
  run(arena, o.commit_step_bytes, o.retain_bytes, choices);
  return 0;
}
