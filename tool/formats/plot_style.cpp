#include "plot_style.hpp"

namespace vmbench {

std::string_view allocator_colour(std::string_view allocator) {
  for (const auto& s : kAllocatorStyles)
    if (s.allocator == allocator) return s.colour;
  return kUnstyledColour;
}

std::size_t allocator_rank(std::string_view allocator) {
  for (std::size_t i = 0; i < kAllocatorStyles.size(); ++i)
    if (kAllocatorStyles[i].allocator == allocator) return i;
  return kAllocatorStyles.size();
}

}  // namespace vmbench
