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
use std::collections::BTreeMap;
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
    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: MultiAddress::Id(to.clone()),
        value,
    });
    signed(from, call, nonce, genesis)
}

/// `call` signed by the dev account `from` (sr25519 `//from`) with `nonce`, immortal, as the
/// hex `author_submitExtrinsic` takes.
pub fn signed(from: &str, call: RuntimeCall, nonce: u32, genesis: H256) -> String {
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
    let xt = UncheckedExtrinsic::new_signed_by(
        call,
        signed_extra(nonce, 0, Era::Immortal),
        &additional,
        &pair,
    );
    format!("0x{}", hex::encode(OpaqueExtrinsic::from(&xt).encode()))
}

// ---- Four-validator networks of the local chain --------------------------------------------

/// Slot length for the tests: GRANDPA rounds follow within a second or two.
pub const SLOT_MS: &str = "1000";

/// The validators of the local chain, in node-key order (node key `i + 1`).
pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// The peer id of node key `n` (64 hex digits of `n`).
pub fn peer_id(n: usize) -> String {
    let key = basalt_network::node_key_from_hex(&format!("{n:064x}")).expect("node key");
    basalt_network::peer_id_of(&key).to_string()
}

/// A node of a test network: how to start it again where its peers expect it.
pub struct Member {
    /// Its base path.
    pub base: PathBuf,
    /// Its command line (without base path and RPC port).
    pub args: Vec<String>,
    /// Its RPC port, kept across restarts.
    pub rpc_port: u16,
    /// The process, while it runs.
    pub node: Option<Node>,
}

impl Member {
    /// Start (or restart) the node with its command line.
    pub fn start(&mut self) {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        self.node = Some(Node::start_on(&self.base, &args, self.rpc_port));
    }

    /// The running node.
    pub fn node(&self) -> &Node {
        self.node.as_ref().expect("running")
    }

    /// Kill the node (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(node) = self.node.take() {
            node.crash();
        }
    }
}

/// Four validators on loopback, Alice the boot node.
pub struct TestNet {
    /// Where every node's base path is.
    pub dir: PathBuf,
    /// Alice's address, every node's boot node.
    pub boot: String,
    /// The nodes: the four validators first, then those added.
    pub members: Vec<Member>,
    /// Every finalized (height, hash) any node ever reported, per height: must stay one hash.
    seen_final: BTreeMap<u32, H256>,
}

impl TestNet {
    /// Start the four validators under `dir`.
    pub fn start(dir: &Path) -> TestNet {
        TestNet::start_with(dir, |_| Vec::new())
    }

    /// [`TestNet::start`], with `extra(i)` added to validator `i`'s command line.
    pub fn start_with(dir: &Path, extra: impl Fn(usize) -> Vec<String>) -> TestNet {
        let alice_port = free_port();
        let boot = format!("/ip4/127.0.0.1/tcp/{alice_port}/p2p/{}", peer_id(1));
        let mut net = TestNet {
            dir: dir.to_path_buf(),
            boot,
            members: Vec::new(),
            seen_final: BTreeMap::new(),
        };
        for (i, who) in VALIDATORS.iter().enumerate() {
            let port = if i == 0 { alice_port } else { free_port() };
            let mut args = vec![
                format!("--{who}"),
                "--node-key".into(),
                format!("{:064x}", i + 1),
            ];
            args.extend(net.common_args(port));
            args.extend(extra(i));
            net.members.push(Member {
                base: dir.join(who),
                args,
                rpc_port: free_port(),
                node: None,
            });
        }
        for member in &mut net.members {
            member.start();
        }
        net
    }

    /// The flags every node of the network gets.
    pub fn common_args(&self, p2p_port: u16) -> Vec<String> {
        [
            "--chain",
            "local",
            "--no-mdns",
            "--rpc-methods",
            "unsafe",
            "--slot-duration-ms",
            SLOT_MS,
            "--port",
            &p2p_port.to_string(),
            "--bootnodes",
            &self.boot,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// Start a full node (no keys, not a validator) named `name`.
    pub fn add_full_node(&mut self, name: &str) -> usize {
        self.add_node(name, &[])
    }

    /// Start another node named `name` with `extra` flags (e.g. `--validator`); its index.
    pub fn add_node(&mut self, name: &str, extra: &[&str]) -> usize {
        let mut args = self.common_args(free_port());
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut member = Member {
            base: self.dir.join(name),
            args,
            rpc_port: free_port(),
            node: None,
        };
        member.start();
        self.members.push(member);
        self.members.len() - 1
    }

    /// The running members' finalized heads, by index; records them and fails on any conflict
    /// with a finalized block seen before at the same height.
    pub fn finalized(&mut self) -> Vec<(usize, u32, H256)> {
        let mut out = Vec::new();
        for (i, member) in self.members.iter().enumerate() {
            let Some(node) = &member.node else { continue };
            let Ok(hash) = node.rpc("chain_getFinalizedHead", json!([])) else {
                continue;
            };
            let Ok(header) = node.rpc("chain_getHeader", json!([hash])) else {
                continue;
            };
            let (number, hash) = (parse_number(&header["number"]), parse_hash(&hash));
            out.push((i, number, hash));
        }
        for (i, number, hash) in &out {
            let first = *self.seen_final.entry(*number).or_insert(*hash);
            assert_eq!(
                first,
                *hash,
                "node {i} finalized {hash:?} at #{number}, another node finalized {first:?}\n{}",
                self.logs()
            );
        }
        out
    }

    /// Wait until each of `which` has finalized at least `number`.
    pub fn wait_finalized(&mut self, which: &[usize], number: u32, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let heads = self.finalized();
            let done = which
                .iter()
                .all(|w| heads.iter().any(|(i, n, _)| i == w && *n >= number));
            if done {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nodes {which:?} did not all finalize #{number} within {timeout:?}: {heads:?}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// The highest finalized number among `which`.
    pub fn max_finalized(&mut self, which: &[usize]) -> u32 {
        self.finalized()
            .iter()
            .filter(|(i, _, _)| which.contains(i))
            .map(|(_, n, _)| *n)
            .max()
            .unwrap_or(0)
    }

    /// Every running node reports the same canonical hash at each height up to the lowest
    /// finalized one.
    pub fn assert_same_finalized_chain(&mut self) {
        let lowest = self
            .finalized()
            .iter()
            .map(|(_, n, _)| *n)
            .min()
            .expect("running nodes");
        for number in 0..=lowest {
            let hashes: Vec<Value> = self
                .members
                .iter()
                .filter_map(|m| m.node.as_ref())
                .map(|n| n.rpc("chain_getBlockHash", json!([number])).expect("hash"))
                .collect();
            assert!(
                hashes.windows(2).all(|w| w[0] == w[1]),
                "nodes disagree at finalized #{number}: {hashes:?}"
            );
        }
    }

    /// The tail of every node's log.
    pub fn logs(&self) -> String {
        self.members
            .iter()
            .filter_map(|m| m.node.as_ref().map(|n| (m, n)))
            .map(|(m, n)| format!("--- {} ---\n{}\n", m.base.display(), n.log_tail(12)))
            .collect()
    }
}
