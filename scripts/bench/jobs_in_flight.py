#!/usr/bin/env python3
"""1,000 small jobs in flight on `basalt --dev`: every one settled, no block over its weight limit.

Starts its own `basalt --dev --tmp` (the provider worker runs Alice, Bob and Charlie), submits
`--jobs` blake2-chain jobs (100 rounds, `--replicas` replicas, distinct inputs) from Dave, Eve
and Ferdie as fast as the pool takes them (explicit nonces), waits until every job is
settled, then reads every block's `System.BlockWeight` and reports: blocks from the first
submission to the last settlement, blocks per job, how many completed, and the heaviest block
against the limits of runtime/src/limits.rs (2 s of ref time, 75% of it for normal
transactions; System exposes no `BlockWeights` constant yet).

    BASALT_BIN=~/.cache/basalt-target/release/basalt ~/.cache/basalt-venv/bin/python \\
        scripts/bench/jobs_in_flight.py --jobs 1000 --replicas 2
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "client"))

from harness import DevNode  # noqa: E402

import common  # noqa: E402
from common import UNIT, blake2_256, rpc, scale_compact, to_int  # noqa: E402
import keys  # noqa: E402


# runtime/src/limits.rs: MAX_BLOCK_WEIGHT and NORMAL_BLOCK_WEIGHT (ref time, picoseconds).
MAX_BLOCK_REF_TIME = 2_000_000_000_000
NORMAL_REF_TIME = MAX_BLOCK_REF_TIME * 3 // 4


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--slot-ms", default="500")
    args = ap.parse_args()
    node = DevNode.start(extra_args=["--slot-duration-ms", args.slot_ms])
    try:
        s = common.connect(node.ws_url)
        # Not Alice, Bob or Charlie: their worker sends commits from those accounts meanwhile.
        senders = [keys.sr25519(f"//{n}") for n in ("Dave", "Eve", "Ferdie")]
        nonces = {kp.ss58_address: rpc(s, "system_accountNextIndex", [kp.ss58_address]) for kp in senders}
        first_block = s.get_block_number(s.get_chain_head())
        first_job = to_int(s.query("Jobs", "NextJobId").value)
        t0 = time.monotonic()
        for i in range(args.jobs):
            kp = senders[i % len(senders)]
            seed = blake2_256(b"bench %d" % i)
            call = s.compose_call("Jobs", "submit_job", {
                "program": 0, "input": "0x" + (scale_compact(32) + seed + (100).to_bytes(4, "little")).hex(),
                "replicas": args.replicas, "price": UNIT // 100, "timeout": 5000})
            xt = s.create_signed_extrinsic(call, kp, era="00", nonce=nonces[kp.ss58_address])
            s.submit_extrinsic(xt, wait_for_inclusion=False)
            nonces[kp.ss58_address] += 1
        print(f"submitted {args.jobs} jobs in {time.monotonic() - t0:.1f} s", flush=True)
        while to_int(s.query("Jobs", "NextJobId").value) < first_job + args.jobs:
            time.sleep(1)
        while to_int(s.query("Jobs", "LiveJobs").value) > 0:
            time.sleep(2)
        last_block = s.get_block_number(s.get_chain_head())
        elapsed = time.monotonic() - t0
        completed = sum(1 for _, job in s.query_map("Jobs", "Jobs", page_size=500)
                        if "Completed" in (job.value["state"] if isinstance(job.value["state"], dict) else {}))
        heaviest, heaviest_at, heaviest_normal = 0, None, 0
        for n in range(first_block, last_block + 1):
            w = s.query("System", "BlockWeight", block_hash=s.get_block_hash(n)).value
            total = sum(w[c]["ref_time"] for c in ("normal", "operational", "mandatory"))
            heaviest_normal = max(heaviest_normal, w["normal"]["ref_time"])
            if total > heaviest:
                heaviest, heaviest_at = total, n
        blocks = last_block - first_block
        print(f"{completed}/{args.jobs} completed; blocks {first_block}..{last_block} ({blocks} blocks, "
              f"{blocks / args.jobs:.3f} blocks per job, {elapsed:.0f} s at {args.slot_ms} ms slots)")
        print(f"heaviest block #{heaviest_at}: {heaviest / 1e12:.3f} s of ref time, "
              f"{100 * heaviest / MAX_BLOCK_REF_TIME:.1f}% of the block limit; heaviest normal class "
              f"{100 * heaviest_normal / NORMAL_REF_TIME:.1f}% of its limit")
        assert heaviest <= MAX_BLOCK_REF_TIME and heaviest_normal <= NORMAL_REF_TIME
        s.close()
    finally:
        node.stop()


if __name__ == "__main__":
    main()
