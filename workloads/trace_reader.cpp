#include "trace_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace vmbench {

namespace trace = vmb::trace;

namespace {

// "FILE: truncated at byte N: why" (or corrupted): the byte where the trace stops making sense.
[[noreturn]] void fail(const std::string& path, std::uint64_t at, const std::string& what) {
  const std::size_t colon = what.find(": ");
  throw TraceError(path + ": " + what.substr(0, colon) + " at byte " + std::to_string(at) +
                       (colon == std::string::npos ? "" : what.substr(colon)), at);
}

template <class T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// A header value: \\ and \n stand for a backslash and a newline.
std::string unescape(const std::string& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      out += v[i + 1] == 'n' ? '\n' : v[i + 1];
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_header_text(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = unescape(line.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

std::string command_line(const unsigned char* p, std::size_t n) {
  std::string s(reinterpret_cast<const char*>(p), n);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  for (char& c : s)
    if (c == '\0') c = ' ';
  return s;
}

}  // namespace

Trace::Trace(const std::string& path) : path_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(path + ": cannot read it: " + std::strerror(errno), 0);
  bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  read_header(path);
  std::map<std::uint64_t, std::size_t> index;  // stream id -> position in streams_
  std::size_t at = sizeof(trace::FileHeader) + load<trace::FileHeader>(bytes_.data()).text_bytes;
  while (at < bytes_.size()) at = read_chunk(at, index);
}

void Trace::read_header(const std::string& path) {
  const std::size_t magic_bytes = std::min(bytes_.size(), sizeof trace::kFileMagic);
  if (bytes_.empty() || std::memcmp(bytes_.data(), trace::kFileMagic, magic_bytes) != 0)
    throw TraceError(path + ": not a vmbench allocation trace (no VMBTRACE at its start)", 0);
  if (bytes_.size() < sizeof(trace::FileHeader)) fail(path, bytes_.size(), "truncated: the file header is cut short");
  const auto h = load<trace::FileHeader>(bytes_.data());
  if (h.version != trace::kVersion)
    throw TraceError(path + ": trace format version " + std::to_string(h.version) + " (this vmbench reads " +
                         std::to_string(trace::kVersion) + ")", 8);
  if (h.text_bytes > bytes_.size() - sizeof h) fail(path, bytes_.size(), "truncated: the file header is cut short");
  header_ = parse_header_text(std::string(reinterpret_cast<const char*>(bytes_.data() + sizeof h), h.text_bytes));
}

// One chunk at `at`, checked and filed under its stream: the offset of the next.
std::size_t Trace::read_chunk(std::size_t at, std::map<std::uint64_t, std::size_t>& index) {
  if (bytes_.size() - at < sizeof(trace::ChunkHeader)) fail(path_, at, "truncated: a chunk header cut short");
  const auto h = load<trace::ChunkHeader>(bytes_.data() + at);
  const auto kind = static_cast<unsigned>(h.kind);
  if (h.magic != trace::kChunkMagic || kind < 1 || kind > 3) fail(path_, at, "corrupted: no chunk starts there");
  const std::size_t payload = at + sizeof h;
  if (h.payload_bytes > trace::kMaxChunkPayloadBytes) fail(path_, at, "corrupted: a chunk of implausible size");
  if (h.payload_bytes > bytes_.size() - payload)
    fail(path_, bytes_.size(), "truncated: a chunk of " + std::to_string(h.payload_bytes) + " bytes cut short");
  if (trace::fnv1a32(bytes_.data() + payload, h.payload_bytes) != h.checksum)
    fail(path_, at, "corrupted: a chunk's checksum does not match");
  const auto it = index.find(h.stream);
  if (h.kind == trace::ChunkKind::begin) {
    if (it != index.end() || h.payload_bytes < sizeof(trace::BeginFixed)) fail(path_, at, "corrupted: a stream begins twice, or its beginning is cut short");
    const auto b = load<trace::BeginFixed>(bytes_.data() + payload);
    if (static_cast<std::uint64_t>(b.exe_bytes) + b.cmdline_bytes > h.payload_bytes - sizeof b)
      fail(path_, at, "corrupted: a stream's beginning does not add up");
    const unsigned char* text = bytes_.data() + payload + sizeof b;
    TraceStream s;
    s.id = h.stream, s.pid = b.pid, s.ppid = b.ppid;
    s.exe.assign(reinterpret_cast<const char*>(text), b.exe_bytes);
    s.command = command_line(text + b.exe_bytes, b.cmdline_bytes);
    index[h.stream] = streams_.size();
    streams_.push_back(std::move(s));
    return payload + h.payload_bytes;
  }
  if (it == index.end()) fail(path_, at, "corrupted: a chunk of a stream that never began");
  TraceStream& s = streams_[it->second];
  if (s.ended) fail(path_, at, "corrupted: a chunk after its stream's end");
  if (h.kind == trace::ChunkKind::events) add_events(s, payload, h.payload_bytes);
  else {
    if (h.payload_bytes != sizeof(trace::EndPayload)) fail(path_, at, "corrupted: a stream's end is malformed");
    const auto end = load<trace::EndPayload>(bytes_.data() + payload);
    if (end.events != s.events)
      fail(path_, at, "corrupted: the stream's end counts " + std::to_string(end.events) + " events, its chunks hold " +
                          std::to_string(s.events));
    s.ended = true;
    s.end_reason = end.reason;
  }
  return payload + h.payload_bytes;
}

// Decodes an event chunk once, to check it and to count its events.
void Trace::add_events(TraceStream& s, std::size_t payload_at, std::size_t bytes) {
  const unsigned char* p = bytes_.data() + payload_at;
  const unsigned char* end = p + bytes;
  trace::ChunkState st;
  trace::Event e;
  while (p < end) {
    const unsigned char* start = p;
    if (!trace::decode_event(p, end, e, st))
      fail(path_, static_cast<std::uint64_t>(start - bytes_.data()), "corrupted: an event cannot be decoded");
    ++s.events;
    ++s.ops[static_cast<unsigned>(e.op)];
    s.allocating_calls += e.op != trace::Op::free && !e.null_result;
    s.threads = std::max(s.threads, e.thread + 1);
  }
  s.event_chunks.push_back({payload_at, static_cast<std::uint32_t>(bytes)});
}

std::uint64_t Trace::events() const noexcept {
  std::uint64_t n = 0;
  for (const auto& s : streams_) n += s.events;
  return n;
}

const TraceStream& Trace::main_stream() const {
  if (streams_.empty()) throw TraceError(path_ + ": no process recorded anything", bytes_.size());
  const TraceStream* best = &streams_.front();
  for (const auto& s : streams_)
    if (s.events > best->events) best = &s;
  return *best;
}

void Trace::for_each_event(const TraceStream& stream, const std::function<void(const trace::Event&)>& fn) const {
  trace::Event e;
  for (const auto& c : stream.event_chunks) {
    const unsigned char* p = bytes_.data() + c.at;
    const unsigned char* end = p + c.bytes;
    trace::ChunkState st;
    while (p < end && trace::decode_event(p, end, e, st)) fn(e);
  }
}

std::string trace_problem(const std::string& path) {
  try {
    const Trace t(path);
    if (t.events() == 0) return path + ": no allocation was recorded";
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

}  // namespace vmbench
