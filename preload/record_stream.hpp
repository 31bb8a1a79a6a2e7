// The recording library's writer: one stream of chunks per process image, into the file named by
// VMBENCH_RECORD_FILE (which `vmbench record` created with its header). Events are encoded under one
// lock per process, so the order in the stream is the global order of the calls, and each thread's
// calls keep their order; chunks go out with one write each (O_APPEND), so processes that share the
// file never interleave within a chunk. No function here allocates.
#pragma once

#include <cstdint>

#include "trace_format.hpp"

namespace vmb::record {

// A call to record. The caller has made the real call (or, for free, is about to).
void record_event(const vmb::trace::Event& event);

// realloc must run under the lock: between the real call and its record, another thread could be
// given the freed old pointer and record it first. The caller calls the real realloc between these.
void lock_for_realloc();
void record_realloc_and_unlock(const vmb::trace::Event& event);

// Before an exec: the pending events and the end chunk go out; the next image starts its own stream
// (and so does this one, should the exec fail). A vfork child (another process id sharing this
// memory) touches nothing.
void before_exec();

// At exit: from the library's destructor, and from _exit and _Exit, which skip destructors (a forked
// child that leaves with _exit). A vfork child touches nothing.
void finish_at_exit();
void start();  // once, from the library's constructor: this process's id, and the fork handlers

}  // namespace vmb::record
