#!/usr/bin/env bash
# Web nodes on PostgreSQL beside the SQLite instance, in the same run (issue #18): the demo
# instance in SQLite, copied into a throwaway PostgreSQL cluster (`migrate --to`), then served
# by one SQLite node, one PostgreSQL node and two PostgreSQL nodes. Public search and a table
# page under wrk on loopback (15 s, 32 connections in all; for two nodes 16 against each at the
# same time, as a balancer would split them); requests/s and p99 side by side, each as a ratio
# to the SQLite node's figure. Usage: bench/nodes_bench.sh [BINARY]; needs wrk, curl and
# PostgreSQL (scripts/lib.sh installs it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
BIN="${1:-$ROOT/build/release/rapporteur}"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-15}"
instance="$(mktemp -d)"
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$instance"
  stop_test_postgres
}
start_test_postgres
trap cleanup EXIT
url="$RAPPORTEUR_TEST_POSTGRES_URL"

"$BIN" --log-level warn --db "$instance/r.db" demo >/dev/null 2>&1
"$BIN" --log-level warn --db "$instance/r.db" publish victims-region-form >/dev/null 2>&1
"$BIN" --log-level warn --db "$instance/r.db" migrate --to "$url" >/dev/null

# serve PORT DB KB: a node with the instance's files (published tables) and its own index.
serve() {
  "$BIN" --log-level warn --db "$2" --files "$instance" --kb "$3" serve --port "$1" --node "bench-$1" \
    >/dev/null 2>>"$instance/serve.log" &
  servers+=($!)
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "node on port $1 did not start"; tail -5 "$instance/serve.log"; exit 1
}
serve 18481 "$instance/r.db" "$instance/kennisbank"
serve 18482 "$url" "$instance/kb-1"
serve 18483 "$url" "$instance/kb-2"

# wrk's summary as "requests/s p99_ms errors".
measure() {
  local connections="$1"; shift
  wrk -t1 -c"$connections" -d"${SECONDS_PER_RUN}s" --latency "$@" | awk '
    /Requests\/sec/ {rps = $2}
    / 99%/ {p = $2; if (p ~ /us$/) {sub(/us/, "", p); p /= 1000} else if (p ~ /ms$/) {sub(/ms/, "", p)} else if (p ~ /s$/) {sub(/s/, "", p); p *= 1000}}
    /Socket errors/ {gsub(/,/, ""); errors += $4 + $6 + $8 + $10}
    /Non-2xx/ {errors += $5}
    END {printf "%s %.2f %d\n", rps, p, errors}'
}

# page_args PAGE PORT: wrk's arguments for the page on the node at PORT.
page_args() {
  if [ "$1" = search ]; then echo "-s $ROOT/bench/search_wrk.lua http://127.0.0.1:$2"; else echo "http://127.0.0.1:$2$1"; fi
}

printf "%-30s %-22s %12s %9s %7s %10s %10s\n" page setup "requests/s" "p99 ms" errors "rps/sqlite" "p99/sqlite"
for page in search /cijfers/victims-region-form; do
  # shellcheck disable=SC2046
  read -r s_rps s_p99 s_err <<<"$(measure 32 $(page_args "$page" 18481))"
  # shellcheck disable=SC2046
  read -r o_rps o_p99 o_err <<<"$(measure 32 $(page_args "$page" 18482))"
  # shellcheck disable=SC2046
  measure 16 $(page_args "$page" 18482) >"$instance/a" &
  # shellcheck disable=SC2046
  measure 16 $(page_args "$page" 18483) >"$instance/b"
  wait "$!"
  read -r a_rps a_p99 a_err <"$instance/a"
  read -r b_rps b_p99 b_err <"$instance/b"
  t_rps=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN {printf "%.2f", a + b}')
  t_p99=$(awk -v a="$a_p99" -v b="$b_p99" 'BEGIN {printf "%.2f", (a > b ? a : b)}')
  t_err=$((a_err + b_err))
  for row in "sqlite, 1 node|$s_rps|$s_p99|$s_err" "postgresql, 1 node|$o_rps|$o_p99|$o_err" \
             "postgresql, 2 nodes|$t_rps|$t_p99|$t_err"; do
    IFS='|' read -r setup rps p99 errors <<<"$row"
    printf "%-30s %-22s %12s %9s %7s %10.3f %10.2f\n" "$page" "$setup" "$rps" "$p99" "$errors" \
      "$(awk -v a="$rps" -v b="$s_rps" 'BEGIN {print a / b}')" "$(awk -v a="$p99" -v b="$s_p99" 'BEGIN {print a / b}')"
  done
done
echo "(two nodes: requests/s summed over both, p99 the larger of the two; anchor: the SQLite node, same run)"
