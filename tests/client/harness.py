"""Start the real `basalt` binary for a client suite, wait until it serves, and always stop it.

Only the standard library is used here, so the harness works before any client is imported.

    node = DevNode.start()          # BASALT_BIN, --dev --tmp, free ports
    node = start_node()             # the same, or the node at BASALT_URL (a testnet validator)
    ...  node.ws_url / node.http_url / node.rpc("system_health")
    node.stop()                     # also done at exit and on SIGINT/SIGTERM/SIGHUP
"""

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

_LIVE_NODES = []
_HANDLERS_INSTALLED = False


def default_binary():
    """BASALT_BIN, else the release binary in CARGO_TARGET_DIR (or ~/.cache/basalt-target)."""
    if os.environ.get("BASALT_BIN"):
        return os.environ["BASALT_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/basalt-target"))
    return os.path.join(target, "release", "basalt")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """In the child before exec: Linux sends it SIGKILL when this process dies, however it dies."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _stop_all():
    for node in list(_LIVE_NODES):
        node.stop()


def _on_signal(signum, _frame):
    _stop_all()
    # The conventional exit status of a process ended by a signal.
    os._exit(128 + signum)


def _install_handlers():
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED:
        return
    _HANDLERS_INSTALLED = True
    atexit.register(_stop_all)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


class NodeError(RuntimeError):
    pass


def _rpc(http_url, method, params, timeout):
    """One JSON-RPC call over HTTP; returns the whole response object (result or error)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                       "params": [] if params is None else params}).encode()
    req = urllib.request.Request(http_url, data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


class ExternalNode:
    """A node this harness did not start (BASALT_URL=ws://host:port): for running the suite
    against a validator of a multi-node network (scripts/testnet.sh). Never stopped here."""

    def __init__(self, ws_url):
        self.ws_url = ws_url
        self.http_url = "http" + ws_url[len("ws"):] if ws_url.startswith("ws") else ws_url

    def rpc(self, method, params=None, timeout=10):
        """One JSON-RPC call over HTTP; returns the whole response object (result or error)."""
        return _rpc(self.http_url, method, params, timeout)

    def alive(self):
        try:
            return "result" in self.rpc("system_health", timeout=5)
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
            return False

    def log_tail(self, lines=60):
        return f"(external node at {self.ws_url}: its log is where it was started)"

    def stop(self, timeout=10):
        pass

    def remove_log(self):
        pass


def start_node(extra_args=()):
    """The node under test: BASALT_URL's if set, else a fresh `basalt --dev --tmp`."""
    url = os.environ.get("BASALT_URL")
    if url:
        print(f"[harness] using the external node at {url}", flush=True)
        return ExternalNode(url)
    return DevNode.start(extra_args=extra_args)


class DevNode:
    """A `basalt --dev --tmp` process on free ports, with its log in a temporary file.
    `chain_args` replaces `--dev --tmp` (e.g. `--chain local --bob --base-path DIR`)."""

    def __init__(self, binary, rpc_port, p2p_port, extra_args, chain_args=("--dev", "--tmp")):
        self.binary = binary
        self.rpc_port = rpc_port
        self.p2p_port = p2p_port
        metrics = [] if "--prometheus-port" in extra_args else ["--no-prometheus"]
        self.args = [binary] + list(chain_args) + [
            "--rpc-port", str(rpc_port),
            "--port", str(p2p_port),
        ] + metrics + list(extra_args)
        self.log_path = None
        self.proc = None
        self._log_file = None

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.rpc_port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.rpc_port}"

    @classmethod
    def start(cls, binary=None, extra_args=(), ready_timeout=120, min_block=1, chain_args=("--dev", "--tmp")):
        binary = binary or default_binary()
        if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
            raise NodeError(f"no basalt binary at {binary} (set BASALT_BIN or build it: "
                            "cargo build --release -p basalt-node)")
        _install_handlers()
        last_error = None
        for _attempt in range(3):  # a port taken between choosing and binding: try new ports
            node = cls(binary, free_port(), free_port(), extra_args, chain_args)
            node._spawn()
            try:
                node.wait_ready(ready_timeout, min_block)
                return node
            except NodeError as e:
                last_error = e
                exited = node.proc.poll() is not None
                tail = node.log_tail()
                node.stop()
                if exited and "in use" in tail.lower():
                    continue
                raise NodeError(f"{e}\n--- node log (last lines) ---\n{tail}") from None
        raise last_error

    def _spawn(self):
        fd, self.log_path = tempfile.mkstemp(prefix="basalt-node-", suffix=".log")
        self._log_file = os.fdopen(fd, "wb")
        print(f"[harness] starting: {' '.join(self.args)} (log: {self.log_path})", flush=True)
        self._popen()

    def _popen(self):
        self.proc = subprocess.Popen(
            self.args,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a Ctrl-C here is ours to handle
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        if self not in _LIVE_NODES:
            _LIVE_NODES.append(self)

    def rpc(self, method, params=None, timeout=10):
        """One JSON-RPC call over HTTP; returns the whole response object (result or error)."""
        return _rpc(self.http_url, method, params, timeout)

    def wait_ready(self, timeout, min_block=1):
        """Until the RPC answers and block `min_block` exists (the node authors blocks)."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise NodeError(f"basalt exited with status {self.proc.returncode} before it was ready")
            try:
                head = self.rpc("chain_getHeader", [], timeout=2)
                if "result" in head and head["result"]:
                    number = int(head["result"]["number"], 16)
                    if number >= min_block:
                        print(f"[harness] node ready at {self.ws_url}, best block #{number}", flush=True)
                        return
                    last = f"best block #{number}"
                else:
                    last = f"chain_getHeader answered {head}"
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError, ValueError) as e:
                last = f"{type(e).__name__}: {e}"
            time.sleep(0.25)
        raise NodeError(f"node not ready after {timeout}s (last: {last})")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=60):
        if not self.log_path or not os.path.exists(self.log_path):
            return "(no log)"
        try:
            if self._log_file:
                self._log_file.flush()
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError as e:
            return f"(cannot read log: {e})"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after `timeout` seconds; idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    print("[harness] node ignored SIGTERM; killing it", file=sys.stderr, flush=True)
                    self.proc.kill()
                    self.proc.wait(5)
            except ProcessLookupError:
                pass
        if self._log_file:
            try:
                self._log_file.close()
            except OSError:
                pass
            self._log_file = None
        if self in _LIVE_NODES:
            _LIVE_NODES.remove(self)

    def kill(self):
        """SIGKILL, as a crash or power loss would stop it (nothing is flushed or closed)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, ready_timeout=120, min_block=1):
        """Starts the same command again (same ports and base path) after stop() or kill()."""
        if self._log_file:
            self._log_file.close()
        self._log_file = open(self.log_path, "ab")
        print(f"[harness] restarting: {' '.join(self.args)}", flush=True)
        self._popen()
        self.wait_ready(ready_timeout, min_block)

    def remove_log(self):
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)
