// The allocation trace format (docs/trace-format.md), spelled once: written by the recording library
// (preload/malloc_recorder.cpp) and `vmbench record`, read by the replay workload. Header-only and
// free of allocation: the recorder includes it inside malloc.
//
// A file: one FileHeader and its text (written by `vmbench record`), then chunks appended by every
// process image that records (one write each, O_APPEND: chunks of several processes never
// interleave). A chunk: ChunkHeader, then `payload_bytes` of payload whose FNV-1a-32 is `checksum`.
// Chunks of one process image share a `stream` id: a begin chunk, event chunks, an end chunk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmb::trace {

inline constexpr char kFileMagic[8] = {'V', 'M', 'B', 'T', 'R', 'A', 'C', 'E'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kChunkMagic = 0x43424d56;  // "VMBC" little-endian
inline constexpr std::size_t kMaxChunkPayloadBytes = 1 << 20;  // a reader refuses larger: corruption
inline constexpr std::size_t kMaxEventBytes = 48;             // 1 + 5 + 10 + 1 + 10 + 10, rounded up

struct FileHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t text_bytes;  // "key=value\n" lines follow: program, command, date, machine, kernel, vmbench
};
static_assert(sizeof(FileHeader) == 16);

enum class ChunkKind : std::uint8_t { begin = 1, events = 2, end = 3 };

struct ChunkHeader {
  std::uint32_t magic;  // kChunkMagic
  ChunkKind kind;
  std::uint8_t reserved[3];
  std::uint64_t stream;  // pid << 32 | a per-image nonce
  std::uint32_t payload_bytes;
  std::uint32_t checksum;  // FNV-1a-32 of the payload
};
static_assert(sizeof(ChunkHeader) == 24);

// Begin payload: BeginFixed, then the executable's path (exe_bytes) and its command line, NUL-separated
// (cmdline_bytes). End payload: EndPayload.
struct BeginFixed {
  std::uint32_t pid;
  std::uint32_t ppid;
  std::uint32_t exe_bytes;
  std::uint32_t cmdline_bytes;
};
enum class EndReason : std::uint32_t { exit = 0, exec = 1 };
struct EndPayload {
  std::uint64_t events;  // in this stream, all chunks together
  EndReason reason;
  std::uint32_t reserved;
};

// One call. The first byte of an event: the op (low 4 bits) and two flags.
enum class Op : std::uint8_t {
  malloc = 0,
  free = 1,
  calloc = 2,          // size: count * size
  realloc = 3,         // reallocarray too
  posix_memalign = 4,
  aligned_alloc = 5,
  memalign = 6,        // valloc and pvalloc too (page alignment)
};
inline constexpr unsigned kOps = 7;
inline constexpr std::uint8_t kOpMask = 0x0f;
inline constexpr std::uint8_t kThreadFollows = 0x80;  // a varint thread index follows the op byte
inline constexpr std::uint8_t kNullResult = 0x40;     // the call returned null (no result pointer)

inline constexpr bool is_aligned_op(Op op) noexcept {
  return op == Op::posix_memalign || op == Op::aligned_alloc || op == Op::memalign;
}

// Layout after the op byte (and thread): free: ptr. realloc: size, old ptr, [new ptr].
// malloc, calloc: size, [ptr]. aligned: size, log2(alignment) as one byte, [ptr]. A pointer is the
// zigzag varint of its difference from the previous pointer of the chunk (0 at a chunk's start).
struct Event {
  Op op = Op::malloc;
  bool null_result = false;
  std::uint32_t thread = 0;  // index of the thread, in order of its first call (0: the first)
  std::uint64_t size = 0;
  std::uint64_t align = 0;   // aligned ops only
  std::uint64_t ptr = 0;     // the result (the freed pointer for free)
  std::uint64_t old_ptr = 0; // realloc's argument
};

inline std::uint32_t fnv1a32(const unsigned char* p, std::size_t n) noexcept {
  std::uint32_t h = 0x811c9dc5u;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

inline unsigned char* put_varint(unsigned char* out, std::uint64_t v) noexcept {
  while (v >= 0x80) {
    *out++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<unsigned char>(v);
  return out;
}

inline std::uint64_t zigzag(std::int64_t v) noexcept {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

inline unsigned log2_of(std::uint64_t power_of_two) noexcept {
  unsigned k = 0;
  while (k < 63 && (std::uint64_t{1} << k) < power_of_two) ++k;
  return k;
}

// What an encoder and a decoder carry from one event to the next, within one chunk.
struct ChunkState {
  std::uint64_t previous_ptr = 0;
  std::uint32_t thread = 0xffffffffu;  // none yet: the first event names its thread
};

inline unsigned char* put_ptr(unsigned char* out, std::uint64_t ptr, ChunkState& st) noexcept {
  out = put_varint(out, zigzag(static_cast<std::int64_t>(ptr - st.previous_ptr)));
  st.previous_ptr = ptr;
  return out;
}

// Writes one event (at most kMaxEventBytes) and returns the end.
inline unsigned char* encode_event(unsigned char* out, const Event& e, ChunkState& st) noexcept {
  const bool thread_changed = e.thread != st.thread;
  *out++ = static_cast<unsigned char>(static_cast<unsigned>(e.op) | (thread_changed ? kThreadFollows : 0) |
                                      (e.null_result ? kNullResult : 0));
  if (thread_changed) {
    out = put_varint(out, e.thread);
    st.thread = e.thread;
  }
  if (e.op == Op::free) return put_ptr(out, e.ptr, st);
  out = put_varint(out, e.size);
  if (e.op == Op::realloc) out = put_ptr(out, e.old_ptr, st);
  if (is_aligned_op(e.op)) *out++ = static_cast<unsigned char>(log2_of(e.align));
  return e.null_result ? out : put_ptr(out, e.ptr, st);
}

// Reads one varint within [p, end); false when it runs past the end or over 64 bits.
inline bool get_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) noexcept {
  v = 0;
  for (unsigned shift = 0; shift < 64 && p < end; shift += 7) {
    const unsigned char b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

inline bool get_ptr(const unsigned char*& p, const unsigned char* end, std::uint64_t& ptr, ChunkState& st) noexcept {
  std::uint64_t z = 0;
  if (!get_varint(p, end, z)) return false;
  ptr = st.previous_ptr + static_cast<std::uint64_t>(unzigzag(z));
  st.previous_ptr = ptr;
  return true;
}

// Reads one event; false when the bytes are not one (truncated, unknown op, no thread yet).
inline bool decode_event(const unsigned char*& p, const unsigned char* end, Event& e, ChunkState& st) noexcept {
  if (p >= end) return false;
  const unsigned char first = *p++;
  if ((first & kOpMask) >= kOps || (first & 0x30) != 0) return false;
  e = Event{};
  e.op = static_cast<Op>(first & kOpMask);
  e.null_result = (first & kNullResult) != 0;
  if ((first & kThreadFollows) != 0) {
    std::uint64_t t = 0;
    if (!get_varint(p, end, t) || t > 0xfffffffeu) return false;
    st.thread = static_cast<std::uint32_t>(t);
  } else if (st.thread == 0xffffffffu) {
    return false;
  }
  e.thread = st.thread;
  if (e.op == Op::free) return !e.null_result && get_ptr(p, end, e.ptr, st);
  if (!get_varint(p, end, e.size)) return false;
  if (e.op == Op::realloc && !get_ptr(p, end, e.old_ptr, st)) return false;
  if (is_aligned_op(e.op)) {
    if (p >= end || *p > 63) return false;
    e.align = std::uint64_t{1} << *p++;
  }
  return e.null_result || get_ptr(p, end, e.ptr, st);
}

}  // namespace vmb::trace
