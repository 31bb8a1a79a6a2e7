#!/usr/bin/env bash
# Rewrite the gate's baseline (results/baseline/ci.json) on this machine, with exactly the run the
# gate makes (scripts/ci-gate.sh). Do it after an intended performance change, and commit the file
# with the change that explains it. Options as ci-gate.sh (--vmbench, --out, --allocators, -- ARGS).
set -euo pipefail
exec "$(dirname "$0")/ci-gate.sh" --refresh "$@"
