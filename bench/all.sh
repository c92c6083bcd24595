#!/usr/bin/env bash
# Every benchmark in sequence into one results folder (one sub-folder each):
# warm path, cost per request, cold path + single-flight, memory, micro-benchmarks, soak.
# Takes ~25 minutes with the defaults (the soak alone is SOAK_SECONDS=600).
# Usage: bash bench/all.sh   (environment knobs of the individual scripts apply)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${RESULTS_DIR:-$here/results/$stamp}"
rc=0
RESULTS_DIR="$out/warm-path" bash "$here/warm-path.sh" || rc=1
RESULTS_DIR="$out/cost" SKIP_PUBLISH=1 bash "$here/cost.sh" || rc=1
RESULTS_DIR="$out/cold-path" bash "$here/cold-path.sh" || rc=1
RESULTS_DIR="$out/memory" SKIP_PUBLISH=1 SKIP_BUILD=1 bash "$here/memory.sh" || rc=1
RESULTS_DIR="$out" bash "$here/micro.sh" || rc=1
RESULTS_DIR="$out/soak" SKIP_PUBLISH=1 SKIP_BUILD=1 bash "$here/soak.sh" || rc=1
log "all results in $out (exit $rc: 1 when a check or target verdict failed)"
exit $rc
