#!/usr/bin/env bash
# Builds the node and runs a development chain: one validator (//Alice), sudo, funded dev
# accounts, 2 s blocks, RPC on ws/http://127.0.0.1:9944. Extra arguments go to `basalt`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/basalt-target}"
scripts/setup.sh --no-clients
cargo build --release -p basalt-node
exec "$CARGO_TARGET_DIR/release/basalt" --dev "$@"
