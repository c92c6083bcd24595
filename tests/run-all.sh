#!/usr/bin/env bash
# Runs every test suite (unit, integration, interop, deployment checks) and prints the totals.
# Installs what the interop suite needs (dnsmasq, unbound, nginx) when missing and we are root.
# Usage: bash tests/run-all.sh [extra dotnet test args]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for bin in dnsmasq unbound nginx; do
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || need+=("$bin")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing interop test dependencies: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # The packages start system services; the tests run their own instances on loopback ports.
    for svc in "${need[@]}"; do service "$svc" stop >/dev/null 2>&1 || true; done
  else
    echo "!! missing ${need[*]} and cannot install them (not root or no apt-get); interop tests will fail" >&2
  fi
fi

# The chart render tests use a small Go program (Go's text/template, as Helm does) and validate
# rendered manifests with npm packages (ajv, kubernetes-models).
if ! command -v go >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing golang-go (chart render tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends golang-go >/dev/null
fi
(cd tests/FederationEgress.Deployment.Tests && npm ci --no-audit --no-fund --loglevel=error)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test FederationEgress.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# Sum the per-assembly summary lines ("Passed!  - Failed: 0, Passed: 39, Skipped: 0, Total: 39").
awk '
  /(Passed|Failed)!  *- *Failed: / {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1))
      if ($i == "Failed:")  f += $(i+1)
      if ($i == "Passed:")  p += $(i+1)
      if ($i == "Skipped:") s += $(i+1)
    }
    n++
  }
  END { printf "\nTotals over %d test assemblies:\n%d passed, %d failed, %d skipped\n", n, p, f, s }
' "$log"
exit "$rc"
