"""Helpers shared by run.py and gen_fixtures.py: connecting the stock client, submitting with a
deadline, balances at a block, events of an extrinsic."""

import signal
import time

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
