#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a result:
#   scripts/setup.sh run    install what is missing, build Release, run `vmbench run`
#   scripts/setup.sh test   the same, then every test and the performance-regression gate (and,
#                           with CI=true, the sanitizer builds' tests, a short fuzzing run, and the
#                           Windows cross build's tests too)
# Idempotent: when everything is installed and built it only checks and rebuilds what changed.
set -euo pipefail

mode=${1:-run}
case "$mode" in
  run|test) ;;
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup.sh: unknown mode '$mode' (use: run or test)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."

# Each step says how long the command has run so far: CI's log then shows where its time goes.
step() { echo "setup: $* (at $SECONDS s)"; }

# What the build and the main job need, and what the tests add.
run_packages=(g++ cmake ninja-build pkg-config git libcli11-dev nlohmann-json3-dev libbenchmark-dev libgtest-dev
              googletest libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev python3-matplotlib python3-numpy)
test_packages=(clang libclang-rt-14-dev python3-jsonschema chromium strace valgrind libboost-dev)
ci_packages=(g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix wine64)

wanted=("${run_packages[@]}")
[ "$mode" = test ] && wanted+=("${test_packages[@]}")
[ "$mode" = test ] && [ "${CI:-}" = true ] && wanted+=("${ci_packages[@]}")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc)
step "Release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"

if [ "$mode" = run ]; then
  ./build/release/tool/vmbench run
  exit 0
fi

step "tests (Release)"
ctest --preset release -j "$jobs"
# The performance-regression gate (docs/ci.md): a fresh --scale ci --cost run against
# results/baseline/ci.json; fails on a 1% regression of the measured phase's simulated cost or on a
# changed count (exit 1), silent on noise. About a minute (valgrind, a test package, runs the cost pass).
step "performance-regression gate"
scripts/ci-gate.sh --vmbench build/release/tool/vmbench
if [ "${CI:-}" = true ]; then
  # One clang tree for the sanitized tests and the fuzzing (the fuzz preset: ASan + UBSan, and
  # libFuzzer's coverage, which an ordinary test run does not notice): clang compiles it about twice
  # as fast as GCC would with the same sanitizers, and one build instead of two.
  step "tests under AddressSanitizer + UndefinedBehaviorSanitizer (clang)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  # Every C++ test and the command-line tests run sanitized. The plot, compare, deep-metrics, deep
  # tables, views and teaching-page modules are left to the release run: they drive hundreds of cell
  # processes (traced ones among them: a traced ASan cell runs for minutes) and the Python figures,
  # which under ASan take over ten minutes (teaching alone: 640 s in CI; views 150 s here) and test no
  # C++ code the other tests do not (the tables' code has its GoogleTests, Formats.*).
  ctest --preset fuzz -j "$jobs" -E 'vmbench_test_(plots|compare|deep|deep_tables|teaching|views)$'
  # A short fuzzing run from the committed corpus (docs/reliability.md): arena and pool operations
  # against their models, and any bytes as a results file. Exits 1 with the failing input saved.
  step "fuzzing (libFuzzer, ASan + UBSan), 15 s per target"
  scripts/fuzz.sh --seconds 15
  # The tool's own thread (the child-process reader), everything that starts cells, cells of several
  # threads (--threads: the barriers, per-thread heaps, xfer's queues, larson's hand-overs; the replay
  # of a trace recorded on several threads, whose frees wait for their allocations), in-process
  # and as cells; the library's remote-free pools and scratch arenas, and their many-thread stress
  # tests (tests/lib).
  step "child processes, the command line, cells of several threads and the library's threads under ThreadSanitizer"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target vmbench vmbench_tool_tests vmb_lib_tests
  ctest --preset tsan -j "$jobs" \
    -R '^(ChildProcess\.|ThreadTeam\.|vmbench_test_cli$|vmbench_test_threads$|vmbench_test_programs$|ThreadStress\.|RemoteFreePool\.|RemoteFreeSizeClassPool\.|Scratch\.)'
  if [ -x scripts/test-windows.sh ]; then
    step "Windows build (mingw-w64) tests under wine"
    scripts/test-windows.sh
  fi
fi
step "done"
