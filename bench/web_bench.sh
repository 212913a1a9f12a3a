#!/usr/bin/env bash
# The public site under wrk on loopback (issue #25): ten 20-second runs against search with 32
# connections (no crash, no errors), then the home page, a table page, the table API and
# search again, each beside /healthz measured in the same run; requests/s and p99, and each
# as a ratio to /healthz. Usage: bench/web_bench.sh [BINARY]; needs wrk and curl.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$ROOT/build/release/rapporteur}"
PORT="${PORT:-18474}"
RUNS="${SEARCH_RUNS:-10}"
instance="$(mktemp -d)"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$instance"' EXIT

"$BIN" --log-level warn --db "$instance/r.db" demo >/dev/null 2>&1
"$BIN" --log-level warn --db "$instance/r.db" publish victims-region-form suspects-chain >/dev/null 2>&1
"$BIN" --log-level warn --db "$instance/r.db" serve --port "$PORT" >/dev/null 2>"$instance/serve.log" &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$PORT"

# wrk's summary as "requests/s p99_ms errors" (errors: socket errors plus non-2xx answers).
measure() {
  local seconds="$1"; shift
  wrk -t2 -c32 -d"${seconds}s" --latency "$@" | awk '
    /Requests\/sec/ {rps = $2}
    / 99%/ {p = $2; if (p ~ /us$/) {sub(/us/, "", p); p /= 1000} else if (p ~ /ms$/) {sub(/ms/, "", p)} else if (p ~ /s$/) {sub(/s/, "", p); p *= 1000}}
    /Socket errors/ {gsub(/,/, ""); errors += $4 + $6 + $8 + $10}
    /Non-2xx/ {errors += $5}
    END {printf "%s %.2f %d\n", rps, p, errors}'
}

echo "search under load: $RUNS runs of 20 s, 32 connections, 20 queries"
crashed=0
for run in $(seq "$RUNS"); do
  result=$(measure 20 -s "$ROOT/bench/search_wrk.lua" "$url")
  alive=yes
  kill -0 "$server" 2>/dev/null || { alive=no; crashed=1; }
  echo "  run $run: $result (requests/s, p99 ms, errors); server alive: $alive"
  [ "$alive" = yes ] || break
done
[ "$crashed" = 0 ] || { echo "the server died"; tail -5 "$instance/serve.log"; exit 1; }

printf "%-34s %12s %9s %7s %10s %10s\n" target "requests/s" "p99 ms" errors "rps/healthz" "p99/healthz"
healthz=$(measure 15 "$url/healthz")
read -r h_rps h_p99 _ <<<"$healthz"
for target in "/" "/cijfers/victims-region-form" "/api/v1/tables/suspects-chain" "search"; do
  if [ "$target" = search ]; then
    result=$(measure 15 -s "$ROOT/bench/search_wrk.lua" "$url")
  else
    result=$(measure 15 "$url$target")
  fi
  read -r rps p99 errors <<<"$result"
  printf "%-34s %12s %9s %7s %10.3f %10.1f\n" "$target" "$rps" "$p99" "$errors" \
    "$(awk -v a="$rps" -v b="$h_rps" 'BEGIN {print a / b}')" "$(awk -v a="$p99" -v b="$h_p99" 'BEGIN {print a / b}')"
done
printf "%-34s %12s %9s %7s %10s %10s\n" "/healthz (anchor, same run)" "$h_rps" "$h_p99" 0 1 1
