// How the plots draw each allocator: one fixed colour, and the order of bars and legends (the
// physical limit first, then the library's allocators beside their standard counterparts, then the
// malloc implementations). `vmbench list --format json` hands this to scripts/plots, which keeps no
// copy; an allocator missing here is drawn grey (tests/tool/plot_style_test.cpp).
#pragma once

#include <array>
#include <string_view>

namespace vmbench {

struct AllocatorStyle {
  std::string_view allocator;
  std::string_view colour;  // #rrggbb
};

inline constexpr std::array kAllocatorStyles = {
    AllocatorStyle{"oracle", "#999999"},        AllocatorStyle{"bump", "#66a61e"},
    AllocatorStyle{"arena", "#1b9e77"},
    AllocatorStyle{"pmr-monotonic", "#a6d854"}, AllocatorStyle{"pool", "#7570b3"},
    AllocatorStyle{"pool-remote", "#54278f"},   AllocatorStyle{"pmr-pool", "#b3a2d8"},
    AllocatorStyle{"malloc", "#d95f02"},
    AllocatorStyle{"jemalloc", "#e7298a"},      AllocatorStyle{"mimalloc", "#e6ab02"},
    AllocatorStyle{"tcmalloc", "#a6761d"},
};

inline constexpr std::string_view kUnstyledColour = "#666666";

// The allocator's colour, or kUnstyledColour.
std::string_view allocator_colour(std::string_view allocator);
// Its place in kAllocatorStyles; allocators without a style after all of them.
std::size_t allocator_rank(std::string_view allocator);

}  // namespace vmbench
