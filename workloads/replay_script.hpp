// A trace's main stream turned into what the replay executes: operations on slots (one per object
// live at once) instead of the recorded addresses, built before measuring so that the measured loop
// does nothing but allocate, touch, copy and free. The recorded addresses matter only here: a free
// of an address nobody allocated is counted and left out, not replayed.
#pragma once

#include <cstdint>
#include <vector>

#include "trace_reader.hpp"

namespace vmbench::replay {

enum class Kind : std::uint8_t { alloc, free, realloc };

struct Op {
  std::uint64_t bytes;      // alloc, realloc: the new size
  std::uint32_t slot;       // the object's slot (realloc: the slot keeps its object's place)
  Kind kind;
  std::uint8_t align_log2;  // alloc: the recorded alignment (0: the default)
};

// What a script knows of its stream, whichever way it is replayed: the stream's own counts (set from
// its header, trace_counts) and what building the script found.
struct TraceCounts {
  std::uint64_t recorded_calls = 0;        // events of the stream
  std::uint64_t recorded_allocations = 0;  // calls that created an object (the replay's allocations)
  std::uint64_t unknown_frees = 0;         // free or realloc of an address not live in the trace: skipped
  std::uint64_t failed_calls = 0;          // allocations that returned null: nothing to replay
  std::uint64_t reused_addresses = 0;      // an address given out again while still live (a free missed)
  std::uint32_t pid = 0;                   // the process the stream is from
};

inline TraceCounts trace_counts(const TraceStream& stream) {
  TraceCounts c;
  c.recorded_calls = stream.events;
  c.recorded_allocations = stream.allocating_calls;
  c.pid = stream.pid;
  return c;
}

struct Script : TraceCounts {
  std::vector<Op> ops;
  std::uint32_t slots = 0;  // slots needed: the most objects live at once
};

Script build_script(const Trace& trace, const TraceStream& stream);

}  // namespace vmbench::replay

namespace vmbench::replay {

// A stream of several threads, replayed one thread per recorded thread (replay.hpp's ThreadReplayer):
// each thread's operations in its recorded order. Every object has a slot of its own, never reused, so
// that a slot is written once (by the operation that creates its object) and read once (by the one
// that frees or moves it), whichever threads they run on.
struct ThreadOp {
  std::uint64_t bytes;      // alloc, realloc: the new size
  std::uint32_t slot;       // alloc, realloc: the object created; free: the object freed
  std::uint32_t from;       // realloc: the object it moves from
  Kind kind;
  std::uint8_t align_log2;  // alloc: the recorded alignment (0: the default)
  bool handed;              // alloc, realloc: another thread frees or moves the object (publish it)
  bool foreign;             // free, realloc: the object was created by another thread (wait for it)
};

struct ThreadedScript : TraceCounts {
  std::vector<std::vector<ThreadOp>> threads;          // by recorded thread index
  std::vector<std::vector<std::uint32_t>> survivors;   // by thread: the objects it created never freed
  std::uint32_t slots = 0;                             // objects created
  std::uint64_t cross_thread_frees = 0;                // frees and reallocs of another thread's object
};

ThreadedScript build_threaded_script(const Trace& trace, const TraceStream& stream);

}  // namespace vmbench::replay
