#!/usr/bin/env bash
# Installs what building and testing Basalt needs on a fresh Debian machine, idempotently:
# - libclang-dev (RocksDB's bindgen) and a C++ compiler,
# - the stock Python client (py-substrate-interface) in a virtualenv outside the clone,
# - the stock JavaScript clients (@polkadot/api, polkadot-api and dedot, pinned) under tests/js/node_modules.
# Pass --no-clients to install only what the build needs.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
dpkg -s libclang-dev >/dev/null 2>&1 || need_apt+=(libclang-dev)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y "${need_apt[@]}" || { $SUDO apt-get update && $SUDO apt-get install -y "${need_apt[@]}"; }
fi

[ "${1:-}" = "--no-clients" ] && exit 0

VENV="${BASALT_VENV:-$HOME/.cache/basalt-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import substrateinterface' 2>/dev/null \
  || "$VENV/bin/pip" install --quiet -r tests/client/requirements.txt

if [ -f tests/js/package.json ] && { [ ! -d tests/js/node_modules/@polkadot/api ] || [ ! -d tests/js/node_modules/polkadot-api ] || [ ! -d tests/js/node_modules/dedot ]; }; then
  (cd tests/js && npm install --no-audit --no-fund --loglevel=error)
fi
