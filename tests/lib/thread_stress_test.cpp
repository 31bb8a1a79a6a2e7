// Many threads at once, for ThreadSanitizer (ctest --preset tsan runs the ThreadStress tests; so do
// the release and sanitizer builds): remote-free pools with every thread freeing into every other's
// pool, producer/consumer pairs on size-class pools, and scratch arenas in every thread.
//
// Every figure asserted is a count: every object arrives exactly once, with the bytes its owner
// wrote, and every pool ends with no live slot. Objects travel between threads through lock-free
// inboxes whose only ordering runs from sender to receiver, so that nothing but the pool's own
// remote-free list orders a receiver's last use of an object before its owner hands the slot out
// again: were a release or an acquire missing there, ThreadSanitizer would report the race between
// the receiver's reads and the next user's writes.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <latch>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "vmb/os.hpp"
#include "vmb/remote_free_pool.hpp"
#include "vmb/remote_free_size_class_pool.hpp"
#include "vmb/scratch.hpp"

namespace vmb {
namespace {

constexpr unsigned kThreads = 8;
// Objects each thread sends: enough that every pool is exhausted, takes its remote list over and
// reuses slots many times (its reservation holds far fewer).
constexpr std::uint32_t kObjectsPerThread = 20000;
// Objects a thread sends before it looks at its inbox again.
constexpr int kSendBurst = 16;

// What travels: the inbox link (the slot's first bytes, later the pool's own link), who owns it, its
// number, and bytes that say both, checked by the receiver.
struct Object {
  Object* next;
  std::uint32_t owner;
  std::uint32_t seq;
  std::uint32_t bytes;  // the size it was allocated with (size-class pools)
  unsigned char payload[1];  // `bytes - offsetof(payload)` bytes in all
};
constexpr std::size_t kHeaderBytes = offsetof(Object, payload);
// The smallest object with a payload: the header, and a byte, rounded to the size classes' 16.
constexpr std::uint32_t kMinObjectBytes = 32;
static_assert(kMinObjectBytes > kHeaderBytes);

unsigned char payload_byte(std::uint32_t owner, std::uint32_t seq, std::size_t i) {
  return static_cast<unsigned char>(owner * 31 + seq * 7 + i);
}

void stamp(Object* o, std::uint32_t owner, std::uint32_t seq, std::uint32_t bytes) {
  o->owner = owner;
  o->seq = seq;
  o->bytes = bytes;
  for (std::size_t i = 0; i < bytes - kHeaderBytes; ++i) o->payload[i] = payload_byte(owner, seq, i);
}

bool intact(const Object* o) {
  for (std::size_t i = 0; i < o->bytes - kHeaderBytes; ++i) {
    if (o->payload[i] != payload_byte(o->owner, o->seq, i)) return false;
  }
  return true;
}

// A lock-free inbox: senders push (release), the receiver takes everything (acquire). Nothing flows
// back from receiver to sender through it (the receiver's exchange is not a release, the senders'
// loads are relaxed), so it adds no ordering in the direction the pools must provide themselves.
class Inbox {
 public:
  void push(Object* o) noexcept {
    Object* head = head_.load(std::memory_order_relaxed);
    do {
      o->next = head;
    } while (!head_.compare_exchange_weak(head, o, std::memory_order_release, std::memory_order_relaxed));
  }
  Object* take_all() noexcept { return head_.exchange(nullptr, std::memory_order_acquire); }

 private:
  alignas(128) std::atomic<Object*> head_{nullptr};
};

// received[owner][seq]: set once by whichever thread received the object (distinct bytes, so no two
// threads write one), read after the join.
using Receipts = std::vector<std::vector<std::uint8_t>>;

Receipts no_receipts() { return Receipts(kThreads, std::vector<std::uint8_t>(kObjectsPerThread, 0)); }

// Where thread `from`'s objects go, the same in the threads and in the count of what each receives.
std::vector<std::uint32_t> destinations(std::uint32_t from) {
  std::mt19937 rng(0xd15u + from);
  std::vector<std::uint32_t> to(kObjectsPerThread);
  for (std::uint32_t& t : to) t = static_cast<std::uint32_t>(rng() % kThreads);
  return to;
}

PoolOptions small_pool() {
  PoolOptions o;
  o.slot_bytes = 64;
  o.reserve_bytes = 32 * os::page_size();  // 2048 slots of 64 bytes: in flight are often more
  o.commit_step_bytes = os::page_size();
  return o;
}

// Every thread owns a pool, sends each object it allocates to a seeded random thread (itself
// included), and frees what it receives: with free() when it is the owner, free_remote() otherwise.
template <class AnyPool>
void all_to_all() {
  std::vector<std::unique_ptr<AnyPool>> pools;
  for (unsigned i = 0; i < kThreads; ++i) pools.push_back(std::make_unique<AnyPool>(small_pool()));
  std::vector<Inbox> inboxes(kThreads);
  std::vector<std::vector<std::uint32_t>> to(kThreads);
  std::vector<std::uint32_t> expected(kThreads, 0);
  for (std::uint32_t i = 0; i < kThreads; ++i) {
    to[i] = destinations(i);
    for (std::uint32_t t : to[i]) ++expected[t];
  }
  Receipts received = no_receipts();
  std::vector<std::uint32_t> damaged(kThreads, 0);

  auto run = [&](std::uint32_t me) {
    AnyPool& pool = *pools[me];
    std::uint32_t sent = 0, got = 0;
    while (sent < kObjectsPerThread || got < expected[me]) {
      bool progress = false;
      for (int k = 0; k < kSendBurst && sent < kObjectsPerThread; ++k) {
        auto* o = static_cast<Object*>(pool.allocate());
        if (o == nullptr) break;  // exhausted: its slots are in flight; free what came in first
        stamp(o, me, sent, 64);
        inboxes[to[me][sent]].push(o);
        ++sent;
        progress = true;
      }
      for (Object* o = inboxes[me].take_all(); o != nullptr;) {
        Object* const next = o->next;
        if (o->owner >= kThreads || o->seq >= kObjectsPerThread || !intact(o)) {
          ++damaged[me];
        } else {
          ++received[o->owner][o->seq];
        }
        if (o->owner == me) {
          pool.free(o);
        } else if (o->owner < kThreads) {
          pools[o->owner]->free_remote(o);
        }
        ++got;
        progress = true;
        o = next;
      }
      if (!progress) std::this_thread::yield();
    }
  };
  std::vector<std::thread> threads;
  for (std::uint32_t i = 0; i < kThreads; ++i) threads.emplace_back(run, i);
  for (std::thread& t : threads) t.join();

  for (unsigned i = 0; i < kThreads; ++i) {
    EXPECT_EQ(damaged[i], 0u) << "thread " << i << " received damaged objects";
    std::size_t once = 0;
    for (std::uint8_t r : received[i]) once += r == 1;
    EXPECT_EQ(once, kObjectsPerThread) << "objects of thread " << i << " not received exactly once";
    const PoolStats s = pools[i]->stats();
    EXPECT_EQ(s.live_slots, 0u) << "pool " << i;
    EXPECT_LE(s.peak_live_slots, small_pool().reserve_bytes / 64);
    const RemoteFreeStats r = pools[i]->remote_stats();
    EXPECT_GT(r.takeovers, 0u) << "pool " << i << " never took its remote list over";
    if constexpr (AnyPool::policy.counts) {
      EXPECT_EQ(s.allocations, kObjectsPerThread);
      EXPECT_EQ(s.frees + r.pending_slots, kObjectsPerThread);
    }
  }
}

TEST(ThreadStress, EightThreadsFreeIntoEachOthersPools) { all_to_all<UncheckedRemoteFreePool>(); }

TEST(ThreadStress, EightThreadsFreeIntoEachOthersCheckedPools) { all_to_all<CheckedRemoteFreePool>(); }

// Four producer/consumer pairs on size-class pools: each producer allocates objects of seeded sizes
// (kMinObjectBytes..512 bytes) from its own pool and sends them to its consumer, which checks them and
// frees them with free_remote(p, bytes). Nothing flows from a consumer back to its producer but the
// pool.
TEST(ThreadStress, ProducersAndConsumersFreeAcrossThreads) {
  using Pools = UncheckedRemoteFreeSizeClassPool;
  constexpr unsigned kPairs = kThreads / 2;
  SizeClassPoolOptions options;
  options.reserve_bytes = 16 * os::page_size();  // per class
  options.commit_step_bytes = os::page_size();
  std::vector<std::unique_ptr<Pools>> pools;
  for (unsigned i = 0; i < kPairs; ++i) pools.push_back(std::make_unique<Pools>(options));
  std::vector<Inbox> inboxes(kPairs);
  Receipts received = no_receipts();
  std::vector<std::uint32_t> damaged(kPairs, 0);

  auto produce = [&](std::uint32_t pair) {
    std::mt19937 rng(0x5eedu + pair);
    Pools& pool = *pools[pair];
    for (std::uint32_t seq = 0; seq < kObjectsPerThread;) {
      const auto bytes = static_cast<std::uint32_t>(kMinObjectBytes + rng() % (512 - kMinObjectBytes + 1));
      Object* obj = nullptr;
      while ((obj = static_cast<Object*>(pool.allocate(bytes))) == nullptr) std::this_thread::yield();
      stamp(obj, pair, seq, bytes);
      inboxes[pair].push(obj);
      ++seq;
    }
  };
  auto consume = [&](std::uint32_t pair) {
    Pools& pool = *pools[pair];
    for (std::uint32_t got = 0; got < kObjectsPerThread;) {
      Object* o = inboxes[pair].take_all();
      if (o == nullptr) std::this_thread::yield();
      while (o != nullptr) {
        Object* const next = o->next;
        if (o->owner != pair || o->seq >= kObjectsPerThread || !intact(o)) {
          ++damaged[pair];
        } else {
          ++received[pair][o->seq];
        }
        pool.free_remote(o, o->bytes);
        ++got;
        o = next;
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::uint32_t i = 0; i < kPairs; ++i) {
    threads.emplace_back(produce, i);
    threads.emplace_back(consume, i);
  }
  for (std::thread& t : threads) t.join();

  for (unsigned i = 0; i < kPairs; ++i) {
    EXPECT_EQ(damaged[i], 0u) << "pair " << i;
    std::size_t once = 0;
    for (std::uint8_t r : received[i]) once += r == 1;
    EXPECT_EQ(once, kObjectsPerThread) << "objects of pair " << i << " not received exactly once";
    std::uint64_t takeovers = 0;
    for (unsigned c = 0; c < Pools::kClasses; ++c) {
      EXPECT_EQ(pools[i]->stats(c).live_slots, 0u) << "pair " << i << " class " << c;
      takeovers += pools[i]->remote_stats(c).takeovers;
    }
    EXPECT_GT(takeovers, 0u) << "pair " << i;
  }
}

// Every thread pushes into its own scratch arenas at once, in nested scopes with a conflict, and
// checks its bytes: no two threads alive together share an arena, and each thread's arenas come back
// to where they began.
TEST(ThreadStress, EightThreadsUseTheirScratchArenasAtOnce) {
  constexpr int kRounds = 2000;
  constexpr std::size_t kBlockBytes = 256;
  std::vector<std::uint32_t> damaged(kThreads, 0);
  std::vector<std::size_t> end_pos(kThreads, 1);
  std::vector<const void*> arena_of(kThreads, nullptr);
  std::latch all_recorded(kThreads);
  auto run = [&](std::uint32_t me) {
    arena_of[me] = &scratch();
    for (int round = 0; round < kRounds; ++round) {
      ScratchScope outer;
      auto* a = static_cast<unsigned char*>(outer.arena().push(kBlockBytes));
      ScratchScope inner(&outer.arena());
      auto* b = static_cast<unsigned char*>(inner.arena().push(kBlockBytes));
      if (a == nullptr || b == nullptr) {
        ++damaged[me];
        continue;
      }
      std::memset(a, static_cast<int>(me), kBlockBytes);
      std::memset(b, static_cast<int>(me + 100), kBlockBytes);
      std::this_thread::yield();  // let the others write theirs
      for (std::size_t i = 0; i < kBlockBytes; ++i) {
        if (a[i] != me || b[i] != me + 100) ++damaged[me];
      }
    }
    end_pos[me] = scratch().pos() + scratch(&scratch()).pos();
    // Stay alive until every thread has recorded its arena: a thread's thread_local storage can be
    // reused by a thread started after it ended (it was, under mingw-w64), and then two arenas at one
    // address would say nothing about sharing.
    all_recorded.arrive_and_wait();
  };
  std::vector<std::thread> threads;
  for (std::uint32_t i = 0; i < kThreads; ++i) threads.emplace_back(run, i);
  for (std::thread& t : threads) t.join();
  for (unsigned i = 0; i < kThreads; ++i) {
    EXPECT_EQ(damaged[i], 0u) << "thread " << i;
    EXPECT_EQ(end_pos[i], 0u) << "thread " << i;
    for (unsigned j = 0; j < i; ++j) EXPECT_NE(arena_of[i], arena_of[j]);
  }
}

}  // namespace
}  // namespace vmb
