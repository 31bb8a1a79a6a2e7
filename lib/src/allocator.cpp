// Adapters from the arena, the pool and malloc to the Allocator interface.
#include "vmb/allocator.hpp"

#include <cstdlib>

#include "vmb/arena.hpp"
#include "vmb/pool.hpp"

namespace vmb {

namespace {

void* arena_alloc(std::size_t size, std::size_t align, void* ctx) {
  return static_cast<Arena*>(ctx)->push(size, align);
}
void arena_free(void*, std::size_t, void*) {}  // arenas free by popping or clearing

void* pool_alloc(std::size_t size, std::size_t align, void* ctx) {
  auto* pool = static_cast<Pool*>(ctx);
  // Slots are stride-aligned from a page-aligned base, so any power of two dividing the stride holds.
  if (size > pool->slot_bytes() || !is_pow2(align) || pool->slot_bytes() % align != 0) return nullptr;
  return pool->allocate();
}
void pool_free(void* p, std::size_t, void* ctx) { static_cast<Pool*>(ctx)->free(p); }

#if defined(_WIN32)
void* malloc_alloc(std::size_t size, std::size_t align, void*) {
  return is_pow2(align) ? _aligned_malloc(size == 0 ? 1 : size, align) : nullptr;
}
void malloc_free(void* p, std::size_t, void*) { _aligned_free(p); }
#else
void* malloc_alloc(std::size_t size, std::size_t align, void*) {
  if (!is_pow2(align)) return nullptr;
  if (align <= alignof(std::max_align_t)) return std::malloc(size);
  void* p = nullptr;
  return posix_memalign(&p, align, size) == 0 ? p : nullptr;
}
void malloc_free(void* p, std::size_t, void*) { std::free(p); }
#endif

}  // namespace

Allocator arena_allocator(Arena& arena) noexcept { return {arena_alloc, arena_free, &arena}; }
Allocator pool_allocator(Pool& pool) noexcept { return {pool_alloc, pool_free, &pool}; }
Allocator malloc_allocator() noexcept { return {malloc_alloc, malloc_free, nullptr}; }

}  // namespace vmb
