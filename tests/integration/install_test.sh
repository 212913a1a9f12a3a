#!/usr/bin/env bash
# An installed binary (cmake --install into a temporary prefix) runs from another working
# directory: it finds the profiles and table definitions it ships with, builds the demo
# instance, publishes a table and serves it.
set -euo pipefail
BUILD="$1"
work="$(mktemp -d)"
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
cmake --install "$BUILD" --prefix "$work/prefix" >/dev/null
mkdir "$work/elsewhere"
cd "$work/elsewhere"
bin="$work/prefix/bin/rapporteur"
# Output is captured before grep reads it: `grep -q` stops reading at its first match, and
# under pipefail the writer's broken pipe would fail the test at random.
help="$("$bin" --help)"
grep -q "$work/prefix/share/rapporteur/profiles" <<<"$help" || { echo "the installed binary does not use its own profiles"; exit 1; }
"$bin" --log-level warn --db inst/r.db demo --first-year 2023 --last-year 2023 >/dev/null 2>&1
"$bin" --log-level warn --db inst/r.db publish suspects-chain >/dev/null
"$bin" --log-level warn --db inst/r.db serve --port 0 > serve.out 2>/dev/null &
server=$!
for _ in $(seq 100); do grep -q "http://" serve.out 2>/dev/null && break; sleep 0.1; done
port="$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' serve.out | head -1)"
[ -n "$port" ] || { echo "the server did not start"; cat serve.out; exit 1; }
health="$(curl -fs "http://127.0.0.1:$port/healthz")"
grep -q '"ok"' <<<"$health" || { echo "healthz did not answer ok: $health"; exit 1; }
page="$(curl -fs "http://127.0.0.1:$port/cijfers/suspects-chain")"
grep -q "strafrechtketen" <<<"$page" || { echo "the published table's page lacks its title"; exit 1; }
echo "installed binary: demo, publish and serve work from another folder"
