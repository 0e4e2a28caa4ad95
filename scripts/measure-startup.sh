#!/usr/bin/env bash
# Measures start-up to ready: from launching `campaign serve` to the first 200 of /readyz,
# with boundaries already imported (the embedded ones, or CAMPAIGN_BENCH_BOUNDARIES). Usage:
#   scripts/measure-startup.sh [DATABASE_URL]     (default: a fresh SQLite file)
# Builds the release binary first. Prints the time of each of 5 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
boundaries="${CAMPAIGN_BENCH_BOUNDARIES:-}"
cargo build --release --quiet -p campaign-api
bin=target/release/campaign
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DATABASE_URL="${1:-sqlite://$work/startup.db?mode=rwc}"
if [[ -n "$boundaries" ]]; then
  "$bin" import-boundaries "$boundaries" >/dev/null 2>&1
else
  "$bin" migrate >/dev/null 2>&1
fi
port=18181
# Run 0 imports the embedded boundaries when none were imported; runs 1-5 start as usual.
for run in 0 1 2 3 4 5; do
  start=$(date +%s%N)
  "$bin" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do :; done
  end=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo "run $run: ready after $(( (end - start) / 1000000 )) ms"
done
