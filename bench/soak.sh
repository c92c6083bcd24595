#!/usr/bin/env bash
# Soak (issue 6): sustained load through FederationEgress for SOAK_SECONDS (default 600) against
# local TLS destinations: healthy (GET version, PUT 16 KiB), slow (~1 s answers), failing (the
# origin answers 500) and unreachable (connection refused -> the proxy's 5xx). Every WINDOW
# seconds: the proxy's RSS, open descriptors and threads (/proc), its GC heap (EventPipe
# counters via BenchTool, when it builds) and each class's throughput and p99 go into a CSV row.
# Verdict: memory and handles flat after warm-up (within 10 %), zero unexpected answers/errors.
#
# Usage: bash bench/soak.sh
# Env:   SOAK_SECONDS=600  WINDOW=10  WARMUP_WINDOWS=6  SKIP_PUBLISH=1  EGRESS_ENV="K=V ..."
# Output: bench/results/<UTC timestamp>/{soak.csv,soak.md}
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
: "${SOAK_SECONDS:=600}" "${WINDOW:=10}" "${WARMUP_WINDOWS:=6}"
[[ "$SOAK_SECONDS" =~ ^[0-9]+$ && "$WINDOW" =~ ^[0-9]+$ && "$WINDOW" -ge 1 ]] || die "SOAK_SECONDS and WINDOW must be whole seconds"
windows=$(( SOAK_SECONDS / WINDOW ))
[ "$windows" -ge $(( WARMUP_WINDOWS + 2 )) ] || die "SOAK_SECONDS must cover at least $(( WARMUP_WINDOWS + 2 )) windows of $WINDOW s"

bash "$here/setup.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${RESULTS_DIR:-$here/results/$stamp}"
mkdir -p "$out"
counters_pid=""
cleanup() { [ -n "$counters_pid" ] && kill "$counters_pid" 2>/dev/null; stop_all; }
trap cleanup EXIT
stop_all
start_origin
publish_egress
start_egress || die "FederationEgress did not start"
pid=$(cat "$BENCH_STATE/egress/pid")

# GC heap: an EventPipe session on the proxy's System.Runtime counters (BenchTool counters).
if build_benchtool 2>/dev/null; then
  dotnet "$BENCHTOOL" counters --pid "$pid" --interval "$WINDOW" --out "$out/counters.csv" >"$BENCH_STATE/counters.log" 2>&1 &
  counters_pid=$!
fi

cat "$here/wrk/expect.lua" "$here/wrk/report.lua" > "$BENCH_STATE/soak-get.lua"
cat "$here/wrk/put.lua" "$here/wrk/expect.lua" "$here/wrk/report.lua" > "$BENCH_STATE/soak-put.lua"
proxy="http://127.0.0.1:$EGRESS_PORT"
healthy="$proxy/127.0.0.1:$ORIGIN_PORT"
refused_port=${REFUSED_PORT:-18999}
# name|connections|expect|script|url
classes=(
  "get|8|2xx|get|$healthy/_matrix/federation/v1/version"
  "put|8|2xx|put|$healthy/_matrix/federation/v1/send/"
  "slow|4|2xx|get|$healthy/_matrix/federation/v1/query/bench-slow"
  "error|2|5xx|get|$healthy/_matrix/federation/v1/query/bench-error"
  "refused|2|5xx|get|$proxy/127.0.0.1:$refused_port/_matrix/federation/v1/version"
)

csv="$out/soak.csv"
header="window,elapsed_s,rss_mib,fds,threads"
for c in "${classes[@]}"; do n=${c%%|*}; header="$header,${n}_rps,${n}_p99_ms"; done
echo "$header,unexpected,socket_errors,unexpected_codes" > "$csv"
log "soak: $windows windows of ${WINDOW}s against pid $pid"
started=$(date +%s)
for w in $(seq "$windows"); do
  declare -A files=()
  wrk_pids=()
  for c in "${classes[@]}"; do
    IFS='|' read -r name conns expect script url <<<"$c"
    files[$name]="$BENCH_STATE/soak-$name.out"
    EXPECT=$expect PUT_BASE="/127.0.0.1:$ORIGIN_PORT/_matrix/federation/v1/send/soak$w-" \
      wrk -t1 -c"$conns" -d"${WINDOW}s" --timeout 5s -s "$BENCH_STATE/soak-$script.lua" "$url" >"${files[$name]}" 2>&1 &
    wrk_pids+=($!)
  done
  wait "${wrk_pids[@]}" || true
  rss=$(awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  threads=$(awk '/Threads/{print $2}' "/proc/$pid/status")
  row="$w,$(( $(date +%s) - started )),$rss,$fds,$threads"
  unexpected=0; sockerr=0; codes=""
  for c in "${classes[@]}"; do
    name=${c%%|*}
    line=$(grep '^WRKRESULT' "${files[$name]}" || echo "WRKRESULT rps=0 p99_us=0 connect=1 read=0 write=0 timeout=0 unexpected=1")
    get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
    row="$row,$(get rps),$(awk -v u="$(get p99_us)" 'BEGIN{printf "%.2f", u/1000}')"
    unexpected=$(( unexpected + $(get unexpected) ))
    [ "$(get unexpected)" -gt 0 ] && codes="$codes $name:$(get unexpected_codes)"
    sockerr=$(( sockerr + $(get connect) + $(get read) + $(get write) + $(get timeout) ))
  done
  echo "$row,$unexpected,$sockerr,${codes# }" >> "$csv"
  printf '   window %3s: RSS %6s MiB, fds %4s, threads %3s, unexpected %s%s, socket errors %s\n' "$w" "$rss" "$fds" "$threads" "$unexpected" "${codes:+ ($codes )}" "$sockerr" >&2
  kill -0 "$pid" 2>/dev/null || die "FederationEgress exited during the soak"
done

[ -n "$counters_pid" ] && { kill "$counters_pid" 2>/dev/null || true; wait "$counters_pid" 2>/dev/null || true; counters_pid=""; }
echo "# machine: $(machine_line); soak ${SOAK_SECONDS}s, window ${WINDOW}s, warm-up windows $WARMUP_WINDOWS" > "$out/context.txt"
python3 "$here/soak_summary.py" "$csv" "$out" "$WARMUP_WINDOWS"
