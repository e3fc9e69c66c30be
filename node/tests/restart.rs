//! Restart and crash tests of the real `basalt` binary.
//!
//! - A node stopped with SIGTERM restarts on the same base path at the same head, with the
//!   same state (Alice's `System.Account` entry), and goes on authoring.
//! - A node killed with SIGKILL while it authors blocks and receives transfers restarts: the
//!   database opens, every block it had announced as final is still there, balances match the
//!   chain, and the chain goes on.
//!
//! Every spawned node is killed when its guard drops, even when an assertion fails.

use basalt_runtime::extensions::{signed_extra, AdditionalSigned};
use basalt_runtime::{RuntimeCall, UncheckedExtrinsic};
use basalt_support::generic::{Era, OpaqueExtrinsic};
use basalt_support::hashing::{blake2_128, twox_128};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::multisig::MultiPair;
use basalt_support::{AccountId, H256};
use codec::Encode;
use serde_json::{json, Value};
use sp_core::crypto::Pair as _;
use sp_core::sr25519;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running node; killed (SIGKILL) and reaped on drop.
struct Node {
    child: Option<Child>,
    rpc_port: u16,
}

impl Node {
    /// Start `basalt` with `args` plus a fresh RPC port and no Prometheus endpoint.
    fn start(base: &Path, args: &[&str]) -> Node {
        let rpc_port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(base.join("node.log"))
            .expect("open the node log");
        let child = Command::new(env!("CARGO_BIN_EXE_basalt"))
            .args(args)
            .arg("--base-path")
            .arg(base)
            .args(["--rpc-port", &rpc_port.to_string(), "--no-prometheus"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start basalt");
        let node = Node {
            child: Some(child),
            rpc_port,
        };
        node.wait_for_rpc(Duration::from_secs(30));
        node
    }

    fn rpc(&self, method: &str, params: Value) -> Result<Value, String> {
        rpc(self.rpc_port, method, params)
    }

    fn wait_for_rpc(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.rpc("system_chain", json!([])).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the node's RPC did not come up within {timeout:?}");
    }

    /// The best block's number and hash.
    fn head(&self) -> (u32, H256) {
        let header = self
            .rpc("chain_getHeader", json!([]))
            .expect("chain_getHeader");
        let number = parse_number(&header["number"]);
        let hash = parse_hash(
            &self
                .rpc("chain_getBlockHash", json!([number]))
                .expect("hash"),
        );
        (number, hash)
    }

    fn finalized(&self) -> (u32, H256) {
        let hash = parse_hash(
            &self
                .rpc("chain_getFinalizedHead", json!([]))
                .expect("finalized head"),
        );
        let header = self
            .rpc("chain_getHeader", json!([hash]))
            .expect("finalized header");
        (parse_number(&header["number"]), hash)
    }

    /// Wait until the best block is at least `number`.
    fn wait_for_block(&self, number: u32, timeout: Duration) -> (u32, H256) {
        let deadline = Instant::now() + timeout;
        loop {
            let head = self.head();
            if head.0 >= number {
                return head;
            }
            assert!(
                Instant::now() < deadline,
                "no block #{number} within {timeout:?} (head #{})",
                head.0
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stop with SIGTERM and wait for a clean exit.
    fn terminate(mut self) {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                assert!(
                    status.success(),
                    "the node exited with {status} after SIGTERM"
                );
                return;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the node did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kill with SIGKILL, as a crash or power loss would.
    fn crash(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One JSON-RPC call over HTTP/1.1 with a handwritten request.
fn rpc(port: u16, method: &str, params: Value) -> Result<Value, String> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| e.to_string())?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP header end")?;
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let mut payload = response[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        payload = dechunk(&payload)?;
    }
    let value: Value = serde_json::from_slice(&payload).map_err(|e| format!("bad JSON: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(error.to_string());
    }
    Ok(value["result"].clone())
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..line_end]).trim(), 16)
            .map_err(|e| e.to_string())?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).ok_or("short chunk")?);
        data = data.get(size + 2..).ok_or("short chunk")?;
    }
}

fn parse_number(value: &Value) -> u32 {
    let text = value.as_str().expect("number is a string");
    u32::from_str_radix(text.trim_start_matches("0x"), 16).expect("hex number")
}

fn parse_hash(value: &Value) -> H256 {
    let text = value.as_str().expect("hash is a string");
    let bytes = hex::decode(text.trim_start_matches("0x")).expect("hex hash");
    H256::from_slice(&bytes)
}

fn account(name: &str) -> AccountId {
    AccountId::from(
        sr25519::Pair::from_string(&format!("//{name}"), None)
            .expect("dev key")
            .public(),
    )
}

/// The storage key of `System.Account(who)`.
fn account_key(who: &AccountId) -> String {
    let raw: &[u8; 32] = who.as_ref();
    let mut key = twox_128(b"System").to_vec();
    key.extend(twox_128(b"Account"));
    key.extend(blake2_128(raw));
    key.extend(raw);
    format!("0x{}", hex::encode(key))
}

/// `System.Account(who)` at block `at` (raw SCALE hex), or null.
fn account_at(node: &Node, who: &AccountId, at: H256) -> Value {
    node.rpc(
        "state_getStorage",
        json!([account_key(who), format!("{at:?}")]),
    )
    .expect("state_getStorage")
}

/// The free balance in a raw `AccountInfo` (nonce, consumers, providers, sufficients: 16
/// bytes; then free: u128).
fn free_balance(raw: &Value) -> u128 {
    let Some(text) = raw.as_str() else { return 0 };
    let bytes = hex::decode(text.trim_start_matches("0x")).expect("hex value");
    u128::from_le_bytes(bytes[16..32].try_into().expect("16 bytes"))
}

/// A signed transfer of `value` from `from` (with `nonce`) to `to`, immortal.
fn transfer(from: &str, to: &AccountId, value: u128, nonce: u32, genesis: H256) -> String {
    let pair =
        MultiPair::from(sr25519::Pair::from_string(&format!("//{from}"), None).expect("dev key"));
    let additional: AdditionalSigned = (
        (),
        basalt_runtime::version::SPEC_VERSION,
        basalt_runtime::version::TRANSACTION_VERSION,
        genesis,
        genesis,
        (),
        (),
        (),
        None,
    );
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: MultiAddress::Id(to.clone()),
        value,
    });
    let xt = UncheckedExtrinsic::new_signed_by(
        call,
        signed_extra(nonce, 0, Era::Immortal),
        &additional,
        &pair,
    );
    format!("0x{}", hex::encode(OpaqueExtrinsic::from(&xt).encode()))
}

#[test]
fn restart_resumes_at_the_same_head_with_the_same_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path();
    let alice = account("Alice");

    let node = Node::start(base, &["--dev", "--slot-duration-ms", "500"]);
    node.wait_for_block(3, Duration::from_secs(60));
    let genesis = parse_hash(&node.rpc("chain_getBlockHash", json!([0])).expect("genesis"));
    node.terminate();

    // Restarted without authoring (no --dev): the head is exactly where the node stopped.
    let node = Node::start(base, &["--chain", "dev"]);
    let (number, hash) = node.head();
    assert!(number >= 3, "head #{number} after restart");
    let (finalized, _) = node.finalized();
    assert_eq!(
        finalized,
        number - 1,
        "a lone authority's blocks are final once their child is imported"
    );
    assert_eq!(
        parse_hash(&node.rpc("chain_getBlockHash", json!([0])).expect("genesis")),
        genesis
    );
    let alice_before = account_at(&node, &alice, hash);
    assert!(
        free_balance(&alice_before) > 0,
        "Alice is funded: {alice_before}"
    );
    node.terminate();

    // Restarted as the dev validator: same head and state, and the chain goes on from it.
    let node = Node::start(base, &["--dev", "--slot-duration-ms", "500"]);
    assert_eq!(
        parse_hash(
            &node
                .rpc("chain_getBlockHash", json!([number]))
                .expect("hash")
        ),
        hash
    );
    assert_eq!(account_at(&node, &alice, hash), alice_before);
    let (next, _) = node.wait_for_block(number + 2, Duration::from_secs(60));
    assert!(next >= number + 2);
    let header = node
        .rpc("chain_getHeader", json!([format!("{:?}", node.head().1)]))
        .expect("header");
    assert!(
        header["digest"]["logs"]
            .as_array()
            .is_some_and(|l| l.len() == 2),
        "aura pre-runtime and seal: {header}"
    );
    node.terminate();
}

#[test]
fn kill_9_during_transfers_loses_nothing_final() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path();
    let bob = account("Bob");
    let args = ["--dev", "--slot-duration-ms", "200"];

    let mut last_final = None;
    let mut nonce = 0u32;
    for round in 0..3u32 {
        let node = Node::start(base, &args);
        // The database opened; everything final before the crash is still there.
        if let Some((number, hash)) = last_final {
            assert_eq!(
                parse_hash(
                    &node
                        .rpc("chain_getBlockHash", json!([number]))
                        .expect("hash")
                ),
                hash,
                "final block #{number} survived the crash"
            );
        }
        let genesis = parse_hash(&node.rpc("chain_getBlockHash", json!([0])).expect("genesis"));
        let (start, _) = node.head();
        node.wait_for_block(start + 2, Duration::from_secs(60));
        // A stream of transfers from Alice to Bob, then a kill in the middle of it.
        nonce = node
            .rpc(
                "system_accountNextIndex",
                json!([format!("{}", account("Alice"))]),
            )
            .ok()
            .and_then(|v| v.as_u64())
            .map(|n| n as u32)
            .unwrap_or(nonce);
        let stop_at = Instant::now() + Duration::from_millis(1500 + 300 * u64::from(round));
        while Instant::now() < stop_at {
            let xt = transfer("Alice", &bob, 1_000_000_000, nonce, genesis);
            if node.rpc("author_submitExtrinsic", json!([xt])).is_ok() {
                nonce += 1;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        last_final = Some(node.finalized());
        node.crash();
    }

    // After the last crash: the chain goes on, and Bob's balance is the chain's.
    let node = Node::start(base, &args);
    let (number, hash) = last_final.expect("rounds ran");
    assert_eq!(
        parse_hash(
            &node
                .rpc("chain_getBlockHash", json!([number]))
                .expect("hash")
        ),
        hash
    );
    let (head, head_hash) = node.wait_for_block(number + 3, Duration::from_secs(60));
    assert!(head >= number + 3);
    let bob_now = free_balance(&account_at(&node, &bob, head_hash));
    assert!(
        bob_now > 1_000_000 * 1_000_000_000_000,
        "Bob received transfers: {bob_now}"
    );
    node.terminate();
}
