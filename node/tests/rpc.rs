//! The JSON-RPC surface of the real `basalt` binary, as a stock client sees it.
//!
//! Starts `basalt --dev --tmp` on free ports, then over HTTP and WebSocket: checks that
//! `rpc_methods` lists every method stock clients need, submits a signed transfer built here
//! (sr25519 `//Alice`, Substrate's v4 extrinsic format) with `author_submitAndWatchExtrinsic`
//! and follows it through `ready`, `inBlock` and `finalized`, checks the refusals (garbage 1002,
//! replay 1010 "Transaction is outdated", bad signature 1010, banned 1012), the JSON shapes of
//! the main queries and subscriptions, and that the node keeps serving. A second node started
//! with `--rpc-methods safe` refuses the unsafe methods. Nodes are killed when the test ends,
//! whatever happens.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use basalt_runtime::extensions::{signed_extra, AdditionalSigned, SignedExtra};
use basalt_support::generic::{Era, UncheckedExtrinsic};
use basalt_support::multisig::{KeyScheme, MultiPair};
use basalt_support::H256;
use codec::{Decode, Encode, Output};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// A running node, killed on drop.
struct Node {
    child: Child,
    rpc_port: u16,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

impl Node {
    fn start(extra: &[&str]) -> Node {
        let rpc_port = free_port();
        let p2p_port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_basalt"))
            .args([
                "--dev",
                "--tmp",
                "--no-prometheus",
                "--slot-duration-ms",
                "1000",
            ])
            .args([
                "--rpc-port",
                &rpc_port.to_string(),
                "--port",
                &p2p_port.to_string(),
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the basalt binary starts");
        let node = Node { child, rpc_port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if node.try_http("system_health", json!([])).is_ok() {
                return node;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("the node's RPC did not come up within 60 s");
    }

    /// One JSON-RPC call over plain HTTP/1.1; the whole response object.
    fn try_http(&self, method: &str, params: Value) -> std::io::Result<Value> {
        let body =
            json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        self.raw_http(&body, &[])
    }

    fn raw_http(&self, body: &str, headers: &[(&str, &str)]) -> std::io::Result<Value> {
        let (status, text) = self.raw_http_text(body, headers)?;
        if status != 200 {
            return Err(std::io::Error::other(format!("HTTP {status}: {text}")));
        }
        serde_json::from_str(&text).map_err(std::io::Error::other)
    }

    fn raw_http_text(
        &self,
        body: &str,
        headers: &[(&str, &str)],
    ) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.rpc_port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut request = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.rpc_port,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let text = String::from_utf8_lossy(&response).to_string();
        let (head, rest) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| std::io::Error::other("no HTTP header end"))?;
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no HTTP status"))?;
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        Ok((status, body))
    }

    /// The `result` of a call; panics with the error otherwise.
    fn call(&self, method: &str, params: Value) -> Value {
        let response = self.try_http(method, params.clone()).expect("HTTP works");
        match response.get("result") {
            Some(result) => result.clone(),
            None => panic!("{method}({params}) failed: {response}"),
        }
    }

    /// The `error` of a call; panics if it succeeded.
    fn call_err(&self, method: &str, params: Value) -> Value {
        let response = self.try_http(method, params.clone()).expect("HTTP works");
        match response.get("error") {
            Some(error) => error.clone(),
            None => panic!("{method}({params}) should have failed: {response}"),
        }
    }

    fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.rpc_port)
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || tail.len() < size {
            break;
        }
        out.push_str(&tail[..size]);
        rest = tail[size..].trim_start_matches("\r\n");
    }
    out
}

/// A raw JSON-RPC WebSocket connection that shows notifications as they are on the wire.
struct Ws {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
    /// Notifications received while waiting for a response.
    backlog: Vec<Value>,
}

impl Ws {
    async fn connect(url: &str) -> Ws {
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("WebSocket connects");
        Ws {
            stream,
            next_id: 1,
            backlog: Vec::new(),
        }
    }

    async fn recv(&mut self, waiting_for: &str) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(60), self.stream.next())
                .await
                .unwrap_or_else(|_| {
                    panic!("no {waiting_for} within 60 s (backlog: {:?})", self.backlog)
                })
                .expect("the connection stays open")
                .expect("a valid frame");
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// Sends a request and returns its response object (`result` or `error`).
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.stream
            .send(Message::Text(body.to_string().into()))
            .await
            .expect("send");
        loop {
            let message = self.recv(method).await;
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The next notification of `method` on subscription `id`.
    async fn notification(&mut self, method: &str, id: &Value) -> Value {
        if let Some(pos) = self
            .backlog
            .iter()
            .position(|m| m["params"]["subscription"] == *id)
        {
            let message = self.backlog.remove(pos);
            assert_eq!(message["method"], method, "{message}");
            return message["params"]["result"].clone();
        }
        loop {
            let message = self.recv(method).await;
            if message["params"]["subscription"] == *id {
                assert_eq!(message["method"], method, "{message}");
                return message["params"]["result"].clone();
            }
            self.backlog.push(message);
        }
    }
}

/// The call bytes of `Balances.transfer_keep_alive(dest, value)`: pallet 2, call 3,
/// `MultiAddress::Id`, compact value.
struct RawCall(Vec<u8>);

impl Encode for RawCall {
    fn size_hint(&self) -> usize {
        self.0.len()
    }
    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(&self.0);
    }
}

fn transfer_call(dest: &basalt_support::AccountId, value: u128) -> RawCall {
    let mut bytes = vec![2u8, 3, 0];
    bytes.extend_from_slice(dest.as_ref());
    codec::Compact(value).encode_to(&mut bytes);
    // It must be what the runtime understands as a balances transfer.
    let decoded = basalt_runtime::RuntimeCall::decode(&mut &bytes[..]).expect("a runtime call");
    assert!(matches!(decoded, basalt_runtime::RuntimeCall::Balances(_)));
    RawCall(bytes)
}

/// A signed transfer, as a wallet builds it, hex-encoded.
fn signed_transfer(
    signer: &MultiPair,
    dest: &basalt_support::AccountId,
    value: u128,
    nonce: u32,
    genesis: H256,
    version: &Value,
) -> String {
    let spec = version["specVersion"].as_u64().expect("specVersion") as u32;
    let tx_version = version["transactionVersion"]
        .as_u64()
        .expect("transactionVersion") as u32;
    let extra: SignedExtra = signed_extra(nonce, 0, Era::Immortal);
    let additional: AdditionalSigned = ((), spec, tx_version, genesis, genesis, (), (), (), None);
    let xt = UncheckedExtrinsic::<RawCall, SignedExtra>::new_signed_by(
        transfer_call(dest, value),
        extra,
        &additional,
        signer,
    );
    format!("0x{}", hex::encode(xt.encode()))
}

fn h256(value: &Value) -> H256 {
    let text = value.as_str().expect("a hash string");
    let bytes = hex::decode(text.trim_start_matches("0x")).expect("hex");
    assert_eq!(bytes.len(), 32, "{text}");
    H256::from_slice(&bytes)
}

/// twox128("System") ++ twox128("Account") ++ blake2_128(who) ++ who.
fn account_key(who: &basalt_support::AccountId) -> String {
    use basalt_support::primitives::hashing::{blake2_128, twox_128};
    let mut key = twox_128(b"System").to_vec();
    key.extend(twox_128(b"Account"));
    key.extend(blake2_128(who.as_ref()));
    key.extend_from_slice(who.as_ref());
    format!("0x{}", hex::encode(key))
}

/// Every method stock clients rely on (substrate-wire.md) and the issue lists.
const REQUIRED_METHODS: &[&str] = &[
    "system_name",
    "system_version",
    "system_chain",
    "system_chainType",
    "system_properties",
    "system_health",
    "system_peers",
    "system_localPeerId",
    "system_accountNextIndex",
    "system_syncState",
    "chain_getBlock",
    "chain_getBlockHash",
    "chain_getHeader",
    "chain_getHead",
    "chain_getFinalizedHead",
    "chain_getFinalisedHead",
    "chain_subscribeNewHeads",
    "chain_unsubscribeNewHeads",
    "chain_subscribeNewHead",
    "chain_unsubscribeNewHead",
    "chain_subscribeFinalizedHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_subscribeAllHeads",
    "chain_unsubscribeAllHeads",
    "chain_getRuntimeVersion",
    "state_getStorage",
    "state_getStorageAt",
    "state_getStorageHash",
    "state_getStorageSize",
    "state_getKeysPaged",
    "state_queryStorageAt",
    "state_getReadProof",
    "state_getMetadata",
    "state_getRuntimeVersion",
    "state_call",
    "state_subscribeStorage",
    "state_unsubscribeStorage",
    "state_subscribeRuntimeVersion",
    "state_unsubscribeRuntimeVersion",
    "author_submitExtrinsic",
    "author_submitAndWatchExtrinsic",
    "author_unwatchExtrinsic",
    "author_pendingExtrinsics",
    "author_insertKey",
    "author_rotateKeys",
    "payment_queryInfo",
    "payment_queryFeeDetails",
    "rpc_methods",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_client_flow_through_the_real_binary() {
    let node = Node::start(&[]);

    // rpc_methods lists everything.
    let listing = node.call("rpc_methods", json!([]));
    assert_eq!(listing["version"], 1);
    let methods: Vec<&str> = listing["methods"]
        .as_array()
        .expect("a method list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for required in REQUIRED_METHODS {
        assert!(methods.contains(required), "rpc_methods lacks {required}");
    }

    // Identity and the calls @polkadot/api makes on start.
    assert_eq!(node.call("system_chainType", json!([])), "Development");
    assert!(node.call("system_chain", json!([])).is_string());
    let properties = node.call("system_properties", json!([]));
    assert_eq!(properties["ss58Format"], 42);
    let health = node.call("system_health", json!([]));
    assert_eq!(health["isSyncing"], false);
    assert!(health["peers"].is_number() && health["shouldHavePeers"].is_boolean());
    assert_eq!(node.call("system_peers", json!([])), json!([]));
    let sync = node.call("system_syncState", json!([]));
    assert!(sync["currentBlock"].is_number() && sync["highestBlock"].is_number());
    let genesis = h256(&node.call("chain_getBlockHash", json!([0])));
    assert_eq!(
        h256(&node.call("chain_getBlockHash", json!(["0x0"]))),
        genesis
    );
    assert_eq!(
        node.call("chain_getBlockHash", json!([[0, "0x0", 4_000_000]]))[2],
        Value::Null
    );
    assert_eq!(
        node.call("chain_getBlockHash", json!([4_000_000])),
        Value::Null
    );
    let version = node.call("state_getRuntimeVersion", json!([]));
    assert_eq!(version["specName"], "basalt");
    for params in [json!([]), json!(null), json!([null])] {
        assert_eq!(
            node.call("state_getRuntimeVersion", params.clone()),
            version,
            "{params}"
        );
        assert!(node.call("chain_getHeader", params.clone())["number"].is_string());
    }
    assert_eq!(
        node.call("chain_getRuntimeVersion", json!([genesis])),
        version
    );
    let metadata = node.call("state_getMetadata", json!([]));
    assert!(metadata.as_str().expect("hex").starts_with("0x6d6574610e"));
    let header0 = node.call("chain_getHeader", json!([genesis]));
    assert_eq!(header0["number"], "0x0");
    assert_eq!(
        node.call("chain_getHeader", json!([format!("0x{}", "00".repeat(32))])),
        Value::Null
    );
    let block0 = node.call("chain_getBlock", json!([genesis]));
    assert_eq!(block0["block"]["header"], header0);
    assert!(block0["block"]["extrinsics"].is_array());

    // Storage: Alice's account exists and is funded.
    let alice = MultiPair::from_suri(KeyScheme::Sr25519, "//Alice").expect("dev key");
    let bob = MultiPair::from_suri(KeyScheme::Sr25519, "//Bob")
        .expect("dev key")
        .account_id();
    let alice_key = account_key(&alice.account_id());
    let alice_account = node.call("state_getStorage", json!([alice_key]));
    assert_eq!(
        alice_account.as_str().map(str::len),
        Some(2 + 80 * 2),
        "{alice_account}"
    );
    assert_eq!(
        node.call("state_getStorageAt", json!([alice_key, null])),
        alice_account
    );
    assert_eq!(node.call("state_getStorageSize", json!([alice_key])), 80);
    assert!(node
        .call("state_getStorageHash", json!([alice_key]))
        .is_string());
    let queried = node.call("state_queryStorageAt", json!([[alice_key, "0x00"]]));
    assert_eq!(queried[0]["changes"][0], json!([alice_key, alice_account]));
    assert_eq!(queried[0]["changes"][1], json!(["0x00", null]));
    let proof = node.call("state_getReadProof", json!([[alice_key]]));
    assert!(proof["proof"].as_array().is_some_and(|p| !p.is_empty()));
    let keys = node.call(
        "state_getKeysPaged",
        json!(["0x26aa394eea5630e07c48ae0c9558cef7", 3]),
    );
    assert!(keys
        .as_array()
        .is_some_and(|k| !k.is_empty() && k.len() <= 3));
    let too_many = node.call_err("state_getKeysPaged", json!(["0x", 1001]));
    assert_eq!(too_many["code"], 4002);
    let unknown_at = node.call_err(
        "state_getStorage",
        json!([alice_key, format!("0x{}", "11".repeat(32))]),
    );
    assert_eq!(unknown_at["code"], 4003);
    let bad_params = node.call_err("chain_getBlockHash", json!(["tomorrow"]));
    assert_eq!(bad_params["code"], -32602);
    let nonce_call = node.call(
        "state_call",
        json!([
            "AccountNonceApi_account_nonce",
            format!("0x{}", hex::encode(alice.account_id().encode()))
        ]),
    );
    assert_eq!(nonce_call, "0x00000000");
    assert_eq!(
        node.call(
            "system_accountNextIndex",
            json!([alice.account_id().to_string()])
        ),
        0
    );

    // A signed transfer, watched over WebSocket.
    let transfer = signed_transfer(&alice, &bob, 1_000_000_000_000, 0, genesis, &version);
    let fee = node.call("payment_queryInfo", json!([transfer]));
    assert_eq!(fee["class"], "normal");
    assert!(
        fee["partialFee"]
            .as_str()
            .is_some_and(|f| f.parse::<u128>().is_ok()),
        "{fee}"
    );
    assert!(fee["weight"]["ref_time"].is_number() && fee["weight"]["proof_size"].is_number());
    let details = node.call("payment_queryFeeDetails", json!([transfer]));
    assert!(
        details["inclusionFee"]["baseFee"]
            .as_str()
            .is_some_and(|f| f.starts_with("0x")),
        "{details}"
    );
    assert_eq!(
        node.call_err("payment_queryInfo", json!(["0x0c010203"]))["code"],
        2
    );

    let mut ws = Ws::connect(&node.ws_url()).await;
    let heads = ws.request("chain_subscribeNewHeads", json!([])).await;
    let heads_id = heads["result"].clone();
    assert!(heads_id.is_string(), "{heads}");
    let first_head = ws.notification("chain_newHead", &heads_id).await;
    assert!(first_head["number"].is_string() && first_head["parentHash"].is_string());
    let storage = ws
        .request("state_subscribeStorage", json!([[alice_key]]))
        .await;
    let storage_id = storage["result"].clone();
    let initial = ws.notification("state_storage", &storage_id).await;
    assert_eq!(initial["changes"][0][0], alice_key);
    let rv = ws.request("state_subscribeRuntimeVersion", json!([])).await;
    let rv_first = ws
        .notification("state_runtimeVersion", &rv["result"].clone())
        .await;
    assert_eq!(rv_first["specVersion"], version["specVersion"]);

    let watch = ws
        .request("author_submitAndWatchExtrinsic", json!([transfer]))
        .await;
    let watch_id = watch["result"].clone();
    assert!(watch_id.is_string(), "submission refused: {watch}");
    let mut statuses = Vec::new();
    let mut in_block = None;
    loop {
        let status = ws.notification("author_extrinsicUpdate", &watch_id).await;
        statuses.push(status.clone());
        if let Some(block) = status.get("inBlock") {
            // inBlock only once the block is queryable, and it holds the transfer.
            let block_json = node.call("chain_getBlock", json!([block]));
            let extrinsics = block_json["block"]["extrinsics"]
                .as_array()
                .expect("extrinsics")
                .clone();
            assert!(
                extrinsics.contains(&json!(transfer)),
                "the block holds the transfer"
            );
            in_block = Some(block.clone());
        }
        if status.get("finalized").is_some() {
            break;
        }
        assert!(statuses.len() < 10, "no finality: {statuses:?}");
    }
    let in_block = in_block.expect("an inBlock status");
    eprintln!("transfer statuses: {statuses:?}");
    assert_eq!(statuses.first(), Some(&json!("ready")), "{statuses:?}");
    assert_eq!(
        statuses.last(),
        Some(&json!({"finalized": in_block})),
        "{statuses:?}"
    );
    // The storage subscription saw Alice's balance change.
    let changed = ws.notification("state_storage", &storage_id).await;
    assert_eq!(changed["changes"][0][0], alice_key);
    assert_ne!(changed["changes"][0][1], initial["changes"][0][1]);
    let unwatch = ws
        .request("state_unsubscribeStorage", json!([storage_id]))
        .await;
    assert_eq!(unwatch["result"], true);

    // The nonce moved on; replaying the transfer is refused as outdated on the request itself.
    assert_eq!(
        node.call(
            "system_accountNextIndex",
            json!([alice.account_id().to_string()])
        ),
        1
    );
    let replay = node.call_err("author_submitExtrinsic", json!([transfer]));
    assert_eq!(replay["code"], 1010, "{replay}");
    assert_eq!(replay["message"], "Invalid Transaction");
    assert_eq!(replay["data"], "Transaction is outdated");
    // Found invalid, it is now banned for a while.
    let again = node.call_err("author_submitExtrinsic", json!([transfer]));
    assert_eq!(again["code"], 1012, "{again}");
    let replay_watch = ws
        .request("author_submitAndWatchExtrinsic", json!([transfer]))
        .await;
    assert_eq!(replay_watch["error"]["code"], 1012, "{replay_watch}");

    // Garbage.
    for garbage in ["0xdeadbeef", "0x0c010203", "0x"] {
        let e = node.call_err("author_submitExtrinsic", json!([garbage]));
        assert_eq!(e["code"], 1002, "{garbage}: {e}");
        assert!(e["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Verification Error")));
    }
    let e = node.call_err("author_submitExtrinsic", json!(["not hex"]));
    assert_eq!(e["code"], -32602);
    let watched_garbage = ws
        .request("author_submitAndWatchExtrinsic", json!(["0xdeadbeef"]))
        .await;
    assert_eq!(watched_garbage["error"]["code"], 1002);

    // A bad signature: a valid transfer with one signature byte flipped.
    let good = signed_transfer(&alice, &bob, 5, 1, genesis, &version);
    let mut raw = hex::decode(&good[2..]).expect("hex");
    // Length prefix (2 bytes for this size), version, MultiAddress::Id (33), signature variant.
    raw[2 + 1 + 33 + 1 + 10] ^= 0xff;
    let bad = format!("0x{}", hex::encode(&raw));
    let e = node.call_err("author_submitExtrinsic", json!([bad]));
    assert_eq!(e["code"], 1010, "{e}");
    assert_eq!(e["data"], "Transaction has a bad signature");

    // The good one is accepted; a future nonce waits in the pool (not pending for a block), and
    // submitting it twice is "already imported".
    let hash = node.call("author_submitExtrinsic", json!([good]));
    assert!(hash.is_string());
    let future = signed_transfer(&alice, &bob, 5, 5, genesis, &version);
    assert!(node
        .call("author_submitExtrinsic", json!([future]))
        .is_string());
    let e = node.call_err("author_submitExtrinsic", json!([future]));
    assert_eq!(e["code"], 1013, "{e}");
    let pending = node.call("author_pendingExtrinsics", json!([]));
    assert!(
        pending
            .as_array()
            .is_some_and(|p| !p.contains(&json!(future))),
        "{pending}"
    );
    // Pool-aware: nonce 1 is either included or ready in the pool.
    assert_eq!(
        node.call(
            "system_accountNextIndex",
            json!([alice.account_id().to_string()])
        ),
        2
    );

    // Unsafe methods are allowed on a --dev node listening on localhost.
    let keys = node.call("author_rotateKeys", json!([]));
    assert_eq!(keys.as_str().map(str::len), Some(2 + 128));

    // Limits: an oversized batch is refused, the node keeps serving.
    let batch: Vec<Value> = (0..1001)
        .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "system_name", "params": []}))
        .collect();
    let (_, response) = node
        .raw_http_text(&Value::Array(batch).to_string(), &[])
        .expect("HTTP");
    assert!(
        response.contains("\"error\""),
        "batch over the limit: {response}"
    );

    // Still serving after all of the above.
    let header = node.call("chain_getHeader", json!([]));
    assert!(header["number"].is_string());
    let finalized = node.call("chain_getFinalizedHead", json!([]));
    assert!(node.call("chain_getHeader", json!([finalized])).is_object());
    assert_eq!(node.call("chain_getFinalisedHead", json!([])), finalized);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safe_node_refuses_unsafe_methods_and_foreign_origins() {
    let node = Node::start(&["--rpc-methods", "safe", "--rpc-cors", "http://localhost:*"]);
    for (method, params) in [
        ("author_rotateKeys", json!([])),
        ("author_insertKey", json!(["aura", "//Alice", "0x00"])),
        ("system_peers", json!([])),
        ("state_getPairs", json!(["0x"])),
        ("state_queryStorage", json!([[], "0x00"])),
        ("system_dryRun", json!(["0x00"])),
    ] {
        let e = node.call_err(method, params);
        assert_eq!(e["code"], -32601, "{method}: {e}");
    }
    // Safe methods still work, including from an allowed origin.
    let ok = node
        .raw_http(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "system_name", "params": []}).to_string(),
            &[("Origin", "http://localhost:3000")],
        )
        .expect("allowed origin");
    assert!(ok["result"].is_string());
    let (status, _) = node
        .raw_http_text(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "system_name", "params": []}).to_string(),
            &[("Origin", "https://evil.example")],
        )
        .expect("HTTP");
    assert_eq!(status, 403);
}

/// Submission throughput over WebSocket: 4 senders × 2,000 signed transfers, pipelined on one
/// connection per sender. Prints the acceptance rate and how many reached blocks; run with
/// `cargo test --release -p basalt-node --test rpc -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn submission_throughput() {
    let node = Node::start(&[]);
    let genesis = h256(&node.call("chain_getBlockHash", json!([0])));
    let version = node.call("state_getRuntimeVersion", json!([]));
    let bob = MultiPair::from_suri(KeyScheme::Sr25519, "//Bob")
        .expect("dev key")
        .account_id();
    let per_sender = 2_000u32;
    let mut all = Vec::new();
    for name in ["//Alice", "//Charlie", "//Dave", "//Eve"] {
        let signer = MultiPair::from_suri(KeyScheme::Sr25519, name).expect("dev key");
        for nonce in 0..per_sender {
            all.push(signed_transfer(
                &signer, &bob, 1_000_000, nonce, genesis, &version,
            ));
        }
    }
    let total = all.len();
    let start_number = u32::from_str_radix(
        node.call("chain_getHeader", json!([]))["number"]
            .as_str()
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    let started = Instant::now();
    // One connection per sender, so that each sender's nonces arrive (nearly) in order.
    let chunks: Vec<Vec<String>> = all
        .chunks(per_sender as usize)
        .map(|c| c.to_vec())
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let url = node.ws_url();
        tasks.push(tokio::spawn(async move {
            let mut ws = Ws::connect(&url).await;
            let mut ok = 0usize;
            let mut errors = std::collections::BTreeMap::<String, usize>::new();
            // Pipeline: send everything, then read the answers.
            for (i, xt) in chunk.iter().enumerate() {
                let body = json!({"jsonrpc": "2.0", "id": i, "method": "author_submitExtrinsic", "params": [xt]});
                ws.stream.send(Message::Text(body.to_string().into())).await.unwrap();
            }
            for _ in 0..chunk.len() {
                let answer = ws.recv("submission answer").await;
                if answer.get("result").is_some() {
                    ok += 1;
                } else {
                    *errors.entry(answer["error"].to_string()).or_default() += 1;
                }
            }
            (ok, errors)
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let (n, errors) = task.await.unwrap();
        ok += n;
        if !errors.is_empty() {
            eprintln!("errors: {errors:?}");
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "accepted {ok}/{total} in {:.2} s: {:.0} submissions/s",
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64()
    );
    // Wait until the pool drains into blocks.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending = node.call("author_pendingExtrinsics", json!([]));
        let left = pending.as_array().map(Vec::len).unwrap_or(0);
        if left == 0 || Instant::now() > deadline {
            let end_number = u32::from_str_radix(
                node.call("chain_getHeader", json!([]))["number"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("0x"),
                16,
            )
            .unwrap();
            eprintln!(
                "pool drained ({left} left) after {:.2} s, {} blocks",
                started.elapsed().as_secs_f64(),
                end_number - start_number
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
