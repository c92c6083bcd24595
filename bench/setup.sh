#!/usr/bin/env bash
# Prepares everything the benchmark scripts need, idempotently:
#  - Debian packages wrk, nghttp2-client (h2load), nginx, openssl: installed only when missing;
#  - a throwaway CA and an origin certificate (DNS origin.bench.test + IP 127.0.0.1, ::1) under
#    $BENCH_STATE/certs (default bench/.state, gitignored). Nothing here leaves loopback.
# Usage: bash bench/setup.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # The nginx package starts a system service on :80; the benches run their own instances.
    service nginx stop >/dev/null 2>&1 || true
  else
    die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run this script as root"
  fi
fi

certs="$BENCH_STATE/certs"
if [ ! -s "$certs/origin.pem" ] || [ ! -s "$certs/ca.pem" ]; then
  log "minting a throwaway CA and origin certificate in $certs"
  mkdir -p "$certs"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=FederationEgress bench CA" -keyout "$certs/ca.key" -out "$certs/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$ORIGIN_NAME" \
    -keyout "$certs/origin.key" -out "$certs/origin.csr" 2>/dev/null
  cat > "$certs/origin.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:$ORIGIN_NAME,DNS:*.bench.test,IP:127.0.0.1,IP:::1
EXT
  openssl x509 -req -in "$certs/origin.csr" -CA "$certs/ca.pem" -CAkey "$certs/ca.key" -CAcreateserial \
    -days 30 -extfile "$certs/origin.ext" -out "$certs/origin.pem" 2>/dev/null
  chmod 644 "$certs"/*.pem "$certs"/*.key
fi
log "ready: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $(nginx_bin -v 2>&1), certs in $certs"
