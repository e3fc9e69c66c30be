"""Helpers shared by run.py and gen_fixtures.py: connecting the stock client, submitting with a
deadline, balances at a block, events of an extrinsic."""

import hashlib
import signal
import time
import traceback

from substrateinterface import SubstrateInterface
from substrateinterface.exceptions import SubstrateRequestException

UNIT = 10 ** 12
# The treasury account (`modlpy/trsry` padded): it receives half of every fee.
TREASURY = "5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z"


class Deadline:
    """SIGALRM-based deadline for a block of code: py-substrate-interface can wait for ever."""

    def __init__(self, seconds, what):
        self.seconds = int(seconds)
        self.what = what

    def _fire(self, _signum, _frame):
        raise TimeoutError(f"{self.what}: no answer within {self.seconds}s")

    def __enter__(self):
        self._old = signal.signal(signal.SIGALRM, self._fire)
        signal.alarm(self.seconds)
        return self

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self._old)
        return False


def run_checks(tests, only, passed, failed, timeout, stop_at_first=False, after_failure=None):
    """Runs each check whose name contains `only` (all when None) under a deadline, printing
    ok/FAIL with its time; returns False if it stopped at a failure."""
    for fn in tests:
        if only and only not in fn.__name__:
            continue
        start = time.monotonic()
        try:
            with Deadline(timeout, fn.__name__):
                fn()
            passed.append(fn.__name__)
            print(f"ok   {fn.__name__} ({time.monotonic() - start:.1f}s)", flush=True)
        except Exception:
            failed.append(fn.__name__)
            print(f"FAIL {fn.__name__} ({time.monotonic() - start:.1f}s)", flush=True)
            traceback.print_exc()
            if after_failure:
                after_failure()
            if stop_at_first:
                return False
    return True


def connect(url, timeout=60):
    """The stock client, exactly as a user would create it (plus a socket timeout)."""
    return SubstrateInterface(url=url, ss58_format=42, ws_options={"timeout": timeout})


def rpc(substrate, method, params):
    """A raw JSON-RPC request through the client's own transport; returns the result or raises."""
    return substrate.rpc_request(method, params)["result"]


def rpc_error(substrate, method, params):
    """Expect a JSON-RPC error; returns the error object {code, message, data}."""
    try:
        res = substrate.rpc_request(method, params)
    except SubstrateRequestException as e:
        err = e.args[0]
        assert isinstance(err, dict), f"{method}: error is not a JSON-RPC error object: {err!r}"
        return err
    raise AssertionError(f"{method} {params!r}: expected a JSON-RPC error, got {res!r}")


def free_balance(substrate, address, block_hash=None):
    return substrate.query("System", "Account", [address], block_hash=block_hash).value["data"]["free"]


def account(substrate, address, block_hash=None):
    return substrate.query("System", "Account", [address], block_hash=block_hash).value


def parent_hash(substrate, block_hash):
    return substrate.get_block_header(block_hash=block_hash)["header"]["parentHash"]


def submit(substrate, extrinsic, finalize=True, timeout=60):
    """Submit and wait for inclusion (and finality): the client's own submit_extrinsic."""
    with Deadline(timeout, "submit_extrinsic"):
        receipt = substrate.submit_extrinsic(extrinsic, wait_for_inclusion=True,
                                             wait_for_finalization=finalize)
        # Touch everything lazily fetched while the deadline holds.
        try:
            receipt.triggered_events
        except AttributeError as e:
            if "extrinsic_idx" in str(e):
                raise AssertionError(
                    "the client cannot read this extrinsic's events: System.Events elements did not decode "
                    "as EventRecord (the metadata's type path must be frame_system::EventRecord)") from e
            raise
        receipt.is_success
    return receipt


def events_by_name(receipt):
    """[(pallet, event, attributes)] of the extrinsic, in order."""
    out = []
    for ev in receipt.triggered_events:
        v = ev.value
        out.append((v["module_id"], v["event_id"], v["attributes"]))
    return out


def find_event(events, pallet, name):
    found = [a for (p, n, a) in events if p == pallet and n == name]
    assert found, f"no {pallet}.{name} among {[(p, n) for p, n, _ in events]}"
    return found[0]


def wait_for_block(substrate, number, timeout):
    deadline = time.monotonic() + timeout
    while True:
        head = substrate.get_block_number(substrate.get_chain_head())
        if head >= number:
            return head
        if time.monotonic() > deadline:
            raise TimeoutError(f"chain at #{head}, wanted #{number} within {timeout}s")
        time.sleep(0.2)


def wait_finalized(substrate, number, timeout):
    deadline = time.monotonic() + timeout
    while True:
        fin = substrate.get_block_number(substrate.get_chain_finalised_head())
        if fin >= number:
            return fin
        if time.monotonic() > deadline:
            raise TimeoutError(f"finalized #{fin}, wanted #{number} within {timeout}s")
        time.sleep(0.2)


# Built-in kernels as docs/KERNELS.md specifies them, computed here to check the chain's results.

def blake2_256(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def blake2_chain(seed, rounds):
    """docs/KERNELS.md: x1 = blake2_256(seed), x(i+1) = blake2_256(xi); the output is x(rounds)."""
    x = blake2_256(seed)
    for _ in range(rounds - 1):
        x = blake2_256(x)
    return x


def matmul_i8(m, k, n, seed):
    """docs/KERNELS.md: A (m x k) then B (k x n) as i8 from blake2_256(seed ++ u64_le(i)) blocks;
    the output is A x B as i32 little-endian, row-major."""
    need, stream, i = m * k + k * n, b"", 0
    while len(stream) < need:
        stream += blake2_256(seed + i.to_bytes(8, "little"))
        i += 1
    signed = [b - 256 if b > 127 else b for b in stream[:need]]
    a, b = signed[:m * k], signed[m * k:]
    out = [sum(a[r * k + t] * b[t * n + c] for t in range(k)) for r in range(m) for c in range(n)]
    return out, b"".join(v.to_bytes(4, "little", signed=True) for v in out)


def scale_compact(n):
    assert n < 1 << 14
    return bytes([n << 2]) if n < 64 else ((n << 2) | 1).to_bytes(2, "little")


# Jobs as a client follows them.

def to_int(v):
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        return int(v, 16) if v.startswith("0x") else int(v)
    raise AssertionError(f"not a number: {v!r}")


def job_is_final(state):
    """Whether a Job's state, as the client decodes it, is settled."""
    return isinstance(state, dict) and next(iter(state)) in ("Completed", "Refunded") or state == "Expired"


def job_events(s, job_id, since_block):
    """Every Jobs event about `job_id` from block `since_block` to the head."""
    head = s.get_block_number(s.get_chain_head())
    out = []
    for n in range(since_block, head + 1):
        for ev in s.query("System", "Events", block_hash=s.get_block_hash(n)).value:
            e = ev["event"]
            if e["module_id"] == "Jobs" and to_int((e["attributes"] or {}).get("job", -1)) == job_id:
                out.append((e["event_id"], e["attributes"]))
    return out


def settled_at(s, job_id, since_block):
    """The block whose events settle `job_id` (JobCompleted or JobRefunded)."""
    head = s.get_block_number(s.get_chain_head())
    for n in range(since_block, head + 1):
        for ev in s.query("System", "Events", block_hash=s.get_block_hash(n)).value:
            e = ev["event"]
            if e["module_id"] == "Jobs" and e["event_id"] in ("JobCompleted", "JobRefunded") and \
                    to_int((e["attributes"] or {}).get("job", -1)) == job_id:
                return n
    raise AssertionError(f"no settlement event for job {job_id}")


def submit_job(s, client, program, input_bytes, replicas, price, timeout=20):
    """Jobs.submit_job signed by `client`, waited for in a block; returns (job id, held, fee)."""
    call = s.compose_call("Jobs", "submit_job", {"program": program, "input": "0x" + input_bytes.hex(),
                                                 "replicas": replicas, "price": price, "timeout": timeout})
    receipt = submit(s, s.create_signed_extrinsic(call, client, era={"period": 64}), finalize=False)
    assert receipt.is_success, receipt.error_message
    events = events_by_name(receipt)
    submitted = find_event(events, "Jobs", "JobSubmitted")
    fee = to_int(find_event(events, "TransactionPayment", "TransactionFeePaid")["actual_fee"])
    return to_int(submitted["job"]), to_int(submitted["held"]), fee


def wait_final(s, job_id, timeout=60):
    """The job once settled (Completed, Refunded or Expired)."""
    deadline = time.monotonic() + timeout
    while True:
        job = s.query("Jobs", "Jobs", [job_id]).value
        if job_is_final(job["state"]):
            return job
        assert time.monotonic() < deadline, f"job {job_id} not settled in {timeout}s: {job['state']}"
        time.sleep(0.2)
