#!/usr/bin/env bash
# The public site's memory under a long load (issue #20): wrk drives search, the home page, a
# table page and the table API for SOAK_SECONDS (default 600) while the server's resident
# memory (VmRSS) is sampled every 10 s; /healthz is measured before and after in the same run as
# the anchor. Reports the RSS samples, the growth over the second half as MiB per minute (a
# least-squares slope: flat memory is near 0) and the request rates as ratios to /healthz.
# Usage: bench/web_soak.sh [BINARY]; needs wrk and curl.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$ROOT/build/release/rapporteur}"
PORT="${PORT:-18475}"
SOAK="${SOAK_SECONDS:-600}"
instance="$(mktemp -d)"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$instance"' EXIT

"$BIN" --log-level warn --db "$instance/r.db" demo >/dev/null 2>&1
"$BIN" --log-level warn --db "$instance/r.db" publish victims-region-form suspects-chain >/dev/null 2>&1
"$BIN" --log-level warn --db "$instance/r.db" serve --port "$PORT" >/dev/null 2>"$instance/serve.log" &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$PORT"

rps() { wrk -t2 -c16 -d"$1s" "${@:2}" | awk '/Requests\/sec/ {print $2}'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }

healthz_before=$(rps 10 "$url/healthz")
: >"$instance/rss"
start=$(date +%s)
# Four loads at once for the whole soak, each on its own connections.
loads=()
wrk -t1 -c8 -d"${SOAK}s" -s "$ROOT/bench/search_wrk.lua" "$url" >"$instance/search.out" & loads+=($!)
wrk -t1 -c4 -d"${SOAK}s" "$url/" >"$instance/home.out" & loads+=($!)
wrk -t1 -c4 -d"${SOAK}s" "$url/cijfers/victims-region-form" >"$instance/table.out" & loads+=($!)
wrk -t1 -c4 -d"${SOAK}s" "$url/api/v1/tables/suspects-chain" >"$instance/api.out" & loads+=($!)
while [ $(( $(date +%s) - start )) -lt "$SOAK" ]; do
  echo "$(( $(date +%s) - start )) $(rss_kib)" >>"$instance/rss"
  sleep 10
done
wait "${loads[@]}"
echo "$(( $(date +%s) - start )) $(rss_kib)" >>"$instance/rss"
kill -0 "$server" 2>/dev/null || { echo "the server died"; tail -5 "$instance/serve.log"; exit 1; }
healthz_after=$(rps 10 "$url/healthz")

echo "resident memory (MiB) every 10 s over ${SOAK} s:"
awk '{printf "%.1f ", $2 / 1024} END {print ""}' "$instance/rss"
awk -v n="$(wc -l <"$instance/rss")" '
  NR > n / 2 {x = $1 / 60; y = $2 / 1024; sx += x; sy += y; sxx += x * x; sxy += x * y; k++}
  NR == 1 {first = $2 / 1024} {last = $2 / 1024; if ($2 > max) max = $2}
  END {slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
       printf "first %.1f MiB, last %.1f MiB, peak %.1f MiB; second half: %+.3f MiB/min\n", first, last, max / 1024, slope}' \
  "$instance/rss"
printf "%-32s %12s %12s\n" load "requests/s" "ratio"
for name in search home table api; do
  r=$(awk '/Requests\/sec/ {print $2}' "$instance/$name.out")
  printf "%-32s %12s %12.3f\n" "$name" "$r" "$(awk -v a="$r" -v b="$healthz_before" 'BEGIN {print a / b}')"
done
printf "%-32s %12s %12s\n" "/healthz before (anchor)" "$healthz_before" 1
printf "%-32s %12s %12.3f\n" "/healthz after" "$healthz_after" "$(awk -v a="$healthz_after" -v b="$healthz_before" 'BEGIN {print a / b}')"
