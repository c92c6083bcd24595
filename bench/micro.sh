#!/usr/bin/env bash
# Micro-benchmarks (BenchmarkDotNet, in-process, MemoryDiagnoser) of the per-request hot path:
# server-name parsing, resolver cache hits, SRV ordering, DNS encode/decode, request-target
# parsing and header transforms. Extra arguments go to BenchmarkDotNet (default: --job short).
# Usage: bash bench/micro.sh [--filter '*Resolver*'] [--job short|dry|default]
# Output: bench/results/<UTC timestamp>/micro/ (BenchmarkDotNet's Markdown, CSV and HTML reports)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${RESULTS_DIR:-$here/results/$stamp}"
mkdir -p "$out/micro"
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--filter '*' --job short)
echo "# machine: $(machine_line)" > "$out/micro/context.txt"
dotnet run -c Release --project "$here/FederationEgress.Benchmarks/FederationEgress.Benchmarks.csproj" -- \
  "${args[@]}" --artifacts "$out/micro" --exporters github csv 2>&1 | tee "$out/micro/console.log" | grep -E '^\|' || true
grep -q 'Global total time' "$out/micro/console.log" || die "BenchmarkDotNet did not finish (see $out/micro/console.log)"
log "results in $out/micro"
