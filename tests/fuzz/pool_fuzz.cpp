// libFuzzer target: a pool driven by the fuzzer's bytes against the reference model
// (tests/model/pool_model.hpp). The first bytes choose the slot size and alignment, the commit step,
// the reservation and the pool's policy (checked or not); the rest choose the operations.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "../model/pool_model.hpp"

namespace {

constexpr int kMaxSteps = 4096;  // per input: keeps executions fast
constexpr int kVerifyEverySteps = 32;

template <class AnyPool>
[[noreturn]] void mismatch(const vmb::model::PoolChecker<AnyPool>& checker) {
  std::fprintf(stderr, "pool model mismatch: %s\n", checker.failure().c_str());
  std::abort();
}

template <class AnyPool>
void run(const vmb::PoolOptions& o, vmb::model::ByteChoices& choices) {
  AnyPool pool(o);
  if (!pool.ok()) {
    // Only one choice here is refused at construction: a slot (rounded up to its alignment and a
    // pointer) larger than the whole reservation.
    const std::size_t align = std::max(o.slot_align, alignof(void*));
    const std::size_t stride = (std::max(o.slot_bytes, sizeof(void*)) + align - 1) / align * align;
    if (pool.last_error() == vmb::Error::bad_options && stride > o.reserve_bytes) return;
    std::fprintf(stderr, "pool refused %zu-byte slots aligned to %zu in %zu bytes: %s\n", o.slot_bytes,
                 o.slot_align, o.reserve_bytes, vmb::to_string(pool.last_error()));
    std::abort();
  }
  vmb::model::PoolChecker<AnyPool> checker(pool, o, choices, kVerifyEverySteps);
  if (!checker.start()) mismatch(checker);
  for (int i = 0; i < kMaxSteps && !choices.exhausted(); ++i) {
    if (!checker.step()) break;
  }
  if (!checker.finish()) mismatch(checker);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vmb::model::ByteChoices choices(data, size);
  const std::size_t page = vmb::os::page_size();
  vmb::PoolOptions o;
  o.slot_bytes = 1 + choices.below(2 * page);
  o.slot_align = std::size_t{1} << choices.below(13);  // 1 .. 4096: at most the page size
  o.reserve_bytes = page * (1 + choices.below(32));
  o.commit_step_bytes = page * (1 + choices.below(8));
  o.retain_bytes = choices.below(o.reserve_bytes + page);
  // CheckedPool or UncheckedPool: the byte that chose the old PoolOptions::checks, so the corpus
  // still drives both policies.
  if (choices.below(2) == 1) {
    run<vmb::CheckedPool>(o, choices);
  } else {
    run<vmb::UncheckedPool>(o, choices);
  }
  return 0;
}
