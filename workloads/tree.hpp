// tree: the Benchmarks Game's binary-trees, timed in three phases so the seed's claims show apart.
//   build    allocate every node of a batch of trees (allocation speed)
//   check    walk them (cache locality: nodes placed into an aged heap's holes versus contiguous)
//   release  free every node, or pop the arena once (instant cleanup)
// Before the measured phase the heap is aged: `age_objects` objects of 16..128 bytes are allocated,
// written (as a program writes what it allocates: their pages are resident for every allocator, so
// the phase's RSS growth is the phase's own) and a random half freed, so a free-list allocator starts
// from a fragmented heap, as in a long-running program. The survivors stay alive to the end.
// Operations (measured phase only, the ageing excluded): one allocation and one death per node, and
// the death of each aged survivor at the end.
#pragma once

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "driver.hpp"
#include "rng.hpp"

namespace vmbench::tree {

struct Node {
  Node* left;
  Node* right;
};

inline constexpr int kMinDepth = 4;              // as in binary-trees
inline constexpr std::uint64_t kBatchNodes = 1u << 16;  // trees are built/walked/freed in batches of
                                                        // ~1 MiB of nodes: phase timers stay cheap
inline constexpr std::size_t kAgeMinBytes = 16;
inline constexpr std::size_t kAgeMaxBytes = 128;

inline std::uint64_t nodes_in(int depth) { return (std::uint64_t{2} << depth) - 1; }

// build and release recurse, so they cannot be forced inline, and how far a compiler inlines a recursive
// function into itself is its own choice for each heap: it gave one heap's tree several instructions per node
// fewer than another's. So they are kept out of line for every heap, and the last level, half the nodes, is
// unrolled here by hand (the leaves are inlined into their parent), which saves what the compiler's own
// recursive inlining saved. Nodes are allocated and freed in the same order as a plain recursion.
template <Life L, class H>
VMB_INLINE Node* build_leaf(Driver<H>& d) {
  Node* n = d.template alloc_object<Node, L>();
  n->left = n->right = nullptr;
  return n;
}

template <Life L, class H>
VMB_NOINLINE Node* build(Driver<H>& d, int depth) {
  if (depth == 0) return build_leaf<L>(d);
  Node* n = d.template alloc_object<Node, L>();
  if (depth > 1) {
    n->left = build<L>(d, depth - 1);
    n->right = build<L>(d, depth - 1);
  } else {
    n->left = build_leaf<L>(d);
    n->right = build_leaf<L>(d);
  }
  return n;
}

inline std::uint64_t check(const Node* n) {
  return n->left == nullptr ? 1 : 1 + check(n->left) + check(n->right);
}

// Every node has two children or none: a node whose left child is a leaf has two leaves.
template <Life L, class H>
VMB_NOINLINE void release(Driver<H>& d, Node* n) {
  if (n->left != nullptr) {
    if (n->left->left != nullptr) {
      release<L>(d, n->left);
      release<L>(d, n->right);
    } else {
      d.template free<L>(n->left, sizeof(Node));
      d.template free<L>(n->right, sizeof(Node));
    }
  }
  d.template free<L>(n, sizeof(Node));
}

// Drop a batch of trees: walk and free on heaps that can, otherwise account the deaths and let
// phase_end (the arena pop) reclaim them at once.
template <class H>
VMB_INLINE void release_batch(Driver<H>& d, std::vector<Node*>& trees, int depth) {
  if constexpr (Driver<H>::kIndividualFree) {
    for (Node* t : trees) release<Life::phase>(d, t);
  } else {
    d.dead_without_free(trees.size() * nodes_in(depth), trees.size() * nodes_in(depth) * sizeof(Node));
  }
  d.phase_end();
}

using AgedObjects = std::vector<std::pair<void*, std::size_t>>;

// Ageing (not measured, and out of line for every heap, as everything else is the same for every heap):
// `count` objects of random sizes, each written, a random half of them freed
// again. The survivors (the others are null) die last, in free_aged.
template <class H>
VMB_NOINLINE AgedObjects age_heap(Driver<H>& d, Rng& rng, std::uint64_t count) {
  AgedObjects aged(count);
  for (auto& [p, n] : aged) {
    n = rng.between(kAgeMinBytes, kAgeMaxBytes);
    p = d.alloc(n);
    std::memset(p, static_cast<int>(n), n);
  }
  for (auto& [p, n] : aged)
    if (rng.below(2) == 0) {
      d.free(p, n);
      p = nullptr;
    }
  return aged;
}

template <class H>
VMB_INLINE void free_aged(Driver<H>& d, const AgedObjects& aged) {
  for (const auto& [p, n] : aged)
    if (p != nullptr) d.free(p, n);
}

// `iterations` trees of `depth`, built, checked and released in batches of about kBatchNodes nodes.
template <class H>
VMB_INLINE void run_depth(Driver<H>& d, std::vector<Node*>& batch, int depth, std::uint64_t iterations, std::uint64_t& checksum) {
  const std::uint64_t per_batch = std::max<std::uint64_t>(1, kBatchNodes / nodes_in(depth));
  for (std::uint64_t done = 0; done < iterations;) {
    const std::uint64_t n = std::min(per_batch, iterations - done);
    d.phase_begin();
    d.timed("build", [&]() VMB_INLINE_LAMBDA {
      batch.clear();
      for (std::uint64_t i = 0; i < n; ++i) batch.push_back(build<Life::phase>(d, depth));
    });
    d.timed("check", [&]() VMB_INLINE_LAMBDA {
      for (Node* t : batch) checksum += check(t);
    });
    d.timed("release", [&]() VMB_INLINE_LAMBDA { release_batch(d, batch, depth); });
    done += n;
  }
}

template <class H>
WorkloadStats run(Driver<H>& d, const std::function<void()>& begin_measured) {
  const int max_depth = static_cast<int>(d.params().count("depth"));
  const std::uint64_t age_objects = d.params().count("age_objects");
  Rng rng(d.seed());
  const AgedObjects aged = age_heap(d, rng, age_objects);
  std::vector<Node*> batch;
  batch.reserve(kBatchNodes / nodes_in(kMinDepth) + 1);

  begin_measured();
  std::uint64_t checksum = 0;
  // Stretch tree: one tree one level deeper than the rest, built and dropped.
  d.phase_begin();
  d.timed("build", [&]() VMB_INLINE_LAMBDA { batch.assign(1, build<Life::phase>(d, max_depth + 1)); });
  d.timed("check", [&]() VMB_INLINE_LAMBDA { checksum += check(batch[0]); });
  d.timed("release", [&]() VMB_INLINE_LAMBDA { release_batch(d, batch, max_depth + 1); });

  Node* long_lived = nullptr;
  d.timed("build", [&]() VMB_INLINE_LAMBDA { long_lived = build<Life::persistent>(d, max_depth); });
  for (int depth = kMinDepth; depth <= max_depth; depth += 2)
    run_depth(d, batch, depth, std::uint64_t{1} << (max_depth - depth + kMinDepth), checksum);
  d.checkpoint("trees done");
  d.timed("check", [&]() VMB_INLINE_LAMBDA { checksum += check(long_lived); });
  d.timed("release", [&]() VMB_INLINE_LAMBDA {
    if constexpr (Driver<H>::kIndividualFree) {
      release<Life::persistent>(d, long_lived);
    } else {
      d.dead_without_free(nodes_in(max_depth), nodes_in(max_depth) * sizeof(Node));
    }
  });
  free_aged(d, aged);  // outside the tree phases
  return d.finish(checksum);
}

}  // namespace vmbench::tree
