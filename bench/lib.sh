# Shared helpers for the bench scripts (sourced, not run). Everything binds to 127.0.0.1.
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
: "${BENCH_STATE:=$BENCH_DIR/.state}"
: "${ORIGIN_NAME:=origin.bench.test}"
: "${ORIGIN_PORT:=18443}"      # TLS origin (nginx)
: "${NGINX_PORT:=18080}"       # nginx baseline proxy, plain HTTP like ours
: "${EGRESS_PORT:=18009}"      # FederationEgress listener
: "${EGRESS_MGMT_PORT:=18010}" # FederationEgress management (/healthz)
: "${ORIGIN_HTTP2:=0}"         # 1: origin also offers h2 via ALPN (Synapse itself is HTTP/1.1 only)
: "${WELLKNOWN_IP:=127.0.77.1}" # cold path: HTTPS :443 serving /.well-known/matrix/server for *.bench.test
: "${NGINX_WORKERS:=auto}"     # baseline proxy workers; auto = one per core, what a user would deploy
# Baseline access log: on (buffered like FederationEgress's console log, which is on by default),
# or "off". nginx logs every request by default; with it off the baseline would do less work.
: "${NGINX_ACCESS_LOG:=on}"
export BENCH_STATE ORIGIN_NAME ORIGIN_PORT NGINX_PORT EGRESS_PORT EGRESS_MGMT_PORT

log() { printf '== %s\n' "$*" >&2; }
die() { printf '!! %s\n' "$*" >&2; exit 1; }
nginx_path() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }
nginx_bin() { "$(nginx_path)" "$@"; }

# Waits (bounded) until a TCP port (on 127.0.0.1 unless given) accepts connections.
wait_port() {
  local port=$1 tries=${2:-200} ip=${3:-127.0.0.1}
  for _ in $(seq "$tries"); do
    (exec 3<>"/dev/tcp/$ip/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# Renders an nginx config template (@VAR@ placeholders) into $BENCH_STATE/<name>/nginx.conf and
# starts nginx in the foreground of a background job; the pid goes to $BENCH_STATE/<name>/pid.
start_nginx() {
  local name=$1 template=$2 port=$3 ip=${4:-127.0.0.1}
  local dir="$BENCH_STATE/$name"
  mkdir -p "$dir/logs" "$dir/tmp"
  chmod -R a+rwx "$dir" # workers run as an unprivileged user and need the temp dirs
  local h2=""
  [ "$ORIGIN_HTTP2" = 1 ] && h2=" http2"
  sed -e "s#@STATE@#$dir#g" -e "s#@CERTS@#$BENCH_STATE/certs#g" -e "s#@ORIGIN_PORT@#$ORIGIN_PORT#g" \
      -e "s#@NGINX_PORT@#$NGINX_PORT#g" -e "s#@ORIGIN_NAME@#$ORIGIN_NAME#g" -e "s#@HTTP2@#$h2#g" \
      -e "s#@WORKERS@#$NGINX_WORKERS#g" -e "s#@ACCESS_LOG@#$(baseline_access_log "$dir")#g" -e "s#@WELLKNOWN_IP@#$WELLKNOWN_IP#g" "$template" > "$dir/nginx.conf"
  nginx_bin -t -q -p "$dir" -c "$dir/nginx.conf" -g "pid $dir/nginx.pid;" || die "bad nginx config for $name"
  # Run the binary itself in the background (not a shell function) so $! is the nginx master.
  "$(nginx_path)" -p "$dir" -c "$dir/nginx.conf" -g "daemon off; pid $dir/nginx.pid;" >"$dir/logs/stdout" 2>&1 &
  echo $! > "$dir/pid"
  wait_port "$port" 200 "$ip" || die "$name did not start on $ip:$port (see $dir/logs)"
}

stop_pidfile() {
  local file=$1
  [ -s "$file" ] || return 0
  local pid; pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

baseline_access_log() {
  if [ "$NGINX_ACCESS_LOG" = off ]; then echo off; else echo "$1/logs/access.log combined buffer=64k flush=50ms"; fi
}

start_origin() { start_nginx origin "$BENCH_DIR/nginx/origin.conf" "$ORIGIN_PORT"; }
start_wellknown() { start_nginx wellknown "$BENCH_DIR/nginx/wellknown.conf" 443 "$WELLKNOWN_IP"; }
start_baseline() { start_nginx baseline "$BENCH_DIR/nginx/baseline.conf" "$NGINX_PORT"; }

# Publishes (once per invocation, Release) and starts FederationEgress from the publish output.
# Destination: the origin as an IP-literal server name (127.0.0.1:<port>), so the warm path is
# the cached/parsed name plus a pooled TLS connection; extra env (EGRESS_ENV) may override config.
EGRESS_PUBLISH_DIR="$BENCH_STATE/publish"
publish_egress() {
  [ "${SKIP_PUBLISH:-0}" = 1 ] && [ -x "$EGRESS_PUBLISH_DIR/FederationEgress" ] && return 0
  log "publishing FederationEgress (Release) to $EGRESS_PUBLISH_DIR"
  dotnet publish "$REPO_DIR/src/FederationEgress/FederationEgress.csproj" -c Release -o "$EGRESS_PUBLISH_DIR" \
    --nologo -v q >"$BENCH_STATE/publish.log" 2>&1 || { tail -30 "$BENCH_STATE/publish.log" >&2; die "publish failed"; }
}

start_egress() {
  local dir="$BENCH_STATE/egress"
  mkdir -p "$dir"
  # Shipped defaults except what a loopback bench needs. EGRESS_ENV adds "KEY=VALUE" words;
  # keys may contain dots (Logging__LogLevel__FederationEgress.AccessLog=None), hence env(1).
  local -a vars=(
    Listen__Address=127.0.0.1 "Listen__Port=$EGRESS_PORT"
    Management__Address=127.0.0.1 "Management__Port=$EGRESS_MGMT_PORT"
    IpPolicy__AllowRanges__0=127.0.0.0/8 IpPolicy__AllowRanges__1=::1/128
    "Tls__ExtraCaFiles__0=$BENCH_STATE/certs/ca.pem"
    "DOTNET_gcServer=${EGRESS_GC_SERVER:-0}"
    # As the image and chart ship it (Dockerfile, charts/.../values.yaml mallocArenaMax).
    "MALLOC_ARENA_MAX=${EGRESS_MALLOC_ARENA_MAX:-2}"
  )
  # shellcheck disable=SC2206
  if [ -n "${EGRESS_ENV:-}" ]; then vars+=(${EGRESS_ENV}); fi
  (cd "$EGRESS_PUBLISH_DIR" && exec env "${vars[@]}" ./FederationEgress >"$dir/stdout" 2>&1) &
  echo $! > "$dir/pid"
  if ! wait_port "$EGRESS_PORT" 400; then
    tail -20 "$dir/stdout" >&2
    log "FederationEgress did not start listening on $EGRESS_PORT"
    stop_pidfile "$dir/pid"
    return 1
  fi
}

stop_all() {
  stop_pidfile "$BENCH_STATE/egress/pid"
  local n
  for n in wellknown baseline origin; do
    stop_pidfile "$BENCH_STATE/$n/pid"
    stop_pidfile "$BENCH_STATE/$n/nginx.pid"
  done
}

# Builds the BenchTool (Release) once per invocation into $BENCH_STATE/benchtool.
BENCHTOOL="$BENCH_STATE/benchtool/FederationEgress.BenchTool.dll"
build_benchtool() {
  [ "${SKIP_BUILD:-0}" = 1 ] && [ -s "$BENCHTOOL" ] && return 0
  log "building FederationEgress.BenchTool (Release)"
  dotnet build "$BENCH_DIR/FederationEgress.BenchTool/FederationEgress.BenchTool.csproj" -c Release \
    -o "$BENCH_STATE/benchtool" --nologo -v q >"$BENCH_STATE/benchtool-build.log" 2>&1 \
    || { tail -30 "$BENCH_STATE/benchtool-build.log" >&2; die "BenchTool build failed"; }
}

# "RESULT k=v k=v" lines -> CSV with a header from the first line's keys.
results_to_csv() {
  grep '^RESULT ' | sed 's/^RESULT //' | awk '
    { n = split($0, kv, " "); line = ""; head = "";
      for (i = 1; i <= n; i++) { split(kv[i], p, "="); head = head (i > 1 ? "," : "") p[1]; line = line (i > 1 ? "," : "") p[2] }
      if (NR == 1) print head; print line }'
}

machine_line() {
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg), .NET $(dotnet --version 2>/dev/null)"
}
