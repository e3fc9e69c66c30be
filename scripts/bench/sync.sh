#!/usr/bin/env bash
# How fast a fresh node syncs a chain from a peer over libp2p, through the real binary.
#
#   scripts/bench/sync.sh [BLOCKS]     (default 10000)
#
# 1. Starts a dev validator ("source") with 100 ms slots until its chain has BLOCKS blocks
#    (GRANDPA finalizes them; about 10 blocks/s on 2 cores, so ~17 min for 10,000), unless
#    a source chain of that length is already in $BASALT_SYNC_DIR (default /tmp/basalt-sync).
# 2. Restarts the source as a non-authoring node (the chain stops growing) and starts a fresh
#    full node with the source as boot node, timing how long it takes to import BLOCKS blocks.
set -euo pipefail
cd "$(dirname "$0")/../.."
BLOCKS="${1:-10000}"
DIR="${BASALT_SYNC_DIR:-/tmp/basalt-sync}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/basalt-target}"
BIN="$CARGO_TARGET_DIR/release/basalt"
[ -x "$BIN" ] || cargo build --release --bin basalt
KEY=$(printf '%064x' 9)
PEER=$("$BIN" key inspect-node-key --file <(printf '%s' "$KEY"))

rpc() { # port method
    curl -s -H 'content-type: application/json' \
        -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":[]}" "127.0.0.1:$1"
}
best() { # port
    rpc "$1" chain_getHeader | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["number"],16))' 2>/dev/null || echo 0
}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p "$DIR"
common=(--chain dev --no-prometheus --no-mdns --slot-duration-ms 100)
"$BIN" "${common[@]}" --alice --base-path "$DIR/source" --port 31400 --rpc-port 9960 \
    --node-key "$KEY" 2>>"$DIR/source.log" &
pids+=($!)
sleep 2
until [ "$(best 9960)" -ge "$BLOCKS" ]; do sleep 5; echo "source at #$(best 9960)"; done
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()
# Serve without authoring, so the target stays fixed.
"$BIN" "${common[@]}" --base-path "$DIR/source" --port 31400 --rpc-port 9960 \
    --node-key "$KEY" 2>>"$DIR/source.log" &
pids+=($!)
sleep 3
target=$(best 9960)
rm -rf "$DIR/fresh"
start=$(date +%s.%N)
"$BIN" "${common[@]}" --base-path "$DIR/fresh" --port 31401 --rpc-port 9961 \
    --bootnodes "/ip4/127.0.0.1/tcp/31400/p2p/$PEER" 2>"$DIR/fresh.log" &
pids+=($!)
until [ "$(best 9961)" -ge "$target" ]; do sleep 0.5; done
end=$(date +%s.%N)
python3 - "$start" "$end" "$target" <<'EOF'
import sys
start, end, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"synced {n} blocks in {end - start:.1f} s: {n / (end - start):.0f} blocks/s")
EOF
