// libvmbench_record.so: preloaded by `vmbench record -o FILE -- CMD ARGS...`, it records every call to
// malloc, free, calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc and
// pvalloc (operator new and delete reach them through libstdc++) into FILE (docs/trace-format.md),
// and passes each on to the next definition (glibc's, or a preloaded allocator's after this one).
//
// Re-entrancy: dlsym, which finds the real functions, may itself call calloc: until they are found,
// allocations come from a static bootstrap buffer whose blocks are never freed. A call made while a
// hook runs on the same thread is passed on unrecorded. Nothing here allocates.
// Fork: the child records into its own stream of the same file. Exec: the exec family is wrapped so
// that the image's last events and its end are written before the image is replaced; so are _exit
// and _Exit, which skip the destructor that does it at exit.
#include <dlfcn.h>
#include <unistd.h>

#include <alloca.h>
#include <cerrno>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "record_stream.hpp"

namespace {

using vmb::trace::Event;
using vmb::trace::Op;

constexpr std::size_t kBootBytes = 256 * 1024;  // what dlsym and early start-up allocate, with room to spare
constexpr std::size_t kBootAlign = 16;

struct Real {
  void* (*malloc)(std::size_t);
  void (*free)(void*);
  void* (*calloc)(std::size_t, std::size_t);
  void* (*realloc)(void*, std::size_t);
  void* (*reallocarray)(void*, std::size_t, std::size_t);
  int (*posix_memalign)(void**, std::size_t, std::size_t);
  void* (*aligned_alloc)(std::size_t, std::size_t);
  void* (*memalign)(std::size_t, std::size_t);
  void* (*valloc)(std::size_t);
  void* (*pvalloc)(std::size_t);
  int (*execve)(const char*, char* const[], char* const[]);
  int (*execv)(const char*, char* const[]);
  int (*execvp)(const char*, char* const[]);
  int (*execvpe)(const char*, char* const[], char* const[]);
  int (*fexecve)(int, char* const[], char* const[]);
  void (*exit_now)(int);   // _exit
  void (*exit_now2)(int);  // _Exit
};
Real g_real;
bool g_resolving = false;
alignas(kBootAlign) unsigned char g_boot[kBootBytes];
std::size_t g_boot_used = 0;

__thread int t_inside __attribute__((tls_model("initial-exec")));  // hooks running on this thread

template <class F>
void find(F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

void resolve() {
  if (g_real.malloc != nullptr || g_resolving) return;
  g_resolving = true;
  find(g_real.malloc, "malloc");
  find(g_real.free, "free");
  find(g_real.calloc, "calloc");
  find(g_real.realloc, "realloc");
  find(g_real.reallocarray, "reallocarray");
  find(g_real.posix_memalign, "posix_memalign");
  find(g_real.aligned_alloc, "aligned_alloc");
  find(g_real.memalign, "memalign");
  find(g_real.valloc, "valloc");
  find(g_real.pvalloc, "pvalloc");
  find(g_real.execve, "execve");
  find(g_real.execv, "execv");
  find(g_real.execvp, "execvp");
  find(g_real.execvpe, "execvpe");
  find(g_real.fexecve, "fexecve");
  find(g_real.exit_now, "_exit");
  find(g_real.exit_now2, "_Exit");
  g_resolving = false;
}

// Before the real functions are known (single-threaded start-up): a bump in the static buffer.
void* boot_alloc(std::size_t bytes, std::size_t align) {
  std::size_t at = (g_boot_used + align - 1) & ~(align - 1);
  if (at + bytes > kBootBytes) return nullptr;
  g_boot_used = at + bytes;
  return g_boot + at;
}
bool from_boot(const void* p) {
  return p >= static_cast<const void*>(g_boot) && p < static_cast<const void*>(g_boot + kBootBytes);
}

// Whether this call is the outermost hook on its thread: only those are recorded.
struct Outermost {
  bool yes = t_inside++ == 0;
  ~Outermost() { --t_inside; }
};

Event allocation(Op op, std::size_t bytes, std::size_t align, const void* result) {
  Event e;
  e.op = op;
  e.size = bytes;
  e.align = align;
  e.ptr = reinterpret_cast<std::uintptr_t>(result);
  e.null_result = result == nullptr;
  return e;
}

void* record_allocation(Op op, std::size_t bytes, std::size_t align, void* result, const Outermost& call) {
  if (call.yes) vmb::record::record_event(allocation(op, bytes, align, result));
  return result;
}

// realloc and reallocarray: the real call under the stream's lock (record_stream.hpp says why).
void* recorded_realloc(void* p, std::size_t bytes, void* (*call)(void*, std::size_t, std::size_t), std::size_t n,
                       std::size_t size) {
  Outermost outer;
  if (!outer.yes) return call(p, n, size);
  vmb::record::lock_for_realloc();
  void* q = call(p, n, size);
  Event e = allocation(Op::realloc, bytes, 0, q);
  e.old_ptr = reinterpret_cast<std::uintptr_t>(p);
  vmb::record::record_realloc_and_unlock(e);
  return q;
}

void* plain_realloc(void* p, std::size_t bytes, std::size_t) { return g_real.realloc(p, bytes); }

// A block of the bootstrap buffer given to realloc: moved out (its size is unknown: what fits is copied).
void* move_from_boot(void* p, std::size_t bytes) {
  void* q = std::malloc(bytes);
  const std::size_t room = static_cast<std::size_t>(g_boot + kBootBytes - static_cast<unsigned char*>(p));
  if (q != nullptr) std::memcpy(q, p, bytes < room ? bytes : room);
  return q;
}

std::size_t page_bytes() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

__attribute__((constructor)) void vmbench_recorder_start() {
  resolve();
  vmb::record::start();
}
__attribute__((destructor)) void vmbench_recorder_finish() { vmb::record::finish_at_exit(); }

}  // namespace

#define VMB_EXPORT __attribute__((visibility("default")))

extern "C" {

VMB_EXPORT void* malloc(std::size_t bytes) {
  resolve();
  if (g_real.malloc == nullptr) return boot_alloc(bytes, kBootAlign);
  Outermost call;
  return record_allocation(Op::malloc, bytes, 0, g_real.malloc(bytes), call);
}

VMB_EXPORT void free(void* p) {
  if (p == nullptr || from_boot(p)) return;
  resolve();
  Outermost call;
  if (call.yes) {  // before the real free: once freed, another thread may be given p and record it
    Event e;
    e.op = Op::free;
    e.ptr = reinterpret_cast<std::uintptr_t>(p);
    vmb::record::record_event(e);
  }
  g_real.free(p);
}

VMB_EXPORT void* calloc(std::size_t n, std::size_t size) {
  resolve();
  if (g_real.calloc == nullptr) return n != 0 && size > kBootBytes / n ? nullptr : boot_alloc(n * size, kBootAlign);
  Outermost call;
  std::size_t bytes = 0;
  if (__builtin_mul_overflow(n, size, &bytes)) bytes = SIZE_MAX;
  return record_allocation(Op::calloc, bytes, 0, g_real.calloc(n, size), call);
}

VMB_EXPORT void* realloc(void* p, std::size_t bytes) {
  if (from_boot(p)) return move_from_boot(p, bytes);
  resolve();
  return recorded_realloc(p, bytes, plain_realloc, bytes, 0);
}

VMB_EXPORT void* reallocarray(void* p, std::size_t n, std::size_t size) {
  if (from_boot(p)) return move_from_boot(p, n * size);
  resolve();
  std::size_t bytes = 0;
  if (__builtin_mul_overflow(n, size, &bytes)) bytes = SIZE_MAX;
  return recorded_realloc(p, bytes, g_real.reallocarray, n, size);
}

VMB_EXPORT int posix_memalign(void** out, std::size_t align, std::size_t bytes) {
  resolve();
  if (g_real.posix_memalign == nullptr) return (*out = boot_alloc(bytes, align)) != nullptr ? 0 : ENOMEM;
  Outermost call;
  const int r = g_real.posix_memalign(out, align, bytes);
  record_allocation(Op::posix_memalign, bytes, align, r == 0 ? *out : nullptr, call);
  return r;
}

VMB_EXPORT void* aligned_alloc(std::size_t align, std::size_t bytes) {
  resolve();
  if (g_real.aligned_alloc == nullptr) return boot_alloc(bytes, align);
  Outermost call;
  return record_allocation(Op::aligned_alloc, bytes, align, g_real.aligned_alloc(align, bytes), call);
}

VMB_EXPORT void* memalign(std::size_t align, std::size_t bytes) {
  resolve();
  if (g_real.memalign == nullptr) return boot_alloc(bytes, align);
  Outermost call;
  return record_allocation(Op::memalign, bytes, align, g_real.memalign(align, bytes), call);
}

VMB_EXPORT void* valloc(std::size_t bytes) {
  resolve();
  Outermost call;
  return record_allocation(Op::memalign, bytes, page_bytes(), g_real.valloc(bytes), call);
}

VMB_EXPORT void* pvalloc(std::size_t bytes) {
  resolve();
  Outermost call;
  const std::size_t page = page_bytes();
  return record_allocation(Op::memalign, (bytes + page - 1) / page * page, page, g_real.pvalloc(bytes), call);
}

VMB_EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  resolve();
  vmb::record::before_exec();
  return g_real.execve(path, argv, envp);
}

VMB_EXPORT int execv(const char* path, char* const argv[]) {
  resolve();
  vmb::record::before_exec();
  return g_real.execv(path, argv);
}

VMB_EXPORT int execvp(const char* file, char* const argv[]) {
  resolve();
  vmb::record::before_exec();
  return g_real.execvp(file, argv);
}

VMB_EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  resolve();
  vmb::record::before_exec();
  return g_real.execvpe(file, argv, envp);
}

VMB_EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) {
  resolve();
  vmb::record::before_exec();
  return g_real.fexecve(fd, argv, envp);
}

// _exit and _Exit skip the destructors: the image's last events and its end are written first.
VMB_EXPORT void _exit(int status) {
  resolve();
  vmb::record::finish_at_exit();
  g_real.exit_now(status);
  __builtin_unreachable();
}

VMB_EXPORT void _Exit(int status) {
  resolve();
  vmb::record::finish_at_exit();
  g_real.exit_now2(status);
  __builtin_unreachable();
}

}  // extern "C"

namespace {

// The arguments of an execl-style call, after `first`, up to the null that ends them; then, for
// execle, the environment after it.
char** collect_args(const char* first, va_list ap, char** argv, char* const** envp) {
  std::size_t n = 0;
  for (const char* a = first; a != nullptr; a = va_arg(ap, const char*)) argv[n++] = const_cast<char*>(a);
  argv[n] = nullptr;
  if (envp != nullptr) *envp = va_arg(ap, char* const*);
  return argv;
}

std::size_t count_args(const char* first, va_list ap) {
  std::size_t n = 0;
  for (const char* a = first; a != nullptr; a = va_arg(ap, const char*)) ++n;
  return n;
}

}  // namespace

// The variadic exec calls become their vector forms, which are wrapped above.
#define VMB_COLLECT(first, envp)                                                     \
  va_list ap;                                                                        \
  va_start(ap, first);                                                               \
  const std::size_t n = count_args(first, ap);                                       \
  va_end(ap);                                                                        \
  char** argv = static_cast<char**>(alloca((n + 1) * sizeof(char*)));                \
  va_start(ap, first);                                                               \
  collect_args(first, ap, argv, envp);                                               \
  va_end(ap)

extern "C" {

VMB_EXPORT int execl(const char* path, const char* arg, ...) {
  VMB_COLLECT(arg, nullptr);
  return execv(path, argv);
}

VMB_EXPORT int execlp(const char* file, const char* arg, ...) {
  VMB_COLLECT(arg, nullptr);
  return execvp(file, argv);
}

VMB_EXPORT int execle(const char* path, const char* arg, ...) {
  char* const* envp = nullptr;
  VMB_COLLECT(arg, &envp);
  return execve(path, argv, envp);
}

}  // extern "C"
