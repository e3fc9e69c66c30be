//! The node on the network: libp2p (basalt-network) wired to the client, the transaction pool
//! and the GRANDPA worker.
//!
//! ```text
//!  peers ──gossip──▶ NetworkEvent::Transactions ──▶ pool (External)      ──▶ bad ones reported
//!        ──gossip──▶ NetworkEvent::FinalityMessage ──▶ GRANDPA input
//!        ──blocks──▶ sync ──▶ ImportQueue (NodeChain) ──▶ Client::import_block
//!                                       └── FRNK justifications ──▶ GRANDPA input
//!  client imports ──▶ GRANDPA BlockImported; new best (not major syncing) ──▶ announce
//!  pool accepted (RPC) ──▶ gossip transactions
//!  client's Aura equivocation evidence ──▶ unsigned staking report ──▶ pool ──▶ gossip
//!  GRANDPA output ──▶ gossip / send to peer / request block / report peer
//! ```
//!
//! [`NodeChain`] is the network's view of the client ([`ChainAccess`], [`ImportQueue`]);
//! [`run`] is the task that moves everything else between the parts until shutdown.

use crate::chain_spec::ChainSpec;
use crate::cli::RunCmd;
use crate::client::{BlockOrigin, Client, ClientError};
use crate::pool::{Pool, PoolError};
use anyhow::Context;
use basalt_consensus::aura::Equivocation;
use basalt_consensus::grandpa::{GrandpaInput, GrandpaOutput, Peer};
use basalt_network::{
    costs, ChainAccess, ImportError, ImportQueue, Keypair, Multiaddr, NetworkConfig, NetworkEvent,
    NetworkHandle, PeerId, ReputationChange, Roles, SyncHandle,
};
use basalt_support::engine_ids::GRANDPA_ENGINE_ID;
use basalt_support::equivocation::AuraEquivocationProof;
use basalt_support::generic::{OpaqueExtrinsic, SignedBlock};
use basalt_support::validity::TransactionSource;
use basalt_support::H256;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures::StreamExt;
use lru::LruCache;
use parking_lot::Mutex;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, watch};

const LOG: &str = "basalt::network";

/// How many hashes of transactions received from peers are remembered, so that they are not
/// gossiped back (gossipsub relays them already).
const RECEIVED_MEMORY: usize = 65_536;

/// The most transactions gossiped in one message.
const MAX_GOSSIP_BATCH: usize = 512;

/// GRANDPA's estimated gossip latency for a slot length: a sixth of the slot (333 ms for the
/// default 2 s slots), between 100 ms and 1 s, so that a round (a few of these) fits in a slot
/// or two and finality follows the chain closely.
pub fn gossip_duration_ms(slot_duration_ms: u64) -> u64 {
    (slot_duration_ms / 6).clamp(100, 1000)
}

/// The node's libp2p key: `--node-key`, else `--node-key-file`, else the chain's key file
/// (generated on first start).
pub fn node_key(cmd: &RunCmd, default_file: &Path) -> anyhow::Result<Keypair> {
    let key = match (&cmd.node_key, &cmd.node_key_file) {
        (Some(hex), _) => basalt_network::node_key_from_hex(hex).context("--node-key")?,
        (None, Some(file)) => basalt_network::load_or_generate_node_key(file)
            .with_context(|| format!("--node-key-file {}", file.display()))?,
        (None, None) => basalt_network::load_or_generate_node_key(default_file)?,
    };
    Ok(key)
}

/// The network configuration the command line and chain spec ask for.
pub fn network_config(
    cmd: &RunCmd,
    spec: &ChainSpec,
    key: Keypair,
    genesis_hash: H256,
    name: &str,
) -> anyhow::Result<NetworkConfig> {
    let protocol_id = spec.protocol_id().unwrap_or_else(|| spec.id()).to_string();
    let mut config = NetworkConfig::new(key, protocol_id, genesis_hash);
    config.listen_addrs = if cmd.listen_addr.is_empty() {
        vec![basalt_network::listen_addr_for_port(listen_port(cmd, spec))]
    } else {
        cmd.listen_addr
            .iter()
            .map(|a| {
                a.parse::<Multiaddr>()
                    .with_context(|| format!("--listen-addr {a}"))
            })
            .collect::<anyhow::Result<_>>()?
    };
    config.boot_nodes = cmd
        .bootnodes
        .iter()
        .map(|a| (a, "--bootnodes"))
        .chain(
            spec.boot_nodes()
                .iter()
                .map(|a| (a, "the chain spec's bootNodes")),
        )
        .map(|(a, from)| {
            let addr = a
                .parse::<Multiaddr>()
                .with_context(|| format!("{from}: `{a}` is not a multiaddress"))?;
            basalt_network::parse_boot_node(&addr).with_context(|| format!("{from}: `{a}`"))?;
            Ok(addr)
        })
        .collect::<anyhow::Result<_>>()?;
    config.enable_mdns = !cmd.no_mdns && !spec.is_dev();
    config.max_inbound = cmd.in_peers;
    config.max_outbound = cmd.out_peers;
    config.roles = if cmd.is_validator() {
        Roles::AUTHORITY
    } else {
        Roles::FULL
    };
    config.node_name = name.to_string();
    Ok(config)
}

/// `--port`, else 30333; a development chain whose default port is taken (another dev node)
/// listens on a free port instead of failing.
fn listen_port(cmd: &RunCmd, spec: &ChainSpec) -> u16 {
    if let Some(port) = cmd.port {
        return port;
    }
    let default = basalt_network::DEFAULT_PORT;
    if spec.is_dev() && std::net::TcpListener::bind(("0.0.0.0", default)).is_err() {
        tracing::info!(target: LOG, "p2p port {default} is in use: listening on a free port");
        return 0;
    }
    default
}

/// The client as the network sees it.
pub struct NodeChain {
    client: Arc<Client>,
    grandpa: UnboundedSender<GrandpaInput>,
    outputs: Arc<crate::provider::outputs::Outputs>,
}

impl NodeChain {
    /// The network's view of `client`; justifications of synced blocks go to `grandpa`; job
    /// outputs are served from `outputs`.
    pub fn new(
        client: Arc<Client>,
        grandpa: UnboundedSender<GrandpaInput>,
        outputs: Arc<crate::provider::outputs::Outputs>,
    ) -> Self {
        NodeChain {
            client,
            grandpa,
            outputs,
        }
    }
}

impl ChainAccess for NodeChain {
    fn genesis_hash(&self) -> H256 {
        self.client.info().genesis_hash
    }

    fn best(&self) -> (u32, H256) {
        let info = self.client.info();
        (info.best_number, info.best_hash)
    }

    fn finalized(&self) -> (u32, H256) {
        let info = self.client.info();
        (info.finalized_number, info.finalized_hash)
    }

    fn block_by_number(&self, number: u32) -> Option<SignedBlock> {
        self.client.block(self.client.hash_at(number)?)
    }

    fn block_by_hash(&self, hash: &H256) -> Option<SignedBlock> {
        self.client.block(*hash)
    }

    fn job_output(
        &self,
        request: &basalt_network::OutputRequest,
    ) -> basalt_network::OutputResponse {
        self.outputs.serve(request)
    }
}

/// The GRANDPA justification among a block's justifications.
fn grandpa_justification(block: &SignedBlock) -> Option<Vec<u8>> {
    block
        .justifications
        .as_ref()?
        .iter()
        .find(|(engine, _)| *engine == GRANDPA_ENGINE_ID)
        .map(|(_, data)| data.clone())
}

impl ImportQueue for NodeChain {
    fn import(&self, from: PeerId, blocks: Vec<SignedBlock>) -> Vec<Result<(), ImportError>> {
        let mut results = Vec::with_capacity(blocks.len());
        for block in blocks {
            if results.last().is_some_and(Result::is_err) {
                results.push(Err(ImportError::Other("an earlier block failed".into())));
                continue;
            }
            let (hash, number) = (block.block.header.hash(), block.block.header.number);
            let justification = grandpa_justification(&block);
            let result = match self
                .client
                .import_block(block, BlockOrigin::NetworkInitialSync)
            {
                Ok(_) => {
                    if let Some(justification) = justification {
                        // The worker verifies it and penalises `from` for a bad one.
                        let _ = self.grandpa.unbounded_send(GrandpaInput::Justification {
                            from: Some(Peer(from.to_bytes())),
                            hash,
                            number,
                            justification,
                        });
                    }
                    Ok(())
                }
                Err(ClientError::UnknownParent { .. }) => Err(ImportError::UnknownParent),
                Err(
                    e @ (ClientError::BadSeal { .. }
                    | ClientError::InvalidBlock { .. }
                    | ClientError::BadNumber { .. }),
                ) => {
                    tracing::warn!(target: LOG, "💔 Invalid block from {from}: {e}");
                    Err(ImportError::Invalid(e.to_string()))
                }
                Err(e) => {
                    tracing::debug!(target: LOG, "block from {from} not imported: {e}");
                    Err(ImportError::Other(e.to_string()))
                }
            };
            results.push(result);
        }
        results
    }
}

/// The parts [`run`] connects.
pub struct Glue {
    /// The libp2p service.
    pub network: NetworkHandle,
    /// Block sync.
    pub sync: SyncHandle,
    /// The network's events.
    pub events: mpsc::Receiver<NetworkEvent>,
    /// The chain.
    pub client: Arc<Client>,
    /// The transaction pool.
    pub pool: Arc<Pool>,
    /// Into GRANDPA.
    pub grandpa_in: UnboundedSender<GrandpaInput>,
    /// Out of GRANDPA.
    pub grandpa_out: UnboundedReceiver<GrandpaOutput>,
}

/// Move messages between the network, the pool, the client and GRANDPA until `shutdown`.
pub async fn run(glue: Glue, mut shutdown: watch::Receiver<bool>) {
    let Glue {
        network,
        sync,
        mut events,
        client,
        pool,
        grandpa_in,
        mut grandpa_out,
    } = glue;
    let received = Arc::new(Mutex::new(LruCache::<H256, ()>::new(
        NonZeroUsize::new(RECEIVED_MEMORY).unwrap_or(NonZeroUsize::MIN),
    )));
    let validating = BoundedSpawner::new(MAX_VALIDATING_BATCHES);
    let mut imports = client.import_notifications();
    let mut accepted = pool.accepted_transactions();
    let mut equivocations = client.equivocation_notifications();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => on_event(event, &network, &sync, &client, &pool, &grandpa_in, &received, &validating),
                None => break,
            },
            output = grandpa_out.next() => match output {
                Some(output) => on_grandpa(output, &network, &sync),
                None => {
                    tracing::warn!(target: LOG, "GRANDPA has stopped; finality messages are no longer handled");
                    // Keep serving the rest of the node; stop polling the closed stream.
                    grandpa_out = futures::channel::mpsc::unbounded().1;
                }
            },
            imported = imports.recv() => match imported {
                Ok(block) => {
                    let _ = grandpa_in.unbounded_send(GrandpaInput::BlockImported {
                        hash: block.hash,
                        number: block.header.number,
                    });
                    let ours = block.origin == BlockOrigin::Own;
                    if (block.is_new_best || ours) && !sync.state().is_major_syncing {
                        network.announce_block(block.header);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::debug!(target: LOG, missed, "import notifications lagged");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            tx = accepted.recv() => match tx {
                Ok(tx) => gossip_accepted(tx, &mut accepted, &network, &received),
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            evidence = equivocations.recv() => match evidence {
                Ok(evidence) => report_equivocation(evidence, &pool),
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = shutdown.changed() => break,
        }
    }
    tracing::debug!(target: LOG, "network glue stopped");
}

/// Submit Aura equivocation evidence to the chain: an unsigned staking report, validated by
/// the runtime and gossiped like any transaction, so the offender is slashed whoever authors
/// the next block.
fn report_equivocation(evidence: Equivocation, pool: &Arc<Pool>) {
    let proof = AuraEquivocationProof {
        offender: evidence.offender.0,
        slot: evidence.slot,
        first_header: evidence.first,
        second_header: evidence.second,
    };
    let xt = basalt_runtime::api::aura_equivocation_report(proof);
    let pool = pool.clone();
    tokio::task::spawn_blocking(
        move || match pool.submit_one(TransactionSource::Local, xt) {
            Ok(hash) => {
                tracing::info!(target: LOG, "📮 Reported the equivocation on chain ({hash:?})")
            }
            // Another node's report of the same offence got there first, or it was punished.
            Err(error) => {
                tracing::debug!(target: LOG, "equivocation report not submitted: {error}")
            }
        },
    );
}

/// Gossip `first` and whatever else the pool accepted meanwhile, except transactions that
/// came from peers.
fn gossip_accepted(
    first: OpaqueExtrinsic,
    accepted: &mut broadcast::Receiver<OpaqueExtrinsic>,
    network: &NetworkHandle,
    received: &Mutex<LruCache<H256, ()>>,
) {
    let mut batch = vec![first];
    while batch.len() < MAX_GOSSIP_BATCH {
        match accepted.try_recv() {
            Ok(tx) => batch.push(tx),
            Err(_) => break,
        }
    }
    {
        let received = received.lock();
        batch.retain(|tx| received.peek(&tx.hash()).is_none());
    }
    if !batch.is_empty() {
        network.gossip_transactions(batch);
    }
}

/// Gossiped transaction batches validated at once, at most.
const MAX_VALIDATING_BATCHES: usize = 16;

/// Runs closures on tokio's blocking pool, at most `limit` at once; refuses more.
struct BoundedSpawner {
    permits: Arc<tokio::sync::Semaphore>,
}

impl BoundedSpawner {
    fn new(limit: usize) -> Self {
        BoundedSpawner {
            permits: Arc::new(tokio::sync::Semaphore::new(limit)),
        }
    }

    /// Spawns `f` if fewer than the limit are running; whether it did.
    fn spawn(&self, f: impl FnOnce() + Send + 'static) -> bool {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            return false;
        };
        tokio::task::spawn_blocking(move || {
            f();
            drop(permit);
        });
        true
    }
}

/// One network event.
#[allow(clippy::too_many_arguments)]
fn on_event(
    event: NetworkEvent,
    network: &NetworkHandle,
    sync: &SyncHandle,
    client: &Client,
    pool: &Arc<Pool>,
    grandpa_in: &UnboundedSender<GrandpaInput>,
    received: &Arc<Mutex<LruCache<H256, ()>>>,
    validating: &BoundedSpawner,
) {
    match event {
        NetworkEvent::Transactions { from, txs } => {
            {
                let mut received = received.lock();
                for tx in &txs {
                    received.put(tx.hash(), ());
                }
            }
            let (pool, network) = (pool.clone(), network.clone());
            // Validation runs the runtime: off the event loop, on the blocking pool, at most
            // `MAX_VALIDATING_BATCHES` batches at once; a batch beyond that is dropped (gossip is
            // best effort, and a flood must not grow the blocking pool without bound).
            let spawned = validating.spawn(move || {
                let results = pool.submit_batch(TransactionSource::External, txs);
                let invalid = results
                    .iter()
                    .filter(|r| matches!(r, Err(PoolError::Invalid(_))))
                    .count();
                for _ in 0..invalid {
                    network.report_peer(from, costs::BAD_TRANSACTION);
                }
            });
            if !spawned {
                tracing::debug!(target: LOG, "dropped a transaction batch from {from}: {MAX_VALIDATING_BATCHES} batches are being validated");
            }
        }
        NetworkEvent::FinalityMessage { from, bytes } => {
            let _ = grandpa_in.unbounded_send(GrandpaInput::Gossip {
                from: Peer(from.to_bytes()),
                bytes,
            });
        }
        NetworkEvent::BlockAnnounced { from, header } => {
            // Sync follows peers' best chains; a block announced on a fork (not longer than
            // ours) is fetched here, so that every node sees forks and equivocations.
            let hash = header.hash();
            if header.number > client.info().finalized_number && client.number(hash).is_none() {
                sync.request_block(hash, header.number, Some(from));
            }
        }
        NetworkEvent::PeerConnected(info) => {
            tracing::debug!(target: LOG, "peer {} connected (best #{})", info.peer_id, info.best_number);
        }
        NetworkEvent::PeerDisconnected(peer) => {
            tracing::debug!(target: LOG, "peer {peer} disconnected");
        }
    }
}

/// One request of the GRANDPA worker.
fn on_grandpa(output: GrandpaOutput, network: &NetworkHandle, sync: &SyncHandle) {
    let peer_id = |peer: &Peer| PeerId::from_bytes(&peer.0).ok();
    match output {
        GrandpaOutput::Broadcast(bytes) => network.gossip_finality(bytes),
        GrandpaOutput::SendTo(peer, bytes) => {
            if let Some(peer) = peer_id(&peer) {
                network.send_finality(peer, bytes);
            }
        }
        GrandpaOutput::RequestBlock { hash, number, from } => {
            sync.request_block(hash, number, from.as_ref().and_then(peer_id));
        }
        GrandpaOutput::Report { peer, misbehaviour } => {
            if let Some(peer) = peer_id(&peer) {
                tracing::debug!(target: LOG, "reporting {peer} for {misbehaviour:?}");
                network.report_peer(peer, ReputationChange::new(misbehaviour.cost(), "grandpa"));
            }
        }
        GrandpaOutput::Equivocation(proof) => {
            tracing::warn!(
                target: LOG,
                "⚠️ GRANDPA equivocation by {} in round {} of set {}",
                basalt_support::AccountId::new(proof.offender().0),
                proof.round(),
                proof.set_id
            );
        }
        GrandpaOutput::Finalized { hash, number } => {
            tracing::debug!(target: LOG, "GRANDPA finalized #{number} ({hash:?})");
        }
        GrandpaOutput::AuthoritySetChanged {
            set_id,
            authorities,
            at,
        } => {
            tracing::info!(
                target: LOG,
                "👴 Applying GRANDPA authority set change: set {set_id} of {} voters from #{} ({})",
                authorities.len(),
                at.1,
                crate::client::short_hash(&at.0)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn attack_a_transaction_flood_cannot_spawn_unbounded_validation_tasks() {
        let spawner = BoundedSpawner::new(MAX_VALIDATING_BATCHES);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let mut accepted = 0;
        for _ in 0..1_000 {
            let wait = wait.clone();
            if spawner.spawn(move || {
                let _ = wait.lock().map(|w| w.recv());
            }) {
                accepted += 1;
            }
        }
        assert_eq!(accepted, MAX_VALIDATING_BATCHES);
        for _ in 0..MAX_VALIDATING_BATCHES {
            let _ = release.send(());
        }
        // Once they finish, batches are accepted again.
        let mut again = false;
        for _ in 0..100 {
            if spawner.spawn(|| {}) {
                again = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(again);
    }
}
