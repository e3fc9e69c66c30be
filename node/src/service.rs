//! The running node: opens everything, starts every task, and stops them cleanly.
//!
//! [`run`] opens the chain's directory (`<base>/chains/<id>/{db,keystore,network,grandpa}`),
//! the database, client, keystore and transaction pool, then starts the pool's maintenance
//! task, the GRANDPA worker, the libp2p network and block sync with the glue between them
//! ([`crate::networking`]), the block author (validators), the JSON-RPC server, the Prometheus
//! endpoint and the informant, and waits for Ctrl-C or SIGTERM. Shutdown stops the author after
//! the block in progress, closes the RPC server, sync and the network, stops the voter (its
//! votes are on disk before they are sent) and releases the database (every block is already
//! durable: commits are fsynced), so a stop at any moment loses nothing.

use crate::author::{self, AuthorConfig};
use crate::chain_spec::ChainSpec;
use crate::cli::{Pruning, RpcMethodsArg, RunCmd};
use crate::client::{short_hash, Client};
use crate::db::Database;
use crate::keystore::{Keystore, AURA, GRANDPA, PROVIDER};
use crate::pool::{Pool, PoolOptions};
use crate::provider::config::ProviderConfig;
use crate::provider::outputs::Outputs;
use crate::provider::store::OutputStore;
use crate::provider::{Worker, WorkerMetrics, WorkerOptions};
use crate::rpc;
use crate::{finality, networking};
use anyhow::Context;
use basalt_network::{NetworkHandle, NetworkService, SyncHandle, SyncService};
use prometheus::{Encoder, IntCounter, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

const LOG: &str = "basalt::service";

/// The default base path: `$XDG_DATA_HOME/basalt` or `~/.local/share/basalt`, as Substrate
/// places its data.
pub fn default_base_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("basalt");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/basalt"),
        None => PathBuf::from("./basalt-data"),
    }
}

/// The directory of one chain under a base path.
pub fn chain_dir(base: &Path, spec: &ChainSpec) -> PathBuf {
    base.join("chains").join(spec.id())
}

/// The database directory of one chain.
pub fn db_dir(base: &Path, spec: &ChainSpec) -> PathBuf {
    chain_dir(base, spec).join("db")
}

/// The keystore directory of one chain.
pub fn keystore_dir(base: &Path, spec: &ChainSpec) -> PathBuf {
    chain_dir(base, spec).join("keystore")
}

/// GRANDPA's durable voter state of one chain (deleted with the database by purge-chain).
pub fn grandpa_dir(base: &Path, spec: &ChainSpec) -> PathBuf {
    chain_dir(base, spec).join("grandpa")
}

/// The node key file of one chain.
pub fn node_key_path(base: &Path, spec: &ChainSpec) -> PathBuf {
    chain_dir(base, spec).join("network").join("secret_ed25519")
}

/// Open the database and client of a chain (used by the node and by the block commands).
pub fn open_client(base: &Path, spec: ChainSpec) -> anyhow::Result<Arc<Client>> {
    let dir = db_dir(base, &spec);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the database directory {}", dir.display()))?;
    let db = Database::open(&dir)?;
    Ok(Client::new(Arc::new(db), spec)?)
}

/// A random node name like Substrate's (`adjective-animal-1234`), when --name is not given.
fn random_name() -> String {
    const ADJECTIVES: [&str; 16] = [
        "ancient", "brave", "calm", "dusty", "eager", "fierce", "gentle", "hollow", "icy", "jolly",
        "keen", "lucky", "misty", "noble", "quiet", "rapid",
    ];
    const NOUNS: [&str; 16] = [
        "basalt", "canyon", "delta", "ember", "fjord", "geyser", "harbor", "island", "jungle",
        "lagoon", "mesa", "obsidian", "pumice", "quarry", "ridge", "summit",
    ];
    let r: u64 = rand::random();
    format!(
        "{}-{}-{}",
        ADJECTIVES[(r % 16) as usize],
        NOUNS[((r >> 8) % 16) as usize],
        (r >> 16) % 10_000
    )
}

/// The node's Prometheus metrics, read from the client and pool when scraped.
struct Metrics {
    registry: Registry,
    block_height: IntGaugeVec,
    ready_transactions: IntGauge,
    future_transactions: IntGauge,
    imported_blocks: IntCounter,
}

impl Metrics {
    fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let block_height = IntGaugeVec::new(
            Opts::new("substrate_block_height", "Block height info of the chain"),
            &["status"],
        )?;
        let ready_transactions = IntGauge::new(
            "substrate_ready_transactions_number",
            "Number of transactions in the ready queue",
        )?;
        let future_transactions = IntGauge::new(
            "substrate_future_transactions_number",
            "Number of transactions waiting for a nonce gap to fill",
        )?;
        let imported_blocks = IntCounter::new(
            "basalt_imported_blocks_total",
            "Blocks imported or authored by this process",
        )?;
        registry.register(Box::new(block_height.clone()))?;
        registry.register(Box::new(ready_transactions.clone()))?;
        registry.register(Box::new(future_transactions.clone()))?;
        registry.register(Box::new(imported_blocks.clone()))?;
        Ok(Metrics {
            registry,
            block_height,
            ready_transactions,
            future_transactions,
            imported_blocks,
        })
    }

    /// Refresh the gauges and render the text exposition format.
    fn render(&self, client: &Client, pool: &Pool) -> Vec<u8> {
        let info = client.info();
        self.block_height
            .with_label_values(&["best"])
            .set(i64::from(info.best_number));
        self.block_height
            .with_label_values(&["finalized"])
            .set(i64::from(info.finalized_number));
        let (ready, future) = pool.status();
        self.ready_transactions
            .set(i64::try_from(ready).unwrap_or(i64::MAX));
        self.future_transactions
            .set(i64::try_from(future).unwrap_or(i64::MAX));
        let imported = client.imported_blocks();
        let counted = self.imported_blocks.get();
        if imported > counted {
            self.imported_blocks.inc_by(imported - counted);
        }
        let mut out = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(target: LOG, %error, "encoding metrics failed");
        }
        out
    }
}

/// Serve `GET /metrics` on `listener` until `shutdown`. A minimal HTTP/1.1 responder: one
/// request per connection, bounded request size, a timeout per connection.
async fn serve_metrics(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    client: Arc<Client>,
    pool: Arc<Pool>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((mut stream, _)) = accepted else {
            continue;
        };
        let (metrics, client, pool) = (metrics.clone(), client.clone(), pool.clone());
        tokio::spawn(async move {
            let mut request = Vec::with_capacity(1024);
            let mut buf = [0u8; 1024];
            let read = tokio::time::timeout(Duration::from_secs(5), async {
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 8192 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
            })
            .await;
            if read.is_err() {
                return;
            }
            let line = request.split(|b| *b == b'\n').next().unwrap_or_default();
            let line = String::from_utf8_lossy(line);
            let mut parts = line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let response = if method == "GET"
                && (path == "/metrics" || path.starts_with("/metrics?"))
            {
                let body = metrics.render(&client, &pool);
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                r.extend(body);
                r
            } else {
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found"
                    .to_vec()
            };
            let _ = stream.write_all(&response).await;
            let _ = stream.shutdown().await;
        });
    }
}

/// Every 5 s, log the node's status like Substrate's informant.
async fn informant(
    client: Arc<Client>,
    pool: Arc<Pool>,
    network: NetworkHandle,
    sync: SyncHandle,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(Duration::from_secs(5));
    interval.tick().await;
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = shutdown.changed() => return,
        }
        let info = client.info();
        let (ready, future) = pool.status();
        let state = sync.state();
        let status = if state.is_major_syncing {
            format!("⚙️  Syncing, target=#{}", state.highest_block)
        } else {
            "💤 Idle".to_string()
        };
        tracing::info!(
            target: "basalt::informant",
            "{status} ({} peers), best: #{} ({}), finalized #{} ({}), txpool: {} ready, {} future",
            network.num_connected(),
            info.best_number,
            short_hash(&info.best_hash),
            info.finalized_number,
            short_hash(&info.finalized_hash),
            ready,
            future
        );
    }
}

/// Wait for Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Run the node until Ctrl-C or SIGTERM.
pub async fn run(cmd: RunCmd) -> anyhow::Result<()> {
    let spec = ChainSpec::load(&cmd.shared.chain_id())?;

    // --tmp: a directory removed when `_tmp` drops at the end of this function.
    let _tmp;
    let base = if cmd.is_tmp() {
        let dir = tempfile::Builder::new()
            .prefix("basalt")
            .tempdir()
            .context("cannot create a temporary base path")?;
        let path = dir.path().to_path_buf();
        _tmp = Some(dir);
        path
    } else {
        _tmp = None;
        cmd.shared
            .base_path
            .clone()
            .unwrap_or_else(default_base_path)
    };
    let chain = chain_dir(&base, &spec);
    std::fs::create_dir_all(&chain)
        .with_context(|| format!("cannot create the chain directory {}", chain.display()))?;

    let name = cmd
        .name
        .clone()
        .or_else(|| cmd.dev_key().map(str::to_string))
        .unwrap_or_else(random_name);
    let version = env!("CARGO_PKG_VERSION");
    let role = if cmd.is_validator() {
        "AUTHORITY"
    } else {
        "FULL"
    };
    let runtime = basalt_runtime::api::version();
    tracing::info!(target: LOG, "Basalt Node");
    tracing::info!(target: LOG, "✌️  version {version}");
    tracing::info!(target: LOG, "❤️  by the Basalt developers, 2025");
    tracing::info!(
        target: LOG,
        "📋 Chain specification: {}{}",
        spec.name(),
        if spec.is_raw() { " (raw genesis)" } else { "" }
    );
    tracing::info!(target: LOG, "🏷  Node name: {name}");
    tracing::info!(target: LOG, "👤 Role: {role}");
    tracing::info!(target: LOG, "💾 Database: RocksDb at {}", db_dir(&base, &spec).display());
    tracing::info!(
        target: LOG,
        "⛓  Native runtime: {}-{} ({}-{}.tx{}.au{})",
        runtime.spec_name,
        runtime.spec_version,
        runtime.impl_name,
        runtime.impl_version,
        runtime.transaction_version,
        runtime.authoring_version
    );
    if let Pruning::Last(n) = cmd.pruning {
        tracing::warn!(
            target: LOG,
            "--pruning {n} is not implemented: this node keeps every state (archive mode)"
        );
    }

    let node_key = networking::node_key(&cmd, &node_key_path(&base, &spec))?;
    let peer_id = basalt_network::peer_id_of(&node_key).to_string();

    let keystore = Arc::new(Keystore::open(keystore_dir(&base, &spec))?);
    if let Some(seed) = cmd.dev_key() {
        let suri = format!("//{seed}");
        keystore.insert_suri(AURA, crate::keystore::Scheme::Sr25519, &suri)?;
        keystore.insert_suri(GRANDPA, crate::keystore::Scheme::Ed25519, &suri)?;
    }
    for seed in cmd.dev_provider_keys() {
        keystore.insert_suri(
            PROVIDER,
            crate::keystore::Scheme::Sr25519,
            &format!("//{seed}"),
        )?;
    }
    let provider_config = match &cmd.provider_config {
        Some(path) => ProviderConfig::load(path)?,
        None => ProviderConfig::default(),
    };

    let client = open_client(&base, spec.clone())?;
    let info = client.info();
    tracing::info!(
        target: LOG,
        "📦 Highest known block at #{} ({}), finalized #{}",
        info.best_number,
        short_hash(&info.best_hash),
        info.finalized_number
    );

    // Job outputs: computed by this node's providers or fetched for its clients.
    let output_store = OutputStore::open(client.db().clone(), provider_config.max_output_bytes)?;
    let outputs = Outputs::new(client.clone(), output_store.clone());
    let metrics = Arc::new(Metrics::new()?);

    let pool = Pool::new(
        client.clone(),
        PoolOptions {
            ready: crate::pool::queue::Limit {
                count: cmd.pool_limit,
                ..PoolOptions::default().ready
            },
            ..PoolOptions::default()
        },
    );
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    tasks.push(tokio::spawn(pool.clone().maintain()));

    // GRANDPA decides finality from here on; validators vote with their `gran` key.
    let grandpa_keys: Arc<dyn basalt_consensus::grandpa::LocalKeys> = if cmd.is_validator() {
        if keystore.public_keys(GRANDPA).is_empty() {
            tracing::warn!(target: LOG, "--validator, but the keystore holds no GRANDPA (gran) key yet: this node votes once it has one of the current set");
        }
        Arc::new(finality::KeystoreKeys(keystore.clone()))
    } else {
        Arc::new(None)
    };
    client.enable_finality_gadget();
    client.set_slot_duration(cmd.slot_duration_ms);
    let grandpa = finality::start(
        client.clone(),
        grandpa_keys,
        &grandpa_dir(&base, &spec),
        networking::gossip_duration_ms(cmd.slot_duration_ms),
    )?;
    let grandpa_handle = grandpa.handle.clone();

    // libp2p: discovery, gossip and block sync.
    let network_config =
        networking::network_config(&cmd, &spec, node_key, info.genesis_hash, &name)?;
    let node_chain = Arc::new(networking::NodeChain::new(
        client.clone(),
        grandpa.input.clone(),
        outputs.clone(),
    ));
    let (network, events) = NetworkService::start(network_config, node_chain.clone())
        .context("cannot start the network")?;
    outputs.attach_network(network.clone());
    let sync = SyncService::start(network.clone(), node_chain.clone(), node_chain);
    let grandpa_task = grandpa.task;
    tasks.push(tokio::spawn(networking::run(
        networking::Glue {
            network: network.clone(),
            sync: sync.clone(),
            events,
            client: client.clone(),
            pool: pool.clone(),
            grandpa_in: grandpa.input,
            grandpa_out: grandpa.output,
        },
        shutdown_rx.clone(),
    )));

    // JSON-RPC.
    let rpc_ip = if cmd.rpc_is_external() {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    };
    let methods = match cmd.rpc_methods() {
        RpcMethodsArg::Auto => rpc::RpcMethods::Auto,
        RpcMethodsArg::Safe => rpc::RpcMethods::Safe,
        RpcMethodsArg::Unsafe => rpc::RpcMethods::Unsafe,
    };
    let rpc_addr = SocketAddr::new(rpc_ip, cmd.rpc_port);
    // Like --dev, a development chain spec allows every origin unless --rpc-cors says otherwise.
    let cors = if spec.is_dev() && cmd.rpc_cors.is_none() {
        None
    } else {
        cmd.rpc_cors()
    };
    let rpc_handle = rpc::start(
        rpc::RpcConfig {
            addr: rpc_addr,
            cors: cors.clone(),
            methods,
            max_connections: cmd.rpc_max_connections,
            max_request_size_mb: cmd.rpc_max_request_size,
            max_response_size_mb: cmd.rpc_max_response_size,
            max_subscriptions_per_connection: cmd.rpc_max_subscriptions_per_connection,
        },
        rpc::RpcDeps {
            client: client.clone(),
            pool: pool.clone(),
            keystore: keystore.clone(),
            outputs: outputs.clone(),
            system: rpc::SystemInfo {
                name: name.clone(),
                version: version.to_string(),
                chain: spec.name().to_string(),
                chain_type: spec.chain_type(),
                properties: spec.properties(),
                is_validator: cmd.is_validator(),
                peer_id: peer_id.clone(),
            },
            network: Some(rpc::NetworkDeps {
                network: network.clone(),
                sync: sync.clone(),
                grandpa: grandpa_handle,
            }),
        },
    )
    .await
    .with_context(|| format!("cannot start the JSON-RPC server on {rpc_addr}"))?;
    tracing::info!(
        target: LOG,
        "Running JSON-RPC server: addr={rpc_addr}, allowed origins={}",
        match &cors {
            None => "[\"*\"]".to_string(),
            Some(list) => format!("{list:?}"),
        }
    );

    // Prometheus.
    if !cmd.no_prometheus {
        let ip = if cmd.prometheus_external {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        let addr = SocketAddr::new(ip, cmd.prometheus_port);
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => {
                tracing::info!(target: LOG, "〽️ Prometheus exporter started at {addr}");
                tasks.push(tokio::spawn(serve_metrics(
                    listener,
                    metrics.clone(),
                    client.clone(),
                    pool.clone(),
                    shutdown_rx.clone(),
                )));
            }
            Err(error) => {
                return Err(anyhow::anyhow!(
                    "cannot serve Prometheus metrics on {addr}: {error} (use --prometheus-port or --no-prometheus)"
                ))
            }
        }
    }

    tasks.push(tokio::spawn(informant(
        client.clone(),
        pool.clone(),
        network.clone(),
        sync.clone(),
        shutdown_rx.clone(),
    )));

    if cmd.is_provider() {
        if cmd.test_cheat_rate > 0.0 {
            tracing::warn!(target: LOG, "😈 --test-cheat-rate {}: this provider reveals wrong results and will be slashed", cmd.test_cheat_rate);
        }
        let worker = Worker::new(
            client.clone(),
            pool.clone(),
            keystore.clone(),
            output_store,
            WorkerOptions {
                config: provider_config,
                cheat_rate: cmd.test_cheat_rate,
            },
            WorkerMetrics::register(&metrics.registry)?,
        );
        tasks.push(tokio::spawn(worker.run(shutdown_rx.clone())));
    }

    if cmd.test_equivocate {
        tracing::warn!(target: LOG, "😈 --test-equivocate: this validator signs two blocks in each of its slots and will be slashed");
    }
    let author_task = if cmd.is_validator() {
        let authorities = client.authorities_at(info.best_hash)?;
        let held = keystore.public_keys(AURA);
        let ours = authorities
            .iter()
            .filter(|a| {
                let key: &[u8; 32] = (*a).as_ref();
                held.iter().any(|h| h.as_slice() == key)
            })
            .count();
        let best_slot = client
            .header(info.best_hash)
            .and_then(|h| basalt_consensus::aura::find_slot(&h).ok());
        let current_slot = crate::client::now_ms() / cmd.slot_duration_ms.max(1);
        if let Some(best_slot) = best_slot.filter(|s| *s > current_slot) {
            tracing::warn!(
                target: LOG,
                "the best block is from slot {best_slot}, but the current slot is {current_slot}: the chain was authored with a shorter --slot-duration-ms or a clock ahead of this one; no block can be authored until slot {}",
                best_slot + 1
            );
        }
        if ours == 0 {
            tracing::warn!(
                target: LOG,
                "--validator, but the keystore holds none of the {} Aura authority keys: this node will not author blocks",
                authorities.len()
            );
        }
        let sync = sync.clone();
        Some(tokio::spawn(author::run(
            client.clone(),
            pool.clone(),
            keystore.clone(),
            AuthorConfig {
                slot_duration_ms: cmd.slot_duration_ms,
                proposing_fraction: 1.0 / 3.0,
                equivocate: cmd.test_equivocate,
            },
            Arc::new(move || sync.state().is_major_syncing),
            shutdown_rx.clone(),
        )))
    } else {
        None
    };

    shutdown_signal().await;
    tracing::info!(target: LOG, "Shutting down: finishing the block in progress");
    let _ = shutdown_tx.send(true);
    if let Some(task) = author_task {
        let _ = task.await;
    }
    if rpc_handle.stop().is_ok() {
        let _ = tokio::time::timeout(Duration::from_secs(5), rpc_handle.stopped()).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), sync.shutdown()).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), network.shutdown()).await;
    // Every vote is on disk before it is sent: stopping the voter at any point is safe.
    grandpa_task.abort();
    for task in tasks {
        task.abort();
    }
    let info = client.info();
    tracing::info!(
        target: LOG,
        "Stopped at best #{} ({}), finalized #{}",
        info.best_number,
        short_hash(&info.best_hash),
        info.finalized_number
    );
    drop(pool);
    drop(client);
    Ok(())
}
