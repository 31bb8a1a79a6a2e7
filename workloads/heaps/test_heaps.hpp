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

// malloc plus `test_delay_spins` iterations of busy work per allocation: a slowdown a regression gate must catch.
class SlowHeap : public MallocHeap {
 public:
  explicit SlowHeap(const Params& p) : MallocHeap(p), spins_(p.count("test_delay_spins")) {}
  template <Life L>
  void* alloc(std::size_t bytes, std::size_t align) {
    for (std::uint64_t i = 0; i < spins_; ++i) asm volatile("" ::: "memory");
    return MallocHeap::alloc<L>(bytes, align);
  }

 private:
  std::uint64_t spins_;
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
