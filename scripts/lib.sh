# Shared by scripts/demo and scripts/test: installs what the project needs and builds it.
# Sourced, not run. Idempotent: silent when everything is already present.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian 12 packages the build and the tests need. Keep in sync with docs/ARCHITECTURE.md.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libsqlite3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libcpp-httplib-dev libexpected-dev libssl-dev libtoml11-dev libzip-dev libpugixml-dev
  libxlsxwriter-dev sqlite3 libeigen3-dev libglpk-dev python3-statsmodels
  libxapian-dev libpoppler-cpp-dev wdutch libyaml-cpp-dev chromium poppler-utils fonts-dejavu-core libargon2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libicu-dev libpq-dev postgresql
  clang libclang-rt-14-dev clang-format
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs PACKAGES and any packages given as arguments, skipping those already installed.
install_packages() {
  local missing=()
  local package
  for package in "${PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

# Front-end assets from npm (package.json, package-lock.json), copied into the server's static
# folder before the build embeds them, and playwright-core for the browser tests. Skipped
# when already there.
vendor_assets() {
  local target="$ROOT/src/web/static/vendor/echarts.min.js"
  local viewer="$ROOT/src/web/static/vendor/swagger-ui-bundle.js"
  if [ -s "$target" ] && [ -s "$viewer" ] && [ -d "$ROOT/node_modules/playwright-core" ] &&
    [ -d "$ROOT/node_modules/axe-core" ]; then return; fi
  if ! command -v npm >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  # No install scripts: none of these packages needs one, and swagger-ui-dist's dependency
  # @scarf/scarf would only report the installation to its vendor.
  (cd "$ROOT" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --silent)
  mkdir -p "$(dirname "$target")"
  cp "$ROOT/node_modules/echarts/dist/echarts.min.js" "$target"
  cp "$ROOT/node_modules/echarts/LICENSE" "$(dirname "$target")/echarts.LICENSE.txt"
  # The OpenAPI viewer of /open-data/viewer (Swagger UI, Apache-2.0): the bundle and its CSS.
  cp "$ROOT/node_modules/swagger-ui-dist/swagger-ui-bundle.js" "$viewer"
  cp "$ROOT/node_modules/swagger-ui-dist/swagger-ui.css" "$(dirname "$target")/swagger-ui.css"
  cp "$ROOT/node_modules/swagger-ui-dist/LICENSE" "$(dirname "$target")/swagger-ui.LICENSE.txt"
}

# start_test_postgres: starts a throwaway PostgreSQL cluster in a temporary folder for the
# tests (initdb and pg_ctl of the newest installed server; no TCP, a unix socket in that
# folder; as the unprivileged `postgres` user when run as root), exports its URL as
# RAPPORTEUR_TEST_POSTGRES_URL, and stops it and removes the folder when the shell exits,
# on failure too. The cluster trades durability for speed (fsync off): it is thrown away.
start_test_postgres() {
  local bin
  bin="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -1)"
  TEST_POSTGRES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rapporteur-postgres.XXXXXX")"
  TEST_POSTGRES_RUN=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$TEST_POSTGRES_DIR"
    TEST_POSTGRES_RUN=(runuser -u postgres --)
  fi
  TEST_POSTGRES_CTL="$bin/pg_ctl"
  trap stop_test_postgres EXIT
  "${TEST_POSTGRES_RUN[@]}" "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -U rapporteur -A trust -E UTF8 \
    --locale=C >/dev/null
  "${TEST_POSTGRES_RUN[@]}" "$TEST_POSTGRES_CTL" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories=$TEST_POSTGRES_DIR -c fsync=off -c max_connections=200" \
    start >/dev/null
  export RAPPORTEUR_TEST_POSTGRES_URL="postgresql:///postgres?host=$TEST_POSTGRES_DIR&user=rapporteur"
}

stop_test_postgres() {
  if [ -n "${TEST_POSTGRES_DIR:-}" ] && [ -d "$TEST_POSTGRES_DIR" ]; then
    "${TEST_POSTGRES_RUN[@]}" "$TEST_POSTGRES_CTL" -D "$TEST_POSTGRES_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TEST_POSTGRES_DIR"
  fi
}

# build PRESET: configures (once) and builds with the CMake preset.
build() {
  local preset="$1"
  vendor_assets
  cd "$ROOT"
  if [ ! -f "build/$preset/build.ninja" ]; then
    cmake --preset "$preset" >/dev/null
  fi
  cmake --build --preset "$preset"
}
