#!/usr/bin/env bash
# Records the committed traces again (docs/trace-format.md; replayed by `vmbench run -w replay`):
#   workloads/traces/record.sh                 with build/release/tool/vmbench
#   VMBENCH=path/to/vmbench workloads/traces/record.sh
# Each trace's header holds the command that recorded it; the commands are also these:
#   python.trace  PYTHONMALLOC=malloc vmbench record -o python.trace -- python3 python-script.py
#   sqlite.trace  vmbench record -o sqlite.trace -- sqlite3 :memory: '.read sqlite-script.sql'
# The programs are Debian's (python3, sqlite3); their versions are in the traces' program paths only,
# so a trace recorded elsewhere differs in its counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vmbench=$(realpath "${VMBENCH:-$here/../../build/release/tool/vmbench}")
cd "$here"
PYTHONMALLOC=malloc "$vmbench" record -o python.trace -- /usr/bin/python3 python-script.py >/dev/null
"$vmbench" record -o sqlite.trace -- /usr/bin/sqlite3 :memory: '.read sqlite-script.sql' >/dev/null
ls -l python.trace sqlite.trace
