#!/usr/bin/env bash
# Warm-path throughput and latency (issue 7, part 1): the same federation-like requests through
#   (a) egress  FederationEgress, destination 127.0.0.1:<origin port> (IP literal: nothing to discover)
#   (b) nginx   static TLS reverse proxy to the same origin (keepalive, verification on, SNI)
#   (c) direct  client -> origin over TLS
# for GET /_matrix/federation/v1/version and PUT /_matrix/federation/v1/send/{txn} (16 KiB body)
# at 1, 16 and 64 connections. Targets alternate within each cell and rounds repeat the whole
# matrix, so drift (other load on the machine) hits every target alike. Loopback only.
#
# Usage: bash bench/warm-path.sh
# Env:   DURATION=10s  WARMUP=5s  ROUNDS=3  CONNECTIONS="1 16 64"  WORKLOADS="get put"
#        TARGETS="egress nginx direct"  SMOKE=1 (1 s cells, 1 round, for CI)
#        SKIP_PUBLISH=1 (reuse the last publish)  EGRESS_GC_SERVER=1  EGRESS_ENV="K=V ..."
#        REQUIRE_EGRESS=1 (fail instead of skipping (a) when the app cannot forward yet)
# Output: summary table on stdout; bench/results/<UTC timestamp>/{runs.csv,summary.csv,summary.md}
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

if [ "${SMOKE:-0}" = 1 ]; then
  : "${DURATION:=1s}" "${WARMUP:=1s}" "${ROUNDS:=1}"
fi
: "${DURATION:=10s}" "${WARMUP:=5s}" "${ROUNDS:=3}" "${CONNECTIONS:=1 16 64}" "${WORKLOADS:=get put}"
: "${TARGETS:=egress nginx direct}" "${REQUIRE_EGRESS:=0}"
[[ "$ROUNDS" =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || die "ROUNDS must be 1..20"

bash "$here/setup.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${RESULTS_DIR:-$here/results/$stamp}"
mkdir -p "$out" "$BENCH_STATE"
trap stop_all EXIT
stop_all

start_origin
targets=()
for t in $TARGETS; do
  case $t in
    nginx) start_baseline; targets+=(nginx) ;;
    direct) targets+=(direct) ;;
    egress)
      if publish_egress && start_egress; then targets+=(egress); fi ;;
    *) die "unknown target $t" ;;
  esac
done

dest="127.0.0.1:$ORIGIN_PORT"
base_url() {
  case $1 in
    egress) echo "http://127.0.0.1:$EGRESS_PORT/$dest" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT/$dest" ;;
    direct) echo "https://127.0.0.1:$ORIGIN_PORT" ;;
  esac
}

# Every target must answer both requests correctly before anything is measured.
probe_ok() {
  local url; url=$(base_url "$1")
  local get put
  get=$(curl -sk -o "$BENCH_STATE/probe-$1.get" -w '%{http_code}' --max-time 10 "$url/_matrix/federation/v1/version") || get=000
  put=$(curl -sk -o "$BENCH_STATE/probe-$1.put" -w '%{http_code}' --max-time 10 -X PUT \
        -H 'Content-Type: application/json' --data-binary '{"pdus":[]}' "$url/_matrix/federation/v1/send/probe") || put=000
  if [ "$get" = 200 ] && [ "$put" = 200 ]; then return 0; fi
  log "$1: probe failed (GET $get, PUT $put): $(head -c 300 "$BENCH_STATE/probe-$1.get")"
  return 1
}
ok_targets=()
for t in "${targets[@]}"; do
  if probe_ok "$t"; then ok_targets+=("$t")
  elif [ "$t" = egress ] && [ "$REQUIRE_EGRESS" = 0 ]; then log "skipping FederationEgress (not forwarding yet)"
  else die "$t does not answer correctly"; fi
done
[ ${#ok_targets[@]} -gt 0 ] || die "no target answers"

cat "$here/wrk/report.lua" > "$BENCH_STATE/get.lua"
cat "$here/wrk/put.lua" "$here/wrk/report.lua" > "$BENCH_STATE/put.lua"

run_wrk() { # target workload connections duration -> WRKRESULT line
  local t=$1 w=$2 c=$3 d=$4 threads=2
  [ "$c" -lt 2 ] && threads=1
  local url; url=$(base_url "$t")
  local path=/_matrix/federation/v1/version
  [ "$w" = put ] && path=/_matrix/federation/v1/send/
  PUT_BASE=$( [ "$t" = direct ] && echo "" || echo "/$dest")/_matrix/federation/v1/send/ \
    wrk -t"$threads" -c"$c" -d"$d" --timeout 5s -s "$BENCH_STATE/$w.lua" "$url$path" 2>&1 \
    | grep '^WRKRESULT' || echo "WRKRESULT requests=0 duration_us=1 rps=0 p50_us=0 p90_us=0 p99_us=0 max_us=0 connect=1 read=0 write=0 status=0 timeout=0 unexpected=-1"
}

log "warm-up ($WARMUP per target and workload)"
for w in $WORKLOADS; do for t in "${ok_targets[@]}"; do run_wrk "$t" "$w" 16 "$WARMUP" >/dev/null; done; done

load_at_start=$(machine_line)
csv="$out/runs.csv"
echo "round,workload,connections,target,requests,rps,p50_us,p90_us,p99_us,max_us,errors" > "$csv"
for r in $(seq "$ROUNDS"); do
  for w in $WORKLOADS; do
    for c in $CONNECTIONS; do
      # Rotate the order each round so no target always runs first after a change of cell.
      order=("${ok_targets[@]}")
      for _ in $(seq $(( (r - 1) % ${#order[@]} ))); do order=("${order[@]:1}" "${order[0]}"); done
      for t in "${order[@]}"; do
        line=$(run_wrk "$t" "$w" "$c" "$DURATION")
        eval "$(echo "$line" | cut -d' ' -f2- | tr ' ' '\n' | sed 's/^/local_/')"
        # shellcheck disable=SC2154
        errors=$((local_connect + local_read + local_write + local_status + local_timeout))
        # shellcheck disable=SC2154
        echo "$r,$w,$c,$t,$local_requests,$local_rps,$local_p50_us,$local_p90_us,$local_p99_us,$local_max_us,$errors" >> "$csv"
        printf '   round %s %-3s c=%-3s %-6s %9s req/s  p50 %6s us  p99 %6s us  errors %s\n' \
          "$r" "$w" "$c" "$t" "$local_rps" "$local_p50_us" "$local_p99_us" "$errors" >&2
      done
    done
  done
done

{
  echo "# machine at the start: $load_at_start"
  echo "# duration=$DURATION warmup=$WARMUP rounds=$ROUNDS origin_http2=$ORIGIN_HTTP2 nginx_workers=$NGINX_WORKERS egress_gc_server=${EGRESS_GC_SERVER:-0} egress_env=${EGRESS_ENV:-}"
} > "$out/context.txt"
python3 "$here/summarize.py" "$csv" "$out"
log "results in $out"
