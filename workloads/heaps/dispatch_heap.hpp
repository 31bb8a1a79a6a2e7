// --dispatch virtual: the same heap reached through the seed's Allocator interface (a function
// pointer and a context), so the report can show what that indirection costs against the inlined
// heap. The function pointers are laundered through an empty asm statement so the compiler cannot
// see through them and turn the indirect call back into an inlined one.
#pragma once

#include "heap.hpp"
#include "vmb/allocator.hpp"

namespace vmbench {

template <class H>
class DispatchHeap {
 public:
  static constexpr const char* kName = H::kName;
  static constexpr bool kIndividualFree = H::kIndividualFree;

  template <class... A>
  explicit DispatchHeap(A&&... args) : inner_(std::forward<A>(args)...) {
    ifaces_[0] = {&call_alloc<Life::persistent>, &call_free<Life::persistent>, &inner_};
    ifaces_[1] = {&call_alloc<Life::phase>, &call_free<Life::phase>, &inner_};
    for (auto& a : ifaces_) {
      asm volatile("" : "+r"(a.alloc));
      asm volatile("" : "+r"(a.free));
    }
  }
  bool ok() const noexcept { return inner_.ok(); }
  std::string failure() const
    requires requires(const H& h) { h.failure(); }
  {
    return inner_.failure();
  }

  template <Life L>
  VMB_INLINE void* alloc(std::size_t bytes, std::size_t align) noexcept {
    const vmb::Allocator& a = ifaces_[static_cast<int>(L)];
    return a.alloc(bytes, align, a.ctx);
  }
  template <Life L>
  VMB_INLINE void free(void* p, std::size_t bytes, std::size_t) noexcept {
    const vmb::Allocator& a = ifaces_[static_cast<int>(L)];
    a.free(p, bytes, a.ctx);
  }
  void phase_begin() { inner_.phase_begin(); }
  void phase_end() { inner_.phase_end(); }
  bool grow_in_place(void* p, std::size_t o, std::size_t n) { return inner_.grow_in_place(p, o, n); }
  void release_all() { inner_.release_all(); }
  HeapCounters counters() const { return inner_.counters(); }

 private:
  // The seed's interface frees with (ptr, size) only; every workload allocates with kObjectAlign, so
  // that is the alignment the adapter hands back to the heap's free.
  template <Life L>
  static void* call_alloc(std::size_t bytes, std::size_t align, void* ctx) {
    return static_cast<H*>(ctx)->template alloc<L>(bytes, align);
  }
  template <Life L>
  static void call_free(void* p, std::size_t bytes, void* ctx) {
    static_cast<H*>(ctx)->template free<L>(p, bytes, kFreeAlign);
  }
  static constexpr std::size_t kFreeAlign = kObjectAlign;

  H inner_;
  vmb::Allocator ifaces_[2];
};

}  // namespace vmbench
