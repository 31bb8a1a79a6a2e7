#!/usr/bin/env bash
# Records the committed traces again (docs/trace-format.md; replayed by `vmbench run -w replay`):
#   workloads/traces/record.sh                 with build/release/tool/vmbench
#   VMBENCH=path/to/vmbench workloads/traces/record.sh
# Each trace's header holds the command that recorded it; the commands are also these:
#   python.trace  PYTHONMALLOC=malloc vmbench record -o python.trace -- python3 python-script.py
#   sqlite.trace  vmbench record -o sqlite.trace -- sqlite3 :memory: '.read sqlite-script.sql'
#   gcc.trace     vmbench record -o gcc.trace -- g++ -O1 -c gcc-input.cpp -o /dev/null
#   threads.trace vmbench record -o threads.trace -- ./threads-input   (g++ -O1 -pthread threads-input.cpp:
#                 five threads, half of the objects freed by another thread than their own)
# The programs are Debian 12's (python3 3.11, sqlite3 3.40, g++ 12): a trace recorded with other
# versions differs in its counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vmbench=$(realpath "${VMBENCH:-$here/../../build/release/tool/vmbench}")
cd "$here"
PYTHONMALLOC=malloc "$vmbench" record -o python.trace -- /usr/bin/python3 python-script.py >/dev/null
"$vmbench" record -o sqlite.trace -- /usr/bin/sqlite3 :memory: '.read sqlite-script.sql' >/dev/null
# g++ runs cc1plus and as: three process images, one stream each; a replay takes cc1plus's, the largest.
"$vmbench" record -o gcc.trace -- /usr/bin/g++ -O1 -c gcc-input.cpp -o /dev/null
# threads-input's calls interleave differently on every run: its counts stay, the recorded order does not.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
/usr/bin/g++ -O1 -pthread -o "$scratch/threads-input" threads-input.cpp
"$vmbench" record -o threads.trace -- "$scratch/threads-input" >/dev/null
ls -l python.trace sqlite.trace gcc.trace threads.trace
