"""The provider's node, end to end through the real binary, driven by py-substrate-interface:

- commands:  a provider's own commands that hang, crash or flood are stopped and declined, and
             the node keeps serving (`--provider-config`);
- restart:   a provider node killed (SIGKILL) in the middle of a job commits exactly once after
             it restarts, and still serves the outputs it stored before;
- network:   four validators and three provider nodes (one revealing wrong results for 30 % of
             its jobs); a client submits 50 jobs of both kernels, redundant and optimistic,
             disputes wrong optimistic results, and fetches every completed output from its own
             (non-provider) node.

    BASALT_BIN=target/release/basalt $VENV/bin/python tests/client/provider.py [-k name]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import DevNode, default_binary, free_port  # noqa: E402

import common  # noqa: E402
from common import (UNIT, blake2_256, blake2_chain, events_by_name, find_event,  # noqa: E402
                    job_events, matmul_i8, rpc, scale_compact, submit, submit_job,
                    to_int, wait_final)
import keys  # noqa: E402

TESTS = []
DEV = {n: keys.sr25519(f"//{n}") for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")}
PROVIDERS = ("Alice", "Bob", "Charlie")


def test(fn):
    TESTS.append(fn)
    return fn


def digest(name):
    return "0x" + blake2_256(name.encode()).hex()


def write_config(dir_, programs, extra=""):
    """A provider config mapping each program name's digest to a shell script."""
    lines = [extra]
    for name, (script, timeout) in programs.items():
        lines += ["[[programs]]", f'digest = "{digest(name)}"',
                  "command = " + json.dumps(["/bin/sh", "-c", script]), f"timeout_secs = {timeout}"]
    path = os.path.join(dir_, "provider.toml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def register(s, who, name):
    call = s.compose_call("Jobs", "register_program", {
        "name": "0x" + name.encode().hex(), "kind": {"Executable": {"digest": digest(name), "deterministic": True}},
        "requirements": {"gpu_memory_gb": 0, "gpu_count": 0, "time_limit": 5}, "model": None})
    receipt = submit(s, s.create_signed_extrinsic(call, who, era={"period": 64}), finalize=False)
    assert receipt.is_success, receipt.error_message
    return to_int(find_event(events_by_name(receipt), "Jobs", "ProgramRegistered")["program"])


def offences(events):
    return [(a["provider"], a["offence"]) for n, a in events if n == "ProviderSlashed"]


@test
def commands_that_hang_crash_or_flood_are_declined_and_the_node_keeps_serving():
    tmp = tempfile.mkdtemp(prefix="basalt-commands-")
    config = write_config(tmp, {
        "hang": ("sleep 600", 1),
        "crash": ("echo broken >&2; exit 3", 10),
        "flood": ('yes flood > "$BASALT_OUTPUT"', 30),
        "echo": ('cat "$BASALT_INPUT" > "$BASALT_OUTPUT"', 10),
    }, extra="max_output_size = 1048576")
    metrics_port = free_port()
    node = DevNode.start(extra_args=["--slot-duration-ms", "1000", "--provider-config", config,
                                     "--prometheus-port", str(metrics_port)])
    try:
        s = common.connect(node.ws_url)
        ferdie = DEV["Ferdie"]
        ids = {name: register(s, ferdie, name) for name in ("hang", "crash", "flood", "echo")}
        start = s.get_block_number(s.get_chain_head())
        jobs = {name: submit_job(s, ferdie, ids[name], b"payload", 1, UNIT)[0] for name in ("hang", "crash", "flood")}
        for name, job_id in jobs.items():
            job = wait_final(s, job_id, timeout=120)
            assert job["state"] == {"Refunded": "NoResult"}, (name, job["state"])
            seen = offences(job_events(s, job_id, start))
            # Declined by each provider that tried it, never a missed commit.
            assert seen and all(o == "Declined" for _, o in seen), (name, seen)
        assert node.alive()
        assert "peers" in rpc(s, "system_health", [])
        # The node still runs what it can: a provider command that works, and a kernel.
        echo = submit_job(s, ferdie, ids["echo"], b"payload", 1, UNIT)[0]
        assert wait_final(s, echo, timeout=120)["state"] == {"Completed": "0x" + blake2_256(b"payload").hex()}
        assert rpc(s, "jobs_getResult", [echo, 0, 100])["output"] == "0x" + b"payload".hex()
        # The worker's metrics count every failed run and decline, by executor.
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
        metrics = dict(line.rsplit(" ", 1) for line in text.splitlines() if line.startswith("basalt_provider"))
        assert float(metrics['basalt_provider_jobs_failed_total{executor="command"}']) >= 3, metrics
        assert float(metrics["basalt_provider_jobs_declined_total"]) >= 3, metrics
        assert float(metrics['basalt_provider_jobs_run_total{executor="command"}']) >= 1, metrics
        assert 'basalt_provider_execution_seconds_count{executor="command"}' in metrics, metrics
        s.close()
    finally:
        node.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@test
def a_provider_killed_mid_job_commits_once_after_restart_and_keeps_its_outputs():
    tmp = tempfile.mkdtemp(prefix="basalt-restart-")
    config = write_config(tmp, {"slow": ('sleep 2; cat "$BASALT_INPUT" > "$BASALT_OUTPUT"', 30)})
    base = os.path.join(tmp, "base")
    node = DevNode.start(extra_args=["--slot-duration-ms", "1000", "--provider-config", config],
                         chain_args=("--dev", "--base-path", base))
    try:
        s = common.connect(node.ws_url)
        dave = DEV["Dave"]
        # A job completed before the crash: its output must still be served after it.
        seed = b"before the crash"
        early = submit_job(s, dave, 0, scale_compact(len(seed)) + seed + (100).to_bytes(4, "little"), 2, UNIT)[0]
        assert "Completed" in wait_final(s, early, timeout=60)["state"]
        program = register(s, dave, "slow")
        start = s.get_block_number(s.get_chain_head())
        job_id = submit_job(s, dave, program, b"survives", 2, UNIT, timeout=50)[0]
        # Killed while both providers' commands sleep, before any commit.
        deadline = time.monotonic() + 30
        while s.query("Jobs", "Jobs", [job_id]).value["state"] != "Assigned":
            assert time.monotonic() < deadline, "never assigned"
            time.sleep(0.1)
        time.sleep(0.5)
        assert not [n for n, _ in job_events(s, job_id, start) if n == "ResultCommitted"]
        s.close()
        node.kill()
        node.restart()
        s = common.connect(node.ws_url)
        job = wait_final(s, job_id, timeout=120)
        assert job["state"] == {"Completed": "0x" + blake2_256(b"survives").hex()}, job["state"]
        events = job_events(s, job_id, start)
        commits = [a["provider"] for n, a in events if n == "ResultCommitted"]
        assert len(commits) == len(set(commits)) == 2, events
        assert not offences(events), events
        out = rpc(s, "jobs_getResult", [early, 0, 100])
        assert bytes.fromhex(out["output"][2:]) == blake2_chain(seed, 100), out
        s.close()
    finally:
        node.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# The boot node's key and peer id (as scripts/testnet.sh uses them).
ALICE_NODE_KEY = "%064x" % 1
ALICE_PEER_ID = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"


def insert_provider_key(binary, base, name):
    subprocess.run([binary, "key", "insert", "--chain", "local", "--base-path", base, "--key-type", "prov",
                    "--suri", f"//{name}"], check=True, capture_output=True)


def expected_output(kernel, seed):
    if kernel == 0:
        return blake2_chain(seed, 500)
    return matmul_i8(8, 16, 8, seed)[1]


def job_input(kernel, seed):
    if kernel == 0:
        return scale_compact(len(seed)) + seed + (500).to_bytes(4, "little")
    return (8).to_bytes(4, "little") + (16).to_bytes(4, "little") + (8).to_bytes(4, "little") + seed


@test
def network_of_four_validators_and_three_providers_settles_fifty_jobs():
    binary = default_binary()
    tmp = tempfile.mkdtemp(prefix="basalt-providers-")
    nodes = []
    try:
        alice_port = free_port()
        boot = f"/ip4/127.0.0.1/tcp/{alice_port}/p2p/{ALICE_PEER_ID}"
        slot = ["--slot-duration-ms", "1000"]
        for i, name in enumerate(("alice", "bob", "charlie", "dave")):
            args = slot + ["--bootnodes", boot]
            chain = ["--chain", "local", f"--{name}", "--base-path", os.path.join(tmp, name)]
            if name == "alice":
                node = DevNode(binary, free_port(), alice_port, args + ["--node-key", ALICE_NODE_KEY], chain)
                node._spawn()
            else:
                node = DevNode(binary, free_port(), free_port(), args, chain)
                node._spawn()
            nodes.append(node)
        for name in PROVIDERS:
            base = os.path.join(tmp, "provider-" + name.lower())
            insert_provider_key(binary, base, name)
            args = slot + ["--bootnodes", boot, "--provider"]
            if name == "Charlie":
                args += ["--test-cheat-rate", "0.3"]
            node = DevNode(binary, free_port(), free_port(), args, ["--chain", "local", "--base-path", base])
            node._spawn()
            nodes.append(node)
        for node in nodes:
            node.wait_ready(120, min_block=2)
        client_node = nodes[3]  # Dave's validator: not a provider
        s = common.connect(client_node.ws_url)
        charlie = DEV["Charlie"].ss58_address
        # 50 jobs: both kernels, 1, 2 or 3 replicas, distinct inputs.
        specs = []
        for i in range(50):
            kernel, replicas = i % 2, (1, 2, 3)[i % 3]
            seed = blake2_256(b"job %d" % i)
            specs.append((kernel, replicas, seed))
        # One client submits them all, so that its nonces order them and job i gets id first + i.
        client = DEV["Dave"]
        # The client reads its runtime nonce, so a burst needs explicit nonces (from the pool).
        first = to_int(s.query("Jobs", "NextJobId").value)
        nonce = rpc(s, "system_accountNextIndex", [client.ss58_address])
        for kernel, replicas, seed in specs:
            call = s.compose_call("Jobs", "submit_job", {
                "program": kernel, "input": "0x" + job_input(kernel, seed).hex(), "replicas": replicas,
                "price": UNIT, "timeout": 60})
            s.submit_extrinsic(s.create_signed_extrinsic(call, client, era={"period": 64}, nonce=nonce),
                               wait_for_inclusion=False)
            nonce += 1
        ids = {i: first + i for i in range(50)}
        deadline = time.monotonic() + 60
        while to_int(s.query("Jobs", "NextJobId").value) < first + 50:
            assert time.monotonic() < deadline, "the 50 jobs were not all included"
            time.sleep(1)
        # Follow every job (one paged storage query a round); dispute an optimistic result that
        # is not the right one while its challenge window is open.
        disputed, final = set(), {}
        by_id = {job_id: i for i, job_id in ids.items()}
        deadline = time.monotonic() + 600
        while len(final) < 50:
            assert time.monotonic() < deadline, f"{50 - len(final)} jobs not settled"
            for key, value in s.query_map("Jobs", "Jobs", page_size=200):
                job_id, job = to_int(key.value), value.value
                i = by_id.get(job_id)
                if i is None or i in final:
                    continue
                state = job["state"]
                if common.job_is_final(state):
                    final[i] = job
                elif state == "Revealed" and i not in disputed:
                    result = next(a["result"] for a in job["assignments"] if a["role"] == "Replica")
                    if result != "0x" + blake2_256(expected_output(specs[i][0], specs[i][2])).hex():
                        call = s.compose_call("Jobs", "dispute", {"job": job_id})
                        nonce = rpc(s, "system_accountNextIndex", [client.ss58_address])
                        xt = s.create_signed_extrinsic(call, client, era={"period": 64}, nonce=nonce)
                        s.submit_extrinsic(xt, wait_for_inclusion=False)
                        disputed.add(i)
            time.sleep(0.5)
        completed = 0
        for i, job in final.items():
            kernel, replicas, seed = specs[i]
            output = expected_output(kernel, seed)
            state = job["state"]
            if "Completed" in state:
                # No wrong result is ever accepted, and the client's own node serves the output.
                assert state["Completed"] == "0x" + blake2_256(output).hex(), (
                    i, state, i in disputed, job_events(s, ids[i], to_int(job["submitted_at"])))
                out = rpc(s, "jobs_getResult", [ids[i], 0, None])
                assert bytes.fromhex(out["output"][2:]) == output and out["resultHash"] == state["Completed"]
                completed += 1
            else:
                # Only a job that needed the cheater (three replicas once it is jailed) may fail.
                assert replicas == 3 or any(a["provider"] == charlie for a in job["assignments"]), (i, state)
        record = s.query("Jobs", "ProviderRecords", [charlie]).value
        print(f"     {completed}/50 completed, {len(disputed)} disputed; cheater record {record}", flush=True)
        assert completed >= 35, completed
        assert record["offences"] >= 1 and to_int(record["slashed"]) > 0, record
        for name in ("Alice", "Bob"):
            honest = s.query("Jobs", "ProviderRecords", [DEV[name].ss58_address]).value
            assert honest["offences"] == 0 and honest["jobs_done"] > 0, (name, honest)
        if record["offences"] >= 3:
            jailed = to_int(record["jailed_since"])
            head = s.get_block_number(s.get_chain_head())
            for n in range(jailed + 1, head + 1):
                for ev in s.query("System", "Events", block_hash=s.get_block_hash(n)).value:
                    e = ev["event"]
                    if e["module_id"] == "Jobs" and e["event_id"] == "JobAssigned":
                        assert charlie not in e["attributes"]["providers"], (n, e)
        s.close()
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", help="run only checks whose name contains this")
    args = ap.parse_args()
    t0 = time.monotonic()
    passed, failed = [], []
    common.run_checks(TESTS, args.k, passed, failed, timeout=900)
    print(f"provider suite: {time.monotonic() - t0:.1f}s; {len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
