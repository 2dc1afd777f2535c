#!/usr/bin/env bash
# Installs the Debian packages Zhiyuan needs when they are missing.
#   scripts/deps.sh          build and run: compiler, Meson, libraries, Node.js
#   scripts/deps.sh test     also PostgreSQL and Chromium for the test suites
#   scripts/deps.sh bench    also wrk
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail
pkgs=(gcc make meson ninja-build pkg-config libmicrohttpd-dev libjansson-dev
      libsqlite3-dev libpq-dev libsodium-dev libssl-dev libcmocka-dev libzip-dev libexpat1-dev
      libcairo2-dev libpango1.0-dev libqrencode-dev fonts-noto-cjk
      libpwquality-dev cracklib-runtime)
case "${1:-}" in
  test) pkgs+=(postgresql chromium curl sqlite3 poppler-utils clang libclang-rt-dev) ;;
  bench) pkgs+=(wrk curl) ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js may come from Debian or elsewhere; only its absence matters
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing packages; run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
