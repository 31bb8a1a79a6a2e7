#include "record_stream.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vmb::record {

namespace {

using trace::ChunkHeader;
using trace::ChunkKind;

constexpr std::size_t kChunkPayloadBytes = 64 * 1024;  // one write per 64 KiB of events
constexpr std::size_t kPathBytes = 4096;              // the executable's path and command line, each at most
constexpr std::uint64_t kNonceSpread = 0x9e3779b97f4a7c15ULL;

enum class State { unstarted, recording, off };

// Everything below is guarded by g_lock.
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
State g_state = State::unstarted;  // unstarted: the next event begins a stream (first call, after fork or exec)
int g_fd = -1;
pid_t g_pid = 0;                   // this process (set at start and after fork): a vfork child differs
std::uint64_t g_stream = 0;
std::uint64_t g_events = 0;
std::uint32_t g_threads = 0;       // threads seen in this stream
std::uint64_t g_generation = 0;    // bumped per stream: a thread's index is valid for one stream
unsigned char g_payload[kChunkPayloadBytes];
std::size_t g_used = 0;
trace::ChunkState g_chunk;
unsigned char g_begin[sizeof(trace::BeginFixed) + 2 * kPathBytes];

__thread std::uint32_t t_thread __attribute__((tls_model("initial-exec")));
__thread std::uint64_t t_generation __attribute__((tls_model("initial-exec")));

// One chunk: its header and payload in one writev (O_APPEND: never interleaved with another process's).
bool write_all(iovec (&v)[2]) {
  int first = 0;
  while (first < 2) {
    const ssize_t n = writev(g_fd, v + first, 2 - first);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    auto left = static_cast<std::size_t>(n);
    while (first < 2 && left >= v[first].iov_len) left -= v[first++].iov_len;
    if (first < 2) {
      v[first].iov_base = static_cast<char*>(v[first].iov_base) + left;
      v[first].iov_len -= left;
    }
  }
  return true;
}

void write_chunk(ChunkKind kind, const void* payload, std::size_t bytes) {
  ChunkHeader h{trace::kChunkMagic, kind, {0, 0, 0}, g_stream, static_cast<std::uint32_t>(bytes),
                trace::fnv1a32(static_cast<const unsigned char*>(payload), bytes)};
  iovec parts[2] = {{&h, sizeof h}, {const_cast<void*>(payload), bytes}};
  if (!write_all(parts)) g_state = State::off;  // the disk is full or the file is gone: stop quietly
}

// Reads a /proc file into `out` (at most kPathBytes): its length.
std::uint32_t read_proc(const char* path, unsigned char* out, bool is_link) {
  if (is_link) {
    const ssize_t n = readlink(path, reinterpret_cast<char*>(out), kPathBytes);
    return n > 0 ? static_cast<std::uint32_t>(n) : 0;
  }
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  const ssize_t n = read(fd, out, kPathBytes);
  close(fd);
  return n > 0 ? static_cast<std::uint32_t>(n) : 0;
}

void begin_stream() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  g_pid = getpid();
  const auto nonce = static_cast<std::uint64_t>(now.tv_nsec) * kNonceSpread ^ static_cast<std::uint64_t>(now.tv_sec);
  g_stream = static_cast<std::uint64_t>(g_pid) << 32 | (nonce >> 32);
  g_events = 0;
  g_threads = 0;
  ++g_generation;
  g_used = 0;
  g_chunk = {};
  trace::BeginFixed fixed{static_cast<std::uint32_t>(g_pid), static_cast<std::uint32_t>(getppid()), 0, 0};
  unsigned char* text = g_begin + sizeof fixed;
  fixed.exe_bytes = read_proc("/proc/self/exe", text, true);
  fixed.cmdline_bytes = read_proc("/proc/self/cmdline", text + fixed.exe_bytes, false);
  std::memcpy(g_begin, &fixed, sizeof fixed);
  write_chunk(ChunkKind::begin, g_begin, sizeof fixed + fixed.exe_bytes + fixed.cmdline_bytes);
}

// Under the lock: is there a stream to record into? Starts one on the first call of an image.
bool recording() {
  if (g_state == State::unstarted) {
    const char* path = std::getenv("VMBENCH_RECORD_FILE");
    if (g_fd < 0 && path != nullptr) g_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    g_state = g_fd >= 0 ? State::recording : State::off;
    if (g_state == State::recording) begin_stream();
  }
  return g_state == State::recording;
}

void flush() {
  if (g_used == 0) return;
  write_chunk(ChunkKind::events, g_payload, g_used);
  g_used = 0;
  g_chunk = {};  // every chunk decodes on its own
}

void end_stream(trace::EndReason reason) {
  flush();
  const trace::EndPayload end{g_events, reason, 0};
  write_chunk(ChunkKind::end, &end, sizeof end);
}

void append(trace::Event e) {
  if (t_generation != g_generation) {
    t_thread = g_threads++;
    t_generation = g_generation;
  }
  e.thread = t_thread;
  g_used = static_cast<std::size_t>(trace::encode_event(g_payload + g_used, e, g_chunk) - g_payload);
  ++g_events;
  if (g_used > kChunkPayloadBytes - trace::kMaxEventBytes) flush();
}

void before_fork() { pthread_mutex_lock(&g_lock); }
void after_fork_in_parent() { pthread_mutex_unlock(&g_lock); }
// The child: the parent's pending events are the parent's to write; the child begins its own stream.
void after_fork_in_child() {
  g_lock = PTHREAD_MUTEX_INITIALIZER;
  g_pid = getpid();
  g_used = 0;
  if (g_state == State::recording) g_state = State::unstarted;
}

}  // namespace

void record_event(const trace::Event& event) {
  pthread_mutex_lock(&g_lock);
  if (recording()) append(event);
  pthread_mutex_unlock(&g_lock);
}

void lock_for_realloc() { pthread_mutex_lock(&g_lock); }

void record_realloc_and_unlock(const trace::Event& event) {
  if (recording()) append(event);
  pthread_mutex_unlock(&g_lock);
}

void before_exec() {
  if (getpid() != g_pid) return;  // a vfork child, sharing this memory: it must touch nothing
  pthread_mutex_lock(&g_lock);
  if (g_state == State::recording) {
    end_stream(trace::EndReason::exec);
    g_state = State::unstarted;  // should the exec fail, this image goes on as a new stream
  }
  pthread_mutex_unlock(&g_lock);
}

void finish_at_exit() {
  if (getpid() != g_pid) return;  // a vfork child, sharing this memory: it must touch nothing
  pthread_mutex_lock(&g_lock);
  if (g_state == State::recording) end_stream(trace::EndReason::exit);
  g_state = State::off;
  pthread_mutex_unlock(&g_lock);
}

void start() {
  g_pid = getpid();
  pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

}  // namespace vmb::record
