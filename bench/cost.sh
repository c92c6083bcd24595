#!/usr/bin/env bash
# Cost per forwarded request on the warm path, for FederationEgress and the nginx baseline:
#  - CPU time per request: the proxy's user+system CPU (/proc/<pid>/stat, all threads; for nginx
#    master plus workers) over a fixed wrk run, divided by the requests served;
#  - allocated bytes per request (FederationEgress only): the runtime's alloc-rate counter over
#    EventPipe (BenchTool counters) summed over the same run.
# Both are far less sensitive to other load on the machine than requests/s, so they are the
# numbers to compare when changing settings or removing per-request work.
#
# Usage: bash bench/cost.sh
# Env:   DURATION=10s  CONNECTIONS=16  TARGETS="egress nginx"  SKIP_PUBLISH=1  SKIP_BUILD=1
#        EGRESS_ENV="K=V ..." EGRESS_GC_SERVER=1 (experiments)
# Output: stdout and bench/results/<UTC timestamp>/cost.csv
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
: "${DURATION:=10s}" "${CONNECTIONS:=16}" "${TARGETS:=egress nginx}"

bash "$here/setup.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${RESULTS_DIR:-$here/results/$stamp}"
mkdir -p "$out"
counters_pid=""
cleanup() { [ -n "$counters_pid" ] && kill "$counters_pid" 2>/dev/null; stop_all; }
trap cleanup EXIT
stop_all
build_benchtool
start_origin
cat "$here/wrk/report.lua" > "$BENCH_STATE/cost-get.lua"
cat "$here/wrk/put.lua" "$here/wrk/report.lua" > "$BENCH_STATE/cost-put.lua"

# CPU ticks (user + system, all threads) of a process and its children (nginx workers).
cpu_ticks() {
  local root=$1 total=0 p
  for p in $root $(pgrep -P "$root" || true); do
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat") ))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)

echo "target,workload,connections,requests,rps,p99_ms,cpu_s,cpu_us_per_request,allocated_mib,bytes_per_request,context" > "$out/cost.csv"
for t in $TARGETS; do
  case $t in
    egress) publish_egress; start_egress || die "FederationEgress did not start"; pid=$(cat "$BENCH_STATE/egress/pid")
            url="http://127.0.0.1:$EGRESS_PORT/127.0.0.1:$ORIGIN_PORT" ;;
    nginx) start_baseline; pid=$(cat "$BENCH_STATE/baseline/pid"); url="http://127.0.0.1:$NGINX_PORT/127.0.0.1:$ORIGIN_PORT" ;;
    *) die "unknown target $t" ;;
  esac
  for w in get put; do
    path=/_matrix/federation/v1/version
    [ "$w" = put ] && path=/_matrix/federation/v1/send/
    # Warm-up outside the measurement (JIT, connection pools).
    PUT_BASE="/127.0.0.1:$ORIGIN_PORT/_matrix/federation/v1/send/warm" wrk -t1 -c"$CONNECTIONS" -d3s -s "$BENCH_STATE/cost-$w.lua" "$url$path" >/dev/null
    if [ "$t" = egress ]; then
      dotnet "$BENCHTOOL" counters --pid "$pid" --interval 1 --out "$BENCH_STATE/cost-$w.csv" >"$BENCH_STATE/cost-counters.log" 2>&1 &
      counters_pid=$!
      sleep 2
    fi
    before=$(cpu_ticks "$pid")
    line=$(PUT_BASE="/127.0.0.1:$ORIGIN_PORT/_matrix/federation/v1/send/cost" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$BENCH_STATE/cost-$w.lua" "$url$path" | grep '^WRKRESULT')
    after=$(cpu_ticks "$pid")
    val() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
    requests=$(val requests)
    cpu_s=$(awk -v a="$after" -v b="$before" -v hz="$hz" 'BEGIN { printf "%.2f", (a - b) / hz }')
    cpu_us=$(awk -v c="$cpu_s" -v r="$requests" 'BEGIN { printf "%.1f", (r > 0 ? c * 1e6 / r : 0) }')
    mib=n/a; per=n/a
    if [ "$t" = egress ]; then
      sleep 2
      kill "$counters_pid" 2>/dev/null || true; wait "$counters_pid" 2>/dev/null || true; counters_pid=""
      mib=$(awk -F, 'NR > 1 && $8 != "NaN" { s += $8 } END { printf "%.1f", s }' "$BENCH_STATE/cost-$w.csv")
      per=$(awk -v m="$mib" -v r="$requests" 'BEGIN { printf "%.0f", (r > 0 ? m * 1048576 / r : 0) }')
    fi
    p99=$(awk -v u="$(val p99_us)" 'BEGIN { printf "%.2f", u / 1000 }')
    echo "$t,$w,$CONNECTIONS,$requests,$(val rps),$p99,$cpu_s,$cpu_us,$mib,$per,gc_server=${EGRESS_GC_SERVER:-0} ${EGRESS_ENV:-}" >> "$out/cost.csv"
    printf '%-6s %s: %7s req/s, p99 %6s ms, %6s us CPU/request, %s bytes allocated/request\n' "$t" "$w" "$(val rps)" "$p99" "$cpu_us" "$per"
  done
  stop_all; start_origin
done
echo "# machine: $(machine_line)" > "$out/context.txt"
log "results in $out"
