//! Helpers for the in-process network tests: nodes on 127.0.0.1 with in-memory chains.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use basalt_network::testing::MemoryChain;
use basalt_network::{
    generate_node_key, ChainAccess, Multiaddr, NetworkConfig, NetworkEvent, NetworkHandle,
    NetworkService, SyncHandle, SyncService,
};
use tokio::sync::mpsc;

/// One in-process node.
pub struct Node {
    pub handle: NetworkHandle,
    pub events: mpsc::Receiver<NetworkEvent>,
    pub chain: Arc<MemoryChain>,
    pub sync: Option<SyncHandle>,
    /// The listen address, with `/p2p/<id>`.
    pub addr: Multiaddr,
}

/// Options for [`start`].
#[derive(Clone)]
pub struct Opts {
    pub boot_nodes: Vec<Multiaddr>,
    pub sync: bool,
    pub max_inbound: u32,
    pub mdns: bool,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            boot_nodes: vec![],
            sync: false,
            max_inbound: 25,
            mdns: false,
        }
    }
}

/// Logs to the test output when `RUST_LOG` is set.
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// Starts a node on an OS-chosen loopback port and waits until it listens.
pub async fn start(chain: Arc<MemoryChain>, opts: Opts) -> Node {
    init_logs();
    let mut config = NetworkConfig::new(generate_node_key(), "basalt-test", chain.genesis_hash());
    config.listen_addrs = vec!["/ip4/127.0.0.1/tcp/0".parse().expect("multiaddr")];
    config.boot_nodes = opts.boot_nodes;
    config.enable_mdns = opts.mdns;
    config.max_inbound = opts.max_inbound;
    let (handle, events) = NetworkService::start(config, chain.clone()).expect("network starts");
    let addr = wait_for(Duration::from_secs(10), || {
        handle.listen_addresses().into_iter().next()
    })
    .await
    .expect("listening");
    let sync = opts
        .sync
        .then(|| SyncService::start(handle.clone(), chain.clone(), chain.clone()));
    Node {
        handle,
        events,
        chain,
        sync,
        addr,
    }
}

impl Node {
    /// Stops sync and the network.
    pub async fn stop(self) {
        if let Some(sync) = &self.sync {
            sync.shutdown().await;
        }
        self.handle.shutdown().await;
    }
}

/// Polls `f` every 50 ms until it returns `Some`, for at most `timeout`.
pub async fn wait_for<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `f` holds, for at most `timeout`.
pub async fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    wait_for(timeout, || f().then_some(())).await.is_some()
}

/// Waits for an event matching `pred`, discarding others, for at most `timeout`.
pub async fn next_matching<T>(
    events: &mut mpsc::Receiver<NetworkEvent>,
    timeout: Duration,
    mut pred: impl FnMut(&NetworkEvent) -> Option<T>,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .ok()??;
        if let Some(v) = pred(&event) {
            return Some(v);
        }
    }
}

/// Sends with `send(attempt)` until `events` yields a match, retrying while the gossip mesh
/// forms; at most 20 attempts of 500 ms.
pub async fn gossip_until<T>(
    mut send: impl FnMut(u32),
    events: &mut mpsc::Receiver<NetworkEvent>,
    mut pred: impl FnMut(&NetworkEvent) -> Option<T>,
) -> Option<T> {
    for attempt in 0..20 {
        send(attempt);
        if let Some(v) = next_matching(events, Duration::from_millis(500), &mut pred).await {
            return Some(v);
        }
    }
    None
}
