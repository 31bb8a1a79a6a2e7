// C++ container support: a std::pmr::memory_resource and an STL allocator over any vmb::Allocator,
// so std::pmr containers and std:: containers with a custom allocator run on an arena or a pool.
// Failure throws std::bad_alloc, as the standard containers expect.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <new>

#include "vmb/allocator.hpp"

namespace vmb {

class AllocatorResource final : public std::pmr::memory_resource {
 public:
  explicit AllocatorResource(Allocator a) noexcept : a_(a) {}
  const Allocator& allocator() const noexcept { return a_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    void* p = a_.allocate(bytes, align);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t) override { a_.deallocate(p, bytes); }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    auto* o = dynamic_cast<const AllocatorResource*>(&other);
    return o != nullptr && o->a_ == a_;
  }

  Allocator a_;
};

template <class T>
class StlAllocator {
 public:
  using value_type = T;

  explicit StlAllocator(Allocator a) noexcept : a_(a) {}
  template <class U>
  StlAllocator(const StlAllocator<U>& other) noexcept : a_(other.allocator()) {}

  T* allocate(std::size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    void* p = a_.allocate(n * sizeof(T), alignof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept { a_.deallocate(p, n * sizeof(T)); }

  const Allocator& allocator() const noexcept { return a_; }

  template <class U>
  friend bool operator==(const StlAllocator& x, const StlAllocator<U>& y) noexcept {
    return x.allocator() == y.allocator();
  }

 private:
  Allocator a_;
};

}  // namespace vmb
