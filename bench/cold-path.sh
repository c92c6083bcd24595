#!/usr/bin/env bash
# Cold path (issue 7, part 2): resolutions/s and latency for N never-seen server names through the
# real resolver (bench/FederationEgress.BenchTool cold-path), a third each delegated by well-known
# (nginx on $WELLKNOWN_IP:443), by SRV, and falling back to port 8448, against a synthetic DNS
# zone; then the single-flight check (R concurrent requests for one unseen name -> 1 well-known
# fetch, <= 1 DNS query per name and type, counted by the ScriptedDnsServer fixture).
#
# Usage: bash bench/cold-path.sh
# Env:   NAMES=10000  WARM_NAMES=6000  CONCURRENCY=64  SF_REQUESTS=1000  SMOKE=1 (300 names, 300 warm, 100 requests)
#        SKIP_BUILD=1  WELLKNOWN_IP=127.0.77.1
# Output: summary on stdout; bench/results/<UTC timestamp>/{cold-path.txt,cold-path.csv,single-flight.csv}
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
if [ "${SMOKE:-0}" = 1 ]; then : "${NAMES:=300}" "${SF_REQUESTS:=100}" "${WARM_NAMES:=300}"; fi
# WARM_NAMES: resolved before the measured set. Tiered JIT keeps recompiling the TLS/HTTP/DNS path
# for the first few thousand names (26 % fewer names/s after 300 warm names than after 6,000 here);
# a long-running proxy is past that.
: "${NAMES:=10000}" "${CONCURRENCY:=64}" "${SF_REQUESTS:=1000}" "${WARM_NAMES:=6000}"

bash "$here/setup.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${RESULTS_DIR:-$here/results/$stamp}"
mkdir -p "$out"
trap stop_all EXIT
stop_all
build_benchtool
start_wellknown

rc=0
{
  echo "# machine: $(machine_line)"
  dotnet "$BENCHTOOL" single-flight --requests "$SF_REQUESTS" --web-ip 127.0.79.1 || rc=1
  dotnet "$BENCHTOOL" cold-path --names "$NAMES" --warm-names "$WARM_NAMES" --concurrency "$CONCURRENCY" --web-ip "$WELLKNOWN_IP" \
    --ca-file "$BENCH_STATE/certs/ca.pem" || rc=1
} 2>&1 | tee "$out/cold-path.txt"
grep 'RESULT names=' "$out/cold-path.txt" | results_to_csv > "$out/cold-path.csv" || true
grep 'RESULT requests=' "$out/cold-path.txt" | results_to_csv > "$out/single-flight.csv" || true
grep -q 'pass=yes' "$out/cold-path.txt" || rc=1
grep -q 'failures=0 wrong_step=0' "$out/cold-path.txt" || rc=1
log "results in $out"
exit $rc
