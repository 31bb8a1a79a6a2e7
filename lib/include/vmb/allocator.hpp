// The Allocator interface: two function pointers and a context, so code that allocates is not tied
// to one allocator. Adapters for the arena, the pool and malloc; make<T> for typed, overflow-checked
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "vmb/config.hpp"
#include "vmb/detail/size_math.hpp"
#include "vmb/pool.hpp"

namespace vmb {

class Arena;

struct Allocator {
  // Returns null on failure. `align` is a power of two.
  void* (*alloc)(std::size_t size, std::size_t align, void* ctx) = nullptr;
  // `size` is what was asked for at allocation; allocators without individual free ignore the call.
  void (*free)(void* ptr, std::size_t size, void* ctx) = nullptr;
  void* ctx = nullptr;

  void* allocate(std::size_t size, std::size_t align = alignof(std::max_align_t)) const noexcept {
    return alloc(size, align, ctx);
  }
  void deallocate(void* ptr, std::size_t size) const noexcept {
    if (ptr != nullptr) free(ptr, size, ctx);
  }
  friend bool operator==(const Allocator& a, const Allocator& b) noexcept {
    return a.alloc == b.alloc && a.free == b.free && a.ctx == b.ctx;
  }
};

// Arena: free is a no-op (memory comes back when the arena is popped or cleared).
Allocator arena_allocator(Arena& arena) noexcept;
// Pool (of any policy): requests larger than the slot, or more aligned than it, return null.
template <PoolPolicy kPolicy>
Allocator pool_allocator(BasicPool<kPolicy>& pool) noexcept;
// The C library's malloc/free (aligned variants above the default alignment).
Allocator malloc_allocator() noexcept;

// Room for n default-initialised T (constructors run; trivial types are left uninitialised, as
// malloc would). Null when n * sizeof(T) overflows or the allocator fails.
template <class T>
T* make(const Allocator& a, std::size_t n = 1) {
  if (n > SIZE_MAX / sizeof(T)) return nullptr;
  void* p = a.allocate(n * sizeof(T), alignof(T));
  if (p == nullptr) return nullptr;
  T* t = static_cast<T*>(p);
  try {
    std::uninitialized_default_construct_n(t, n);  // destroys what it built if a constructor throws
  } catch (...) {
    a.deallocate(p, n * sizeof(T));
    throw;
  }
  return t;
}

// Destroy n T made by make<T> and give their memory back to the allocator.
template <class T>
void unmake(const Allocator& a, T* p, std::size_t n = 1) noexcept {
  if (p == nullptr) return;
  std::destroy_n(p, n);
  a.deallocate(p, n * sizeof(T));
}

namespace detail {

template <PoolPolicy kPolicy>
void* pool_alloc(std::size_t size, std::size_t align, void* ctx) noexcept {
  auto* pool = static_cast<BasicPool<kPolicy>*>(ctx);
  // Slots are stride-aligned from a page-aligned base, so any power of two dividing the stride holds.
  if (size > pool->slot_bytes() || !is_pow2(align) || pool->slot_bytes() % align != 0) return nullptr;
  return pool->allocate();
}

template <PoolPolicy kPolicy>
void pool_dealloc(void* p, std::size_t, void* ctx) noexcept {
  static_cast<BasicPool<kPolicy>*>(ctx)->free(p);
}

}  // namespace detail

template <PoolPolicy kPolicy>
Allocator pool_allocator(BasicPool<kPolicy>& pool) noexcept {
  return {detail::pool_alloc<kPolicy>, detail::pool_dealloc<kPolicy>, &pool};
}

}  // namespace vmb
