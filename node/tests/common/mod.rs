//! What the real-process tests share: a guard around a running `basalt` (killed and reaped on
//! drop, even when an assertion fails), JSON-RPC over plain HTTP, and builders for signed
//! transfers and storage keys.

#![allow(dead_code)] // each test crate uses its own part of the harness

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
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running node; killed (SIGKILL) and reaped on drop.
pub struct Node {
    child: Option<Child>,
    /// The JSON-RPC port (HTTP and WebSocket) on 127.0.0.1.
    pub rpc_port: u16,
    /// The log file (stderr), appended to across restarts.
    pub log: PathBuf,
}

impl Node {
    /// Start `basalt` with `args` plus `--base-path base`, a fresh RPC port and no Prometheus
    /// endpoint; logs go to `base/node.log`.
    pub fn start(base: &Path, args: &[&str]) -> Node {
        Node::start_on(base, args, free_port())
    }

    /// [`Node::start`] on a given RPC port (to restart a node where its peers expect it).
    pub fn start_on(base: &Path, args: &[&str], rpc_port: u16) -> Node {
        std::fs::create_dir_all(base).expect("create the base path");
        let log_path = base.join("node.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
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
            log: log_path,
        };
        node.wait_for_rpc(Duration::from_secs(30));
        node
    }

    /// The last `lines` lines of the node's log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    pub fn rpc(&self, method: &str, params: Value) -> Result<Value, String> {
        rpc(self.rpc_port, method, params)
    }

    pub fn wait_for_rpc(&self, timeout: Duration) {
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
    pub fn head(&self) -> (u32, H256) {
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

    pub fn finalized(&self) -> (u32, H256) {
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
    pub fn wait_for_block(&self, number: u32, timeout: Duration) -> (u32, H256) {
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
    pub fn terminate(mut self) {
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
    pub fn crash(mut self) {
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

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One JSON-RPC call to `127.0.0.1:port`.
pub fn rpc(port: u16, method: &str, params: Value) -> Result<Value, String> {
    rpc_at("127.0.0.1", port, method, params)
}

/// One JSON-RPC call over HTTP/1.1 with a handwritten request to `host:port`; the error
/// object as a string when the node answers with one.
pub fn rpc_at(host: &str, port: u16, method: &str, params: Value) -> Result<Value, String> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let mut stream = TcpStream::connect((host, port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
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

pub fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
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

pub fn parse_number(value: &Value) -> u32 {
    let text = value.as_str().expect("number is a string");
    u32::from_str_radix(text.trim_start_matches("0x"), 16).expect("hex number")
}

pub fn parse_hash(value: &Value) -> H256 {
    let text = value.as_str().expect("hash is a string");
    let bytes = hex::decode(text.trim_start_matches("0x")).expect("hex hash");
    H256::from_slice(&bytes)
}

pub fn account(name: &str) -> AccountId {
    AccountId::from(
        sr25519::Pair::from_string(&format!("//{name}"), None)
            .expect("dev key")
            .public(),
    )
}

/// The storage key of `System.Account(who)`.
pub fn account_key(who: &AccountId) -> String {
    let raw: &[u8; 32] = who.as_ref();
    let mut key = twox_128(b"System").to_vec();
    key.extend(twox_128(b"Account"));
    key.extend(blake2_128(raw));
    key.extend(raw);
    format!("0x{}", hex::encode(key))
}

/// `System.Account(who)` at block `at` (raw SCALE hex), or null.
pub fn account_at(node: &Node, who: &AccountId, at: H256) -> Value {
    node.rpc(
        "state_getStorage",
        json!([account_key(who), format!("{at:?}")]),
    )
    .expect("state_getStorage")
}

/// The free balance in a raw `AccountInfo` (nonce, consumers, providers, sufficients: 16
/// bytes; then free: u128).
pub fn free_balance(raw: &Value) -> u128 {
    let Some(text) = raw.as_str() else { return 0 };
    let bytes = hex::decode(text.trim_start_matches("0x")).expect("hex value");
    u128::from_le_bytes(bytes[16..32].try_into().expect("16 bytes"))
}

/// A signed transfer of `value` from `from` (with `nonce`) to `to`, immortal.
pub fn transfer(from: &str, to: &AccountId, value: u128, nonce: u32, genesis: H256) -> String {
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
