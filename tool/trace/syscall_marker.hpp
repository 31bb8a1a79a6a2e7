// How a cell marks the start and the end of its measured phase for the system-call tracer: a raw
// getpid with a magic first argument. getpid ignores its arguments, costs ~0.1 us, and no library
// passes this value, so the tracer's seccomp filter stops on exactly these two calls.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace vmbench {

inline constexpr std::uint32_t kMarkerBegin = 0x766d6201;  // "vmb" 1
inline constexpr std::uint32_t kMarkerEnd = 0x766d6202;    // "vmb" 2

inline void mark_measured_phase(std::uint32_t marker) noexcept { (void)syscall(SYS_getpid, marker); }

}  // namespace vmbench
