#!/usr/bin/env python3
"""Inclusion-to-finality latency of a running Basalt node, as a client sees it.

Subscribes to `chain_subscribeNewHeads` and `chain_subscribeFinalizedHeads` over WebSocket for
`--seconds`, notes when each block number is first seen as a new best head (the moment a
transaction in it is reported `inBlock`) and when a finalized head at or above it arrives (the
moment it is reported `finalized`), and prints the median and 95th percentile of the difference
over every block seen both ways.

    scripts/testnet.sh start
    ~/.cache/basalt-venv/bin/python scripts/bench/finality_latency.py --url ws://127.0.0.1:9945 --seconds 300
"""

import argparse
import json
import statistics
import time

import websocket


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:9944")
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()

    ws = websocket.create_connection(args.url, timeout=30)
    ws.send(json.dumps({"id": 1, "jsonrpc": "2.0", "method": "chain_subscribeNewHeads", "params": []}))
    ws.send(json.dumps({"id": 2, "jsonrpc": "2.0", "method": "chain_subscribeFinalizedHeads", "params": []}))
    subscriptions = {}
    seen = {}  # block number -> first time seen as best
    final = {}  # block number -> time it became final
    highest_final = -1
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        message = json.loads(ws.recv())
        now = time.monotonic()
        if "id" in message:
            subscriptions[message["result"]] = message["id"]
            continue
        params = message.get("params", {})
        kind = subscriptions.get(params.get("subscription"))
        number = int(params["result"]["number"], 16)
        if kind == 1:
            seen.setdefault(number, now)
        elif kind == 2:
            for n in range(highest_final + 1, number + 1):
                final.setdefault(n, now)
            highest_final = max(highest_final, number)
    ws.close()
    latencies = sorted(final[n] - seen[n] for n in seen if n in final)
    if not latencies:
        raise SystemExit("no block was both seen and finalized: is the network finalizing?")
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    print(
        f"blocks: {len(latencies)}  median: {statistics.median(latencies):.2f} s  "
        f"p95: {p95:.2f} s  max: {latencies[-1]:.2f} s"
    )


if __name__ == "__main__":
    main()
