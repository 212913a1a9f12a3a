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
  libgtest-dev libgmock-dev libbenchmark-dev libicu-dev
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
  if [ -s "$target" ] && [ -d "$ROOT/node_modules/playwright-core" ] && [ -d "$ROOT/node_modules/axe-core" ]; then return; fi
  if ! command -v npm >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  (cd "$ROOT" && npm ci --no-audit --no-fund --silent)
  mkdir -p "$(dirname "$target")"
  cp "$ROOT/node_modules/echarts/dist/echarts.min.js" "$target"
  cp "$ROOT/node_modules/echarts/LICENSE" "$(dirname "$target")/echarts.LICENSE.txt"
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
