#!/usr/bin/env bash
# scripts/check-layers passes on the tree and fails, naming file and line, on planted
# violations of each kind: a forbidden library, another library's internal header, and a
# third-party header outside its adapter.
set -euo pipefail
ROOT="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$ROOT/scripts/check-layers" "$ROOT"

mkdir -p "$work/docs" "$work/scripts"
cp -r "$ROOT/src" "$work/src"
cp "$ROOT/docs/ARCHITECTURE.md" "$work/docs/"
printf '#include "cli/cli.h"\n' >> "$work/src/sdc/audit.cpp"
printf '#include "kb/internal/index.h"\n' >> "$work/src/web/pages.cpp"
printf '#include <httplib.h>\n' >> "$work/src/tables/release.cpp"
if out="$("$ROOT/scripts/check-layers" "$work")"; then
  echo "check-layers passed a tree with planted violations"; exit 1
fi
for expected in "src/sdc/audit.cpp:.*sdc may not include cli" \
                "src/web/pages.cpp:.*web includes kb's internal header" \
                "src/tables/release.cpp:.*<httplib.h> belongs in"; do
  grep -Eq "$expected" <<<"$out" || { echo "missing: $expected"; echo "$out"; exit 1; }
done
[ "$(wc -l <<<"$out")" -eq 3 ] || { echo "expected exactly 3 violations:"; echo "$out"; exit 1; }
echo "check-layers: passes the tree, finds the 3 planted violations"
