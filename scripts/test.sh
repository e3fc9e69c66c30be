#!/usr/bin/env bash
# Runs every Basalt test: unit and integration tests of all crates (release profile, one build
# of the dependency graph), then the stock-client suites (py-substrate-interface and
# @polkadot/api) against the real `basalt` binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/basalt-target}"
export CARGO_TERM_COLOR=never

scripts/setup.sh
cargo build --release --workspace --bins
cargo test --release --workspace
export BASALT_BIN="$CARGO_TARGET_DIR/release/basalt"
"${BASALT_VENV:-$HOME/.cache/basalt-venv}/bin/python" tests/client/run.py
(cd tests/js && node run.mjs)
echo "all tests passed"
