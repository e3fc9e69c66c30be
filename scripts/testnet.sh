#!/usr/bin/env bash
# A four-validator Basalt network on this machine (the `local` chain: Alice, Bob, Charlie, Dave).
#
#   scripts/testnet.sh start    build if needed, start the four validators, wait for finality
#   scripts/testnet.sh status   best and finalized block of each node
#   scripts/testnet.sh stop     SIGTERM each node and wait for it to exit
#
# Node i (1..4) uses node key 0x00..0i, p2p port 30332+i, RPC port 9943+i (WebSocket and HTTP),
# and base path $BASALT_TESTNET_DIR/<name> (default /tmp/basalt-testnet), where its log is too.
# Alice (node key 0x00..01 on port 30333) is the chain spec's boot node. Extra flags for every
# node: BASALT_TESTNET_ARGS (e.g. "--slot-duration-ms 1000").
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${BASALT_TESTNET_DIR:-/tmp/basalt-testnet}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/basalt-target}"
BIN="$CARGO_TARGET_DIR/release/basalt"
NAMES=(alice bob charlie dave)

rpc() { # port method
    curl -s --max-time 2 -H 'content-type: application/json' \
        -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":[]}" "127.0.0.1:$1" || true
}

number_of() { # port method-returning-a-header-or-hash
    python3 -c '
import json, sys, urllib.request
port, finalized = sys.argv[1], sys.argv[2] == "finalized"
def call(method, params):
    body = json.dumps({"id": 1, "jsonrpc": "2.0", "method": method, "params": params}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=2))["result"]
try:
    params = [call("chain_getFinalizedHead", [])] if finalized else []
    print(int(call("chain_getHeader", params)["number"], 16))
except Exception:
    print("-")
' "$1" "$2"
}

start() {
    [ -x "$BIN" ] || cargo build --release --bin basalt
    mkdir -p "$DIR"
    if [ -s "$DIR/pids" ]; then
        echo "a testnet seems to run already ($DIR/pids); run: $0 stop" >&2
        exit 1
    fi
    local boot="/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"
    for i in 1 2 3 4; do
        local name="${NAMES[$((i - 1))]}"
        # shellcheck disable=SC2086 # BASALT_TESTNET_ARGS is a list of flags
        "$BIN" --chain local --"$name" --base-path "$DIR/$name" \
            --node-key "$(printf '%064x' "$i")" --port $((30332 + i)) --rpc-port $((9943 + i)) \
            --prometheus-port $((9614 + i)) --bootnodes "$boot" --rpc-cors all \
            ${BASALT_TESTNET_ARGS:-} >>"$DIR/$name.log" 2>&1 &
        echo "$!" >>"$DIR/pids"
        echo "started $name: pid $!, RPC ws://127.0.0.1:$((9943 + i)), log $DIR/$name.log"
    done
    for _ in $(seq 1 120); do
        local f
        f=$(number_of 9944 finalized)
        if [ "$f" != "-" ] && [ "$f" -ge 2 ]; then
            status
            return 0
        fi
        sleep 1
    done
    echo "no finality within 120 s; see the logs in $DIR" >&2
    status
    exit 1
}

status() {
    for i in 1 2 3 4; do
        local port=$((9943 + i))
        printf '%-8s rpc %s  best #%s  finalized #%s  peers %s\n' "${NAMES[$((i - 1))]}" "$port" \
            "$(number_of "$port" best)" "$(number_of "$port" finalized)" \
            "$(rpc "$port" system_health | python3 -c 'import json,sys
try: print(json.load(sys.stdin)["result"]["peers"])
except Exception: print("-")')"
    done
}

stop() {
    [ -f "$DIR/pids" ] || { echo "no testnet running ($DIR/pids not found)"; return 0; }
    while read -r pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done <"$DIR/pids"
    while read -r pid; do
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done <"$DIR/pids"
    rm -f "$DIR/pids"
    echo "stopped (data kept in $DIR; delete it for a fresh chain)"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
