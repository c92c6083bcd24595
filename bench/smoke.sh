#!/usr/bin/env bash
# CI smoke for the benchmarks (< 3 minutes): builds the benchmark projects, runs the
# micro-benchmarks once each (--job dry), a 1-second-per-cell warm-path pass through
# FederationEgress, nginx and direct, and a 300-name cold path with the single-flight check.
# Checks that everything still builds and runs and that the checks hold (zero errors,
# single-flight); it asserts no timing. Exits non-zero on any failure.
# Usage: bash bench/smoke.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
started=$(date +%s)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

log "smoke: build"
dotnet build "$here/FederationEgress.Benchmarks/FederationEgress.Benchmarks.csproj" -c Release --nologo -v q >"$scratch/build.log" 2>&1 \
  || { tail -30 "$scratch/build.log"; die "benchmark build failed"; }

log "smoke: micro-benchmarks (--job dry)"
(cd "$scratch" && dotnet run -c Release --no-build --project "$here/FederationEgress.Benchmarks/FederationEgress.Benchmarks.csproj" \
  -- --filter '*' --job dry >"$scratch/micro.log" 2>&1) || { tail -40 "$scratch/micro.log"; die "micro-benchmarks failed"; }
grep -E '^\| ' "$scratch/micro.log" | grep -v -- '---' | head -40

log "smoke: warm path (SMOKE=1)"
RESULTS_DIR="$scratch/warm" SMOKE=1 REQUIRE_EGRESS=1 bash "$here/warm-path.sh" >"$scratch/warm.log" 2>&1 \
  || { tail -40 "$scratch/warm.log"; die "warm-path smoke failed"; }
grep -E '^\| (GET|PUT)' "$scratch/warm/summary.md"
# Errors through any target fail the smoke; throughput ratios are reported, not asserted.
awk -F, 'NR > 1 && $11 != 0 { bad = 1; print "errors in " $0 } END { exit bad }' "$scratch/warm/runs.csv" \
  || die "warm-path smoke saw errors"

if [ "$(id -u)" = 0 ]; then
  log "smoke: cold path (SMOKE=1)"
  RESULTS_DIR="$scratch/cold" SMOKE=1 bash "$here/cold-path.sh" >"$scratch/cold.log" 2>&1 \
    || { tail -40 "$scratch/cold.log"; die "cold-path smoke failed"; }
  grep -E '^(RESULT|single-flight|cold path)' "$scratch/cold.log"
else
  log "smoke: cold path skipped (its well-known servers listen on port 443 of 127.0.77.1/127.0.79.1: needs root)"
fi
log "smoke passed in $(( $(date +%s) - started )) s"
