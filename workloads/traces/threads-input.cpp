// A small multi-threaded program to record (threads.trace): four workers, each allocating objects of
// its own sizes and handing every other one to the next worker, which frees it (a cross-thread free);
// the rest it frees itself; a few survive to the exit. The handing over goes through a mutex-guarded
// queue per worker, so the recorded order of the calls varies from run to run, but not their count.
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kWorkers = 4;
constexpr int kObjectsPerWorker = 3000;

struct Inbox {
  std::mutex lock;
  std::deque<void*> objects;
};

Inbox inboxes[kWorkers];
std::vector<void*> survivors[kWorkers];

void drain(Inbox& in) {
  std::lock_guard<std::mutex> g(in.lock);
  for (void* p : in.objects) std::free(p);
  in.objects.clear();
}

void work(int me) {
  std::vector<void*> own;
  for (int i = 0; i < kObjectsPerWorker; ++i) {
    const std::size_t bytes = 16 + static_cast<std::size_t>((i * 37 + me * 11) % 500);
    void* p = std::malloc(bytes);
    std::memset(p, me, bytes);
    if (i % 2 == 0) {
      Inbox& next = inboxes[(me + 1) % kWorkers];
      std::lock_guard<std::mutex> g(next.lock);
      next.objects.push_back(p);
    } else if (i % 97 == 0) {
      survivors[me].push_back(p);
    } else {
      own.push_back(p);
    }
    if (i % 64 == 0) drain(inboxes[me]);
    if (own.size() > 32) {
      own[0] = std::realloc(own[0], bytes * 2);
      for (void* q : own) std::free(q);
      own.clear();
    }
  }
  for (void* q : own) std::free(q);
}

}  // namespace

int main() {
  std::vector<std::thread> team;
  for (int t = 0; t < kWorkers; ++t) team.emplace_back(work, t);
  for (auto& t : team) t.join();
  for (auto& in : inboxes) drain(in);
  return 0;
}
