// xfer: the cross-thread free. Threads work in producer/consumer pairs (threads 2p and 2p+1): the
// producer allocates `objects` objects, stamps each (as churn does) and hands them over in batches of
// `batch` through a queue of kQueueBatches batches; the consumer reads each object back and frees
// it. From 2 threads on every free is a free of another thread's object, the case a thread-caching
// allocator handles worst (mimalloc-bench's xmalloc-test). One thread is its own pair: it fills a
// batch, then empties it, so the 1-thread cell does the same work as the 2-thread one, in one thread.
// Timed phases: produce (allocating and stamping a batch), consume (reading and freeing one), wait
// (blocked on the queue: the producer on a full queue, the consumer on an empty one).
// Deterministic at a seed: the producer draws sizes from its thread's seed, the queue is first in,
// first out, so the consumer folds the same stamps in the same order on every run. Checksum of a pair:
// fold(bytes produced, the consumer's fold), which is also what the two threads' checksums combine to
// in thread order (thread_team.hpp), so 1 and 2 threads give the same checksum.
// Operations: objects allocations and as many frees per pair; heaps without individual free skip the
// frees (counted). The queue synchronises once per batch: two semaphore operations a side, nothing
// per object.
#pragma once

#include <algorithm>
#include <memory>
#include <semaphore>
#include <stdexcept>
#include <string>
#include <vector>

#include "churn.hpp"
#include "driver.hpp"
#include "rng.hpp"

namespace vmbench::xfer {

inline constexpr std::ptrdiff_t kQueueBatches = 8;       // batches in flight per pair, at most
inline constexpr std::uint64_t kMaxBatchObjects = 1'000'000;  // the batches are allocated up front
inline constexpr std::size_t kCacheLineBytes = 64;           // producer and consumer counters apart

using churn::Slot;

struct Batch {
  std::vector<Slot> slots;  // sized to the batch before measuring: filling it allocates nothing
  std::size_t count = 0;
  std::uint64_t bytes = 0;
};

// One pair's queue: a ring of batches. The producer fills the next free batch and publishes it, the
// consumer takes the oldest published one and gives it back; the semaphores order the batch's
// contents between the two threads.
class Channel {
 public:
  explicit Channel(std::size_t batch_objects) : ring_(kQueueBatches) {
    for (Batch& b : ring_) b.slots.resize(batch_objects);
  }
  Batch& begin_fill() {
    room_.acquire();
    return ring_[static_cast<std::size_t>(filled_++ % kQueueBatches)];
  }
  void end_fill() { ready_.release(); }
  Batch& begin_take() {
    ready_.acquire();
    return ring_[static_cast<std::size_t>(taken_++ % kQueueBatches)];
  }
  void end_take() { room_.release(); }

 private:
  std::vector<Batch> ring_;
  std::counting_semaphore<kQueueBatches> room_{kQueueBatches};
  std::counting_semaphore<kQueueBatches> ready_{0};
  alignas(kCacheLineBytes) std::uint64_t filled_ = 0;  // the producer's alone
  alignas(kCacheLineBytes) std::uint64_t taken_ = 0;   // the consumer's alone
};

enum class Role : std::uint8_t { both, producer, consumer };

// The pairs' queues, made before any thread starts (and before measuring). Throws std::runtime_error
// on a thread count that makes no pairs or a batch out of range.
class Exchange {
 public:
  Exchange(const Params& p, int threads) : objects_(p.count("objects")), batch_(p.count("batch")), threads_(threads) {
    if (threads > 1 && threads % 2 != 0)
      throw std::runtime_error("xfer runs producer/consumer pairs: threads must be 1 or even, not " +
                               std::to_string(threads));
    if (batch_ == 0 || batch_ > kMaxBatchObjects)
      throw std::runtime_error("xfer: batch must be 1 to " + std::to_string(kMaxBatchObjects));
    for (int i = 0; i < std::max(1, threads / 2); ++i) channels_.push_back(std::make_unique<Channel>(batch_));
  }
  Role role_of(int thread) const noexcept {
    if (threads_ == 1) return Role::both;
    return thread % 2 == 0 ? Role::producer : Role::consumer;
  }
  Channel& channel_of(int thread) noexcept { return *channels_[static_cast<std::size_t>(thread / 2)]; }
  std::uint64_t objects() const noexcept { return objects_; }
  std::uint64_t batch() const noexcept { return batch_; }

 private:
  std::uint64_t objects_;
  std::uint64_t batch_;
  int threads_;
  std::vector<std::unique_ptr<Channel>> channels_;
};

// The producer's state across batches.
struct Producer {
  Rng rng;
  churn::SizeDist sizes;
  std::uint64_t serial = 0;          // one per object: what churn::stamp writes
  std::uint64_t bytes_produced = 0;  // the producer's checksum
};

template <class H>
void produce(Driver<H>& d, Channel& ch, Producer& pr, std::size_t n) {
  Batch* b = nullptr;
  d.timed("wait", [&] { b = &ch.begin_fill(); });
  d.timed("produce", [&] {
    std::uint64_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
      Slot& s = b->slots[i];
      s.bytes = pr.sizes.next(pr.rng);
      s.p = d.alloc(s.bytes);
      churn::stamp(s.p, s.bytes, ++pr.serial * churn::kStampSpread);
      bytes += s.bytes;
    }
    b->count = n;
    b->bytes = bytes;
    pr.bytes_produced += bytes;
    d.hand_over(bytes);
  });
  ch.end_fill();
}

template <class H>
void consume(Driver<H>& d, Channel& ch, std::uint64_t& fold) {
  Batch* b = nullptr;
  d.timed("wait", [&] { b = &ch.begin_take(); });
  d.timed("consume", [&] {
    d.take_over(b->bytes);
    for (std::size_t i = 0; i < b->count; ++i) {
      const Slot& s = b->slots[i];
      fold = churn::fold(fold, churn::read_stamp(s.p, s.bytes) + s.bytes);
      d.free(s.p, s.bytes);
    }
  });
  ch.end_take();
}

// One thread's part: `thread` of the exchange's team. The consumer draws nothing, so its seed is unused.
template <class H>
WorkloadStats run(Driver<H>& d, const std::function<void()>& begin_measured, Exchange& x, int thread) {
  const Role role = x.role_of(thread);
  Channel& ch = x.channel_of(thread);
  Producer pr{Rng(d.seed()), churn::size_dist(d.params())};
  std::uint64_t consumed = 0;

  begin_measured();
  for (std::uint64_t done = 0; done < x.objects(); done += x.batch()) {
    const auto n = static_cast<std::size_t>(std::min(x.batch(), x.objects() - done));
    if (role != Role::consumer) produce(d, ch, pr, n);
    if (role != Role::producer) consume(d, ch, consumed);
  }
  if (role == Role::both) return d.finish(churn::fold(churn::fold(0, pr.bytes_produced), consumed));
  return d.finish(role == Role::producer ? pr.bytes_produced : consumed);
}

}  // namespace vmbench::xfer
