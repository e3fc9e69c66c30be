//! The node's JSON-RPC server: Substrate's method set over HTTP and WebSocket on one port.
//!
//! Stock clients (@polkadot/api, py-substrate-interface, subxt) talk to Basalt as to a Substrate
//! node, so method names, parameter forms, JSON shapes, subscription notification names and
//! error codes follow Substrate (see `shared/reference/substrate-wire.md`):
//!
//! - [`system`]: node identity and health; [`chain`]: headers, blocks, hashes and head
//!   subscriptions; [`state`]: storage, proofs, metadata, runtime version and `state_call`;
//!   [`author`]: submission (refused on the request itself when invalid), watching and keys;
//!   [`payment`]: fee queries; [`grandpa`]: finality rounds and proofs; [`jobs`]: compute
//!   jobs for clients and explorers (outputs, lists, provider records); `rpc_methods`: every method served, aliases included (clients
//!   hide what it does not list).
//! - Unsafe methods (key management, peer lists, pool surgery) answer -32601 "RPC call is unsafe
//!   to be called externally" unless the server allows them (`--rpc-methods unsafe`, or `auto`
//!   on a loopback address).
//! - Limits: request and response sizes, batch length, connections, subscriptions per
//!   connection; `--rpc-cors` origins ([`cors`]).
//!
//! Methods that touch state run on tokio's blocking threads; submissions validate on the
//! rayon pool. Nothing a client sends can panic the server: every input error is an RPC error.

mod author;
mod chain;
mod chain_head;
pub mod cors;
pub mod error;
mod grandpa;
mod jobs;
pub mod params;
mod payment;
mod spec_v1;
mod state;
mod storage_query;
mod system;
mod transaction_v1;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use jsonrpsee::server::{
    BatchRequestConfig, RandomStringIdProvider, RpcModule, Server, ServerConfig, ServerHandle,
};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use serde_json::Value;

use crate::client::Client;
use crate::keystore::Keystore;
use crate::pool::Pool;

const LOG: &str = "rpc";

/// Most calls in one batch request.
pub const MAX_BATCH_LEN: u32 = 1_000;

/// Which methods the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpcMethods {
    /// Only safe methods; unsafe ones answer -32601.
    Safe,
    /// Every method.
    Unsafe,
    /// Unsafe methods only when listening on a loopback address (Substrate's default).
    Auto,
}

impl RpcMethods {
    /// Whether unsafe methods are refused for a server listening on `addr`.
    pub fn deny_unsafe(self, addr: &SocketAddr) -> bool {
        match self {
            RpcMethods::Safe => true,
            RpcMethods::Unsafe => false,
            RpcMethods::Auto => !addr.ip().is_loopback(),
        }
    }
}

/// How the server listens and what it allows.
#[derive(Clone, Debug)]
pub struct RpcConfig {
    /// Address of the port serving both HTTP and WebSocket.
    pub addr: SocketAddr,
    /// Allowed browser origins; `None` allows all.
    pub cors: Option<Vec<String>>,
    /// Safe or unsafe method set.
    pub methods: RpcMethods,
    /// Most simultaneous connections.
    pub max_connections: u32,
    /// Largest request body, in MiB.
    pub max_request_size_mb: u32,
    /// Largest response body, in MiB.
    pub max_response_size_mb: u32,
    /// Most active subscriptions on one WebSocket connection.
    pub max_subscriptions_per_connection: u32,
}

/// What `system_*` reports about this node.
#[derive(Clone, Debug)]
pub struct SystemInfo {
    /// The node's name (`--name`).
    pub name: String,
    /// The implementation version (`system_version`).
    pub version: String,
    /// The chain's name (`system_chain`), e.g. "Basalt Development".
    pub chain: String,
    /// "Development", "Local" or "Live".
    pub chain_type: String,
    /// `{ss58Format, tokenDecimals, tokenSymbol}`.
    pub properties: Value,
    /// Whether the node authors blocks.
    pub is_validator: bool,
    /// The libp2p peer id.
    pub peer_id: String,
}

/// What the methods read and act on.
pub struct RpcDeps {
    /// Chain database and runtime calls.
    pub client: Arc<Client>,
    /// Transaction pool.
    pub pool: Arc<Pool>,
    /// Session keys (`author_insertKey`, `author_rotateKeys`).
    pub keystore: Arc<Keystore>,
    /// Job outputs (`jobs_getResult`).
    pub outputs: Arc<crate::provider::outputs::Outputs>,
    /// Node identity.
    pub system: SystemInfo,
    /// Peers, sync and finality (`None` for a node without networking, as in unit tests).
    pub network: Option<NetworkDeps>,
}

/// The running network services the `system_*` and `grandpa_*` methods report on.
#[derive(Clone)]
pub struct NetworkDeps {
    /// Peers and listen addresses.
    pub network: basalt_network::NetworkHandle,
    /// Sync progress.
    pub sync: basalt_network::SyncHandle,
    /// The GRANDPA voter's rounds.
    pub grandpa: basalt_consensus::grandpa::GrandpaHandle,
}

/// Shared by every method.
pub(crate) struct RpcContext {
    pub(crate) client: Arc<Client>,
    pub(crate) pool: Arc<Pool>,
    pub(crate) keystore: Arc<Keystore>,
    pub(crate) outputs: Arc<crate::provider::outputs::Outputs>,
    pub(crate) system: SystemInfo,
    pub(crate) network: Option<NetworkDeps>,
    pub(crate) deny_unsafe: bool,
    /// The open `transaction_v1_broadcast` operations.
    pub(crate) broadcasts: parking_lot::Mutex<transaction_v1::Broadcasts>,
    /// The `chainHead_v1_follow` subscriptions.
    pub(crate) follows: parking_lot::Mutex<chain_head::Follows>,
}

/// What a method returns.
pub(crate) type RpcResult = Result<Value, ErrorObjectOwned>;

/// Registers a method that may block (state reads, runtime calls): it runs on tokio's blocking
/// threads. `names` are the parameter names for by-name calls.
pub(crate) fn blocking(
    module: &mut RpcModule<RpcContext>,
    method: &'static str,
    names: &'static [&'static str],
    unsafe_method: bool,
    f: fn(&RpcContext, &[Value]) -> RpcResult,
) -> anyhow::Result<()> {
    module
        .register_blocking_method(method, move |p: Params, ctx: Arc<RpcContext>, _| {
            if unsafe_method && ctx.deny_unsafe {
                return Err(error::unsafe_denied());
            }
            let args = params::positional(&p, names)?;
            f(&ctx, &args)
        })
        .with_context(|| format!("registering {method}"))?;
    Ok(())
}

/// Registers a cheap method that never blocks: it runs on the connection's task.
pub(crate) fn immediate(
    module: &mut RpcModule<RpcContext>,
    method: &'static str,
    names: &'static [&'static str],
    unsafe_method: bool,
    f: fn(&RpcContext, &[Value]) -> RpcResult,
) -> anyhow::Result<()> {
    module
        .register_method(method, move |p: Params, ctx: &RpcContext, _| {
            if unsafe_method && ctx.deny_unsafe {
                return Err(error::unsafe_denied());
            }
            let args = params::positional(&p, names)?;
            f(ctx, &args)
        })
        .with_context(|| format!("registering {method}"))?;
    Ok(())
}

/// Registers `alias` as another name of `existing`.
pub(crate) fn alias(
    module: &mut RpcModule<RpcContext>,
    alias: &'static str,
    existing: &'static str,
) -> anyhow::Result<()> {
    module
        .register_alias(alias, existing)
        .with_context(|| format!("registering alias {alias}"))?;
    Ok(())
}

/// Sends `value` on a subscription; `false` once the client is gone.
pub(crate) async fn send_json(
    sink: &jsonrpsee::SubscriptionSink,
    value: &impl serde::Serialize,
) -> bool {
    match serde_json::value::to_raw_value(value) {
        Ok(raw) => sink.send(raw).await.is_ok(),
        Err(e) => {
            tracing::error!(target: LOG, error = %e, "could not serialise a notification");
            false
        }
    }
}

/// All methods, with `rpc_methods` listing them.
pub(crate) fn build_module(
    deps: RpcDeps,
    deny_unsafe: bool,
) -> anyhow::Result<RpcModule<RpcContext>> {
    let mut module = RpcModule::new(RpcContext {
        client: deps.client,
        pool: deps.pool,
        keystore: deps.keystore,
        outputs: deps.outputs,
        system: deps.system,
        network: deps.network,
        deny_unsafe,
        broadcasts: Default::default(),
        follows: Default::default(),
    });
    system::register(&mut module)?;
    grandpa::register(&mut module)?;
    chain::register(&mut module)?;
    state::register(&mut module)?;
    author::register(&mut module)?;
    payment::register(&mut module)?;
    jobs::register(&mut module)?;
    spec_v1::register(&mut module)?;
    transaction_v1::register(&mut module)?;
    chain_head::register(&mut module)?;

    let mut names: Vec<String> = module.method_names().map(str::to_string).collect();
    names.push("rpc_methods".to_string());
    names.sort();
    names.dedup();
    let listing = serde_json::json!({ "version": 1, "methods": names });
    module
        .register_method("rpc_methods", move |_, _, _| -> RpcResult {
            Ok(listing.clone())
        })
        .context("registering rpc_methods")?;
    Ok(module)
}

/// Starts the server on `cfg.addr` (HTTP and WebSocket on one port) and returns its handle;
/// the server stops when the handle is stopped or dropped.
pub async fn start(cfg: RpcConfig, deps: RpcDeps) -> anyhow::Result<ServerHandle> {
    let deny_unsafe = cfg.methods.deny_unsafe(&cfg.addr);
    let module = build_module(deps, deny_unsafe)?;

    let mb = |n: u32| n.saturating_mul(1024 * 1024);
    let server_config = ServerConfig::builder()
        .max_request_body_size(mb(cfg.max_request_size_mb))
        .max_response_body_size(mb(cfg.max_response_size_mb))
        .max_connections(cfg.max_connections)
        .max_subscriptions_per_connection(cfg.max_subscriptions_per_connection)
        .set_batch_request_config(BatchRequestConfig::Limit(MAX_BATCH_LEN))
        .set_id_provider(RandomStringIdProvider::new(16))
        .build();
    let health = jsonrpsee::server::middleware::http::ProxyGetRequestLayer::new([(
        "/health",
        "system_health",
    )])
    .context("health endpoint")?;
    let http_middleware = tower::ServiceBuilder::new()
        .layer(cors::CorsLayer::new(cfg.cors.clone()))
        .layer(health);

    let server = Server::builder()
        .set_config(server_config)
        .set_http_middleware(http_middleware)
        .build(cfg.addr)
        .await
        .with_context(|| format!("could not bind the RPC port {}", cfg.addr))?;
    let local = server.local_addr().context("RPC socket address")?;
    let handle = server.start(module);
    tracing::debug!(
        target: LOG,
        "JSON-RPC server listening on {local}, {} methods allowed",
        if deny_unsafe { "safe" } else { "all" }
    );
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_denies_unsafe_only_on_public_addresses() {
        let local: SocketAddr = "127.0.0.1:9944".parse().unwrap();
        let public: SocketAddr = "0.0.0.0:9944".parse().unwrap();
        assert!(!RpcMethods::Auto.deny_unsafe(&local));
        assert!(RpcMethods::Auto.deny_unsafe(&public));
        assert!(RpcMethods::Safe.deny_unsafe(&local));
        assert!(!RpcMethods::Unsafe.deny_unsafe(&public));
    }
}
