#!/usr/bin/env bash
# Memory and scale (issue 7, part 3):
#  1. cache-memory: managed heap and RSS after caching DESTINATIONS (default 100,000) server names
#     in the real resolver, relative to the warmed-up idle process (BenchTool, in-process);
#  2. stream: a SIZE_MIB (default 1024) response and request body through the published proxy to
#     a TLS far end that hashes them (SHA-256), sampling the proxy's RSS every 50 ms.
# Target: +64 MiB at most in both. The 1 GiB request needs Limits:MaxRequestBodySize raised above
# its 100 MiB default, which this script sets for the proxy it starts (an operator setting).
#
# Usage: bash bench/memory.sh
# Env:   DESTINATIONS=100000  SIZE_MIB=1024  SMOKE=1 (10,000 destinations, 64 MiB)  SKIP_BUILD=1 SKIP_PUBLISH=1
# Output: bench/results/<UTC timestamp>/{memory.txt,cache-memory.csv,stream.csv}
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
if [ "${SMOKE:-0}" = 1 ]; then : "${DESTINATIONS:=10000}" "${SIZE_MIB:=64}"; fi
: "${DESTINATIONS:=100000}" "${SIZE_MIB:=1024}"

bash "$here/setup.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${RESULTS_DIR:-$here/results/$stamp}"
mkdir -p "$out"
trap stop_all EXIT
stop_all
build_benchtool
publish_egress
EGRESS_ENV="${EGRESS_ENV:-} Limits__MaxRequestBodySize=$(( (SIZE_MIB + 1) * 1048576 ))" start_egress || die "FederationEgress did not start"
pid=$(cat "$BENCH_STATE/egress/pid")

rc=0
{
  echo "# machine: $(machine_line)"
  dotnet "$BENCHTOOL" cache-memory --destinations "$DESTINATIONS" || rc=1
  dotnet "$BENCHTOOL" stream --proxy "http://127.0.0.1:$EGRESS_PORT" --pid "$pid" --size-mib "$SIZE_MIB" \
    --cert "$BENCH_STATE/certs/origin.pem" --key "$BENCH_STATE/certs/origin.key" || rc=1
} 2>&1 | tee "$out/memory.txt"
grep 'RESULT destinations=' "$out/memory.txt" | results_to_csv > "$out/cache-memory.csv" || true
grep 'RESULT direction=' "$out/memory.txt" | results_to_csv > "$out/stream.csv" || true
[ "$(grep -c 'sha256_match=yes' "$out/memory.txt")" = 2 ] || rc=1
log "results in $out"
exit $rc
