#!/usr/bin/env bash
# Measures start-up to ready: from launching `campaign serve` to the first 200 of /readyz,
# with the reference boundaries already imported. Usage:
#   scripts/measure-startup.sh [DATABASE_URL]     (default: a fresh SQLite file)
# Builds the release binary first. Prints the time of each of 5 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
boundaries="${CAMPAIGN_BENCH_BOUNDARIES:-../shared/data/municipalities.geojson}"
cargo build --release --quiet -p campaign-api
bin=target/release/campaign
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DATABASE_URL="${1:-sqlite://$work/startup.db?mode=rwc}"
"$bin" import-boundaries "$boundaries" >/dev/null 2>&1
port=18181
for run in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$bin" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do :; done
  end=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo "run $run: ready after $(( (end - start) / 1000000 )) ms"
done
