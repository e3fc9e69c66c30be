#!/usr/bin/env bash
# Runs every Basalt test: unit and integration tests of all crates (release profile, one build
# of the dependency graph), then the stock-client suites (py-substrate-interface and
# @polkadot/api) against the real `basalt` binary, and the provider suite (tests/client/provider.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/basalt-target}"
export CARGO_TERM_COLOR=never

scripts/setup.sh
cargo build --release --workspace --bins
cargo test --release --workspace
export BASALT_BIN="$CARGO_TARGET_DIR/release/basalt"
PYTHON="${BASALT_VENV:-$HOME/.cache/basalt-venv}/bin/python"
"$PYTHON" tests/client/run.py
# The provider's node: failing commands, a crash mid-job, and a 7-node network with a cheater.
"$PYTHON" tests/client/provider.py
(cd tests/js && node run.mjs)
# The same py-substrate-interface suite against a validator (Bob) of a four-validator network.
export BASALT_TESTNET_DIR="$(mktemp -d)" BASALT_TESTNET_ARGS="--slot-duration-ms 1000"
trap 'scripts/testnet.sh stop >/dev/null; rm -rf "$BASALT_TESTNET_DIR"' EXIT
scripts/testnet.sh start
BASALT_URL=ws://127.0.0.1:9945 "$PYTHON" tests/client/run.py
# polkadot-api, dedot (both rpc versions) and subxt against the same validator.
(cd tests/js && BASALT_URL=ws://127.0.0.1:9945 node run.mjs 'polkadot-api|dedot')
BASALT_URL=ws://127.0.0.1:9945 cargo test --release -p basalt-node --test subxt
# The GPU executor builds (cudarc, loaded at run time) and its CPU-equality test runs; without a
# GPU it reports "skipped". Last, since it rebuilds the node with the feature.
cargo test --release -p basalt-node --features gpu --bins gpu_outputs_equal
echo "all tests passed"
