// Allocators that exist only to test vmbench itself (fault injection): one that crashes, one that
// hangs, one that is deliberately slow and one that is deliberately bloated, so the tests can show
// a crash or a timeout is contained and a regression gate catches a real slowdown. They are
// selectable only when the environment has VMBENCH_TEST_ALLOCATORS=1.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "heap.hpp"
#include "malloc_heap.hpp"
#include "params.hpp"

namespace vmbench {

// Dies with SIGSEGV on the allocation after `test_crash_after` allocations.
class CrashHeap : public MallocHeap {
 public:
  explicit CrashHeap(const Params& p) : MallocHeap(p), left_(p.count("test_crash_after")) {}
  template <Life L>
  void* alloc(std::size_t bytes, std::size_t align) {
    if (left_-- == 0) raise(SIGSEGV);
    return MallocHeap::alloc<L>(bytes, align);
  }

 private:
  std::uint64_t left_;
};

// Never returns from its first allocation.
class HangHeap : public MallocHeap {
 public:
  using MallocHeap::MallocHeap;
  template <Life>
  void* alloc(std::size_t, std::size_t) {
    for (;;) pause();
  }
};

// malloc plus `test_delay_spins` iterations of busy work on one allocation in `test_delay_every`: a
// slowdown a regression gate must catch. The countdown runs whatever the values, so that two settings
// differ only by the spins: with the workloads' ~270 instructions per allocation, one spin on every
// allocation is about +1.5% of the measured phase, one in four about +0.4% (docs/ci.md).
class SlowHeap : public MallocHeap {
 public:
  explicit SlowHeap(const Params& p)
      : MallocHeap(p), spins_(p.count("test_delay_spins")), every_(p.count("test_delay_every")), left_(every_) {
    if (every_ == 0) every_ = left_ = 1;
  }
  template <Life L>
  void* alloc(std::size_t bytes, std::size_t align) {
    if (--left_ == 0) {
      left_ = every_;
      for (std::uint64_t i = 0; i < spins_; ++i) asm volatile("" ::: "memory");
    }
    return MallocHeap::alloc<L>(bytes, align);
  }

 private:
  std::uint64_t spins_;
  std::uint64_t every_;
  std::uint64_t left_;
};

// malloc that asks for `test_bloat_bytes` more than requested and touches it: a memory regression.
class BloatHeap : public MallocHeap {
 public:
  explicit BloatHeap(const Params& p) : MallocHeap(p), extra_(p.bytes("test_bloat_bytes")) {}
  template <Life L>
  void* alloc(std::size_t bytes, std::size_t align) {
    auto* p = static_cast<unsigned char*>(MallocHeap::alloc<L>(bytes + extra_, align));
    if (p != nullptr && extra_ > 0) p[bytes + extra_ - 1] = 1;
    return p;
  }

 private:
  std::size_t extra_;
};

}  // namespace vmbench
