// Reading an allocation trace (docs/trace-format.md): the whole file checked at once (magic, version,
// every chunk's bounds and checksum, every event's encoding, every stream's event count), so that a
// truncated or corrupted file is refused before anything is measured, with the byte offset where it
// goes wrong. Then the events of one stream, in order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "trace_format.hpp"

namespace vmbench {

// "FILE: ... at byte N": what is wrong and where. `offset` is that N.
struct TraceError : std::runtime_error {
  TraceError(const std::string& what, std::uint64_t at) : std::runtime_error(what), offset(at) {}
  std::uint64_t offset;
};

// One process image that recorded: its chunks, where they are, and what they hold.
struct TraceStream {
  std::uint64_t id = 0;
  std::uint32_t pid = 0, ppid = 0;
  std::string exe;       // the executable's path
  std::string command;   // its command line, arguments separated by spaces
  struct Chunk {
    std::uint64_t at;     // file offset of the payload
    std::uint32_t bytes;
  };
  std::vector<Chunk> event_chunks;  // in order
  std::uint64_t events = 0;
  std::uint64_t ops[vmb::trace::kOps] = {};  // events per op
  bool ended = false;    // an end chunk closed it (else the process left by _exit, a signal or a crash)
  vmb::trace::EndReason end_reason = vmb::trace::EndReason::exit;
  // Calls that created an object (a non-null result of an allocating call, realloc included): what a
  // replay of this stream allocates.
  std::uint64_t allocating_calls = 0;
  std::uint32_t threads = 0;  // threads that called (their indices run from 0 to threads - 1)
};

class Trace {
 public:
  // Reads and checks `path`. Throws TraceError.
  explicit Trace(const std::string& path);

  const std::map<std::string, std::string>& header() const noexcept { return header_; }
  const std::vector<TraceStream>& streams() const noexcept { return streams_; }
  std::uint64_t file_bytes() const noexcept { return bytes_.size(); }
  std::uint64_t events() const noexcept;

  // The stream a replay takes: the one with the most events (the program's main image, even behind a
  // launcher script that exec'd it, or a shell that forked it).
  const TraceStream& main_stream() const;

  // Every event of `stream`, in order.
  void for_each_event(const TraceStream& stream, const std::function<void(const vmb::trace::Event&)>& fn) const;

 private:
  void read_header(const std::string& path);
  std::size_t read_chunk(std::size_t at, std::map<std::uint64_t, std::size_t>& index);
  void add_events(TraceStream& s, std::size_t payload_at, std::size_t bytes);

  std::string path_;
  std::vector<unsigned char> bytes_;
  std::map<std::string, std::string> header_;
  std::vector<TraceStream> streams_;
};

// "" when `path` is a complete, uncorrupted trace with at least one event, else the one line why not.
std::string trace_problem(const std::string& path);

}  // namespace vmbench
