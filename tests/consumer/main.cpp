// Links against an installed vmb and uses an arena, a pool and the pmr adapter: exit status 0 and
// one line on stdout when all of them work.
#include <cstdio>
#include <cstring>
#include <memory_resource>
#include <vector>

#include <vmb/vmb.hpp>

int main() {
  vmb::VirtualArena arena;
  if (!arena.ok()) {
    std::fprintf(stderr, "consumer: arena: %s\n", vmb::to_string(arena.last_error()));
    return 1;
  }
  constexpr std::size_t kBytes = 100000;
  auto* bytes = static_cast<unsigned char*>(arena.push(kBytes));
  if (bytes == nullptr) return 2;
  std::memset(bytes, 0x5A, kBytes);
  if (arena.pos() < kBytes || arena.stats().commit_calls == 0) return 3;

  vmb::Pool pool;
  void* slot = pool.allocate();
  if (slot == nullptr || !pool.owns(slot)) return 4;
  pool.free(slot);

  vmb::AllocatorResource resource(vmb::arena_allocator(arena));
  std::pmr::vector<int> numbers(&resource);
  for (int i = 0; i < 1000; ++i) numbers.push_back(i);
  if (!arena.owns(numbers.data()) || numbers[999] != 999) return 5;

  std::printf("vmb consumer ok\n");
  return 0;
}
