// libvmbench_probe.so: preloaded beside the allocator into a program that `vmbench run --program`
// measures, it proves which malloc the program is bound to, with the cells' own proof
// (tool/cell/allocator_proof.cpp), and marks the start of what the system-call tracer counts.
//
// Each process image that loads it (the program, and any program it forks or execs with the same
// environment) appends one line to the file named by VMBENCH_PROBE_OUT:
//   PID <tab> 1|0 <tab> evidence <tab> version <newline>
// in one write(2) on an O_APPEND descriptor, so that lines of several processes never interleave.
// vmbench reads the last line of the program's own process id: after an exec (a shell script, a
// launcher) that is the image that ran last.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "allocator_proof.hpp"
#include "syscall_marker.hpp"

namespace {

// Tabs and newlines would break the line: the evidence is a file name and a version, so they
// become spaces.
std::string one_field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n') c = ' ';
  return s;
}

__attribute__((constructor)) void vmbench_probe() {
  const char* out = std::getenv("VMBENCH_PROBE_OUT");
  if (out == nullptr) return;
  const char* allocator = std::getenv("VMBENCH_PROBE_ALLOCATOR");
  const char* library = std::getenv("VMBENCH_PROBE_LIBRARY");
  const vmbench::AllocatorProof proof =
      vmbench::prove_allocator(allocator != nullptr ? allocator : "malloc", library != nullptr ? library : "");
  const std::string line = std::to_string(getpid()) + "\t" + (proof.ok ? "1" : "0") + "\t" + one_field(proof.evidence) +
                           "\t" + one_field(proof.version) + "\n";
  const int fd = open(out, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd >= 0) {
    (void)!write(fd, line.data(), line.size());
    close(fd);
  }
  // The traced pass of a program (--syscalls) counts from here to the program's exit.
  vmbench::mark_measured_phase(vmbench::kMarkerBegin);
}

}  // namespace
