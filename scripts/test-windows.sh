#!/usr/bin/env bash
# Cross-build the allocator library and its tests for Windows (preset `mingw`, build/mingw) and run
# the tests under wine, headless, in a wine prefix of its own inside the build tree.
# Safe to run again: the build is incremental and the prefix is made once. Exits non-zero if the
# build or any test fails. Arguments go to the test executable (e.g. --gtest_filter=OsWindows.*).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=build/mingw
tests_exe=$build_dir/tests/vmb_lib_tests.exe

missing() {
  echo "test-windows: missing $1: install it with 'apt-get install $2'" >&2
  exit 2
}
command -v cmake >/dev/null || missing cmake cmake
command -v ninja >/dev/null || missing ninja ninja-build
command -v x86_64-w64-mingw32-g++-posix >/dev/null ||
  missing x86_64-w64-mingw32-g++-posix "g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix"
# Debian puts the 64-bit loader outside PATH; `wine` is its wrapper script.
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
[[ -x $wine ]] || wine=$(command -v wine) || missing wine64 wine64
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
[[ -x $wineserver ]] || missing wineserver wine64

cmake --preset mingw
cmake --build --preset mingw

# A prefix of our own: nothing depends on (or changes) ~/.wine. No display: wine draws nothing here,
# and without one it cannot open the dialogs that would offer to download Mono or Gecko.
export WINEPREFIX=$root/$build_dir/wine-prefix
export WINEARCH=win64
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
# However the script ends, stop this prefix's wineserver rather than leave it running.
trap '"$wineserver" -k >/dev/null 2>&1 || true' EXIT

# Creating a prefix takes seconds (wine copies its DLLs into it) and happens once; the stamp is
# written only after wineboot finished, so an interrupted first run starts over cleanly. No
# `wineserver -w` here: it would idle until the server's linger time ends (about 5 s); the server
# writes the registry out when the trap stops it.
stamp=$WINEPREFIX/.vmb-ready
if [[ ! -f $stamp ]]; then
  rm -rf "$WINEPREFIX"
  echo "test-windows: creating wine prefix $WINEPREFIX (first run only)"
  start_s=$SECONDS
  if ! "$wine" wineboot --init </dev/null >"$build_dir/wineboot.log" 2>&1; then
    echo "test-windows: wineboot failed; see $build_dir/wineboot.log" >&2
    exit 1
  fi
  touch "$stamp"
  echo "test-windows: wine prefix ready in $((SECONDS - start_s)) s"
fi

# --gtest_brief=1 prints the failures and the summary only; the exit status is the test run's.
echo "test-windows: running $tests_exe under wine"
"$wine" "$tests_exe" --gtest_brief=1 "$@" </dev/null
