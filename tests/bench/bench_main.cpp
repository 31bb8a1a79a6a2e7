// The micro-benchmark's entry point: the benchmarks register themselves (arena_bench.cpp,
// pool_bench.cpp).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
