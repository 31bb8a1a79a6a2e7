// Adapters from the arena and malloc to the Allocator interface (the pool's, a template over its
// policy, is inline in vmb/allocator.hpp).
#include "vmb/allocator.hpp"

#include <cstdlib>

#include "vmb/arena.hpp"
#include "vmb/detail/size_math.hpp"

namespace vmb {

namespace {

using detail::is_pow2;

void* arena_alloc(std::size_t size, std::size_t align, void* ctx) {
  return static_cast<Arena*>(ctx)->push(size, align);
}
void arena_free(void*, std::size_t, void*) {}  // arenas free by popping or clearing

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
Allocator malloc_allocator() noexcept { return {malloc_alloc, malloc_free, nullptr}; }

}  // namespace vmb
