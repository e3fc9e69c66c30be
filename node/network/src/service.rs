//! The network service: one libp2p swarm on a tokio task, driven by commands from
//! [`NetworkHandle`]s and reporting to the node through a channel of [`NetworkEvent`]s.
//!
//! What runs: TCP (with DNS) secured by noise and multiplexed by yamux; identify and ping;
//! Kademlia discovery seeded by the boot nodes; optional mDNS; gossipsub with one topic per
//! [`GossipKind`]; the status handshake; the block-sync request-response protocol; connection
//! limits and a block list for bans.
//!
//! Guarantees:
//! - A peer becomes visible to the node ([`NetworkEvent::PeerConnected`], [`NetworkHandle::peers`])
//!   only after its status handshake showed the same genesis hash and protocol version; a peer
//!   of another chain is disconnected and banned.
//! - Nothing a peer sends can stop the event loop: undecodable or oversized input is dropped and
//!   costs the sender reputation ([`crate::reputation`]); below the ban threshold the peer at
//!   once stops being a peer (nothing more from it is served or passed on), within a second
//!   its connections are closed, and new ones are refused until the ban ends.
//! - Gossip is forwarded to other peers only after it decoded (gossipsub validation).
//! - The chain is read on blocking threads, never on the event loop.
//! - Events are delivered with `try_send`: if the node does not drain the channel
//!   ([`EVENT_CHANNEL_CAPACITY`]), events are dropped (and logged) rather than stalling the
//!   network. [`NetworkHandle::peers`] is always current.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use basalt_support::generic::{Header, OpaqueExtrinsic};
use codec::Encode;
use futures::StreamExt;
use libp2p::core::muxing::StreamMuxerBox;
use libp2p::core::transport::Boxed;
use libp2p::core::upgrade;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, MessageId, TopicHash};
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, OutboundRequestId, ProtocolSupport, ResponseChannel};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    allow_block_list, connection_limits, identify, kad, mdns, noise, ping, tcp, yamux, Multiaddr,
    PeerId, StreamProtocol, Swarm, Transport,
};
use parking_lot::{Mutex, RwLock};
use tokio::sync::{mpsc, oneshot, Notify};
use tracing::{debug, info, trace, warn};

use crate::chain::{serve_block_request, ChainAccess};
use crate::config::{parse_boot_node, peer_id_of, NetworkConfig};
use crate::protocol::{
    self, check_response, decode_peer_input, BlockAnnounce, BlockRequest, BlockResponse,
    FrameCodec, GossipKind, OutputRequest, OutputResponse, Roles, Status, MAX_GOSSIP_SIZE,
    MAX_OUTPUT_CHUNK, STATUS_PROTOCOL, STATUS_VERSION,
};
use crate::reputation::{costs, ReputationChange, Reputations, Verdict};
use crate::NetworkError;

/// Log target of this crate, as `sub-libp2p` is Substrate's.
const LOG_TARGET: &str = "network";
/// How many events may wait for the node before new ones are dropped.
pub const EVENT_CHANNEL_CAPACITY: usize = 8192;
/// How long a new connection may take to complete its status handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a block request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How many block requests of one peer are served at once; more are dropped unanswered.
const MAX_INBOUND_REQUESTS_PER_PEER: usize = 4;
/// Ticks (of one second) between re-dials of disconnected boot nodes.
const BOOT_NODE_REDIAL_TICKS: u64 = 5;
/// Ticks between status refreshes with every peer, which correct best blocks missed in gossip.
const STATUS_REFRESH_TICKS: u64 = 15;
/// Ticks between Kademlia random walks looking for more peers.
const DISCOVERY_TICKS: u64 = 30;
/// Ticks between random walks while we have fewer outbound peers than allowed.
const DISCOVERY_TICKS_WHEN_SHORT: u64 = 5;

/// A peer the node can see: handshake done, same chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's id.
    pub peer_id: PeerId,
    /// What the peer does.
    pub roles: Roles,
    /// The peer's best block, from its handshake and its later announcements.
    pub best_hash: basalt_support::H256,
    /// The number of that block.
    pub best_number: u32,
}

/// What the network tells the node.
#[derive(Clone, Debug)]
pub enum NetworkEvent {
    /// A peer announced a block. `from` is the peer that authored the announcement when we are
    /// connected to it (it has the block), else the peer that relayed it. Sync fetches the
    /// block by itself; the node may use this for logging or to prioritise.
    BlockAnnounced {
        /// Who has the block.
        from: PeerId,
        /// The announced header.
        header: Header,
    },
    /// A peer relayed transactions. Submit them to the pool; report `from` with
    /// [`costs::BAD_TRANSACTION`] for those the pool finds invalid.
    Transactions {
        /// Their author (gossip is signed), whom a bad one is blamed on; not the relayer.
        from: PeerId,
        /// The transactions.
        txs: Vec<OpaqueExtrinsic>,
    },
    /// A peer relayed a finality-gadget message by gossip, or sent one directly with
    /// [`NetworkHandle::send_finality`] (opaque to the network); report `from` with
    /// [`costs::BAD_FINALITY_MESSAGE`] if it turns out invalid.
    FinalityMessage {
        /// Its author (gossip is signed) or the direct sender; not a relayer.
        from: PeerId,
        /// The message.
        bytes: Vec<u8>,
    },
    /// A peer of our chain completed its handshake.
    PeerConnected(PeerInfo),
    /// A peer that had completed its handshake disconnected (or was banned).
    PeerDisconnected(PeerId),
}

/// Why a block request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// We are not connected to that peer (or its handshake is not done).
    #[error("not connected to the peer")]
    NotConnected,
    /// The peer did not answer in time.
    #[error("request timed out")]
    Timeout,
    /// The connection closed before the answer.
    #[error("connection closed")]
    ConnectionClosed,
    /// The peer does not speak the sync protocol of our chain.
    #[error("peer does not support the sync protocol")]
    Unsupported,
    /// The answer was malformed or did not answer the request (the peer was penalised).
    #[error("invalid response: {0}")]
    InvalidResponse(String),
    /// Any other transport failure.
    #[error("transport: {0}")]
    Transport(String),
    /// The network service has stopped.
    #[error("network service stopped")]
    Stopped,
}

/// The result of a block request, delivered on the channel [`NetworkHandle::request_blocks`]
/// returns.
pub type BlockResult = Result<BlockResponse, RequestError>;

/// The result of a job-output request, delivered on the channel
/// [`NetworkHandle::request_output`] returns.
pub type OutputResult = Result<OutputResponse, RequestError>;

/// What handles ask of the event loop.
enum Command {
    Announce(Header),
    Transactions(Vec<OpaqueExtrinsic>),
    Finality(Vec<u8>),
    FinalityTo(PeerId, Vec<u8>),
    RequestBlocks {
        peer: PeerId,
        request: BlockRequest,
        reply: oneshot::Sender<BlockResult>,
    },
    RequestOutput {
        peer: PeerId,
        request: OutputRequest,
        reply: oneshot::Sender<OutputResult>,
    },
    Report(PeerId, ReputationChange),
    Dial(Multiaddr),
    Shutdown,
}

/// State the event loop publishes for handles to read without a round trip.
#[derive(Default)]
struct Published {
    peers: HashMap<PeerId, PeerInfo>,
    listen_addrs: Vec<Multiaddr>,
    banned: HashSet<PeerId>,
}

/// What handles and the event loop share.
struct Shared {
    local_peer_id: PeerId,
    published: RwLock<Published>,
    /// Woken whenever a peer connects, disconnects or changes its best block.
    peers_changed: Notify,
}

struct HandleInner {
    shared: Arc<Shared>,
    commands: mpsc::UnboundedSender<Command>,
    worker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// The node's handle on the network: cheap to clone, usable from any thread. Methods that
/// send return at once; if the service has stopped they do nothing (or report
/// [`RequestError::Stopped`]).
#[derive(Clone)]
pub struct NetworkHandle {
    inner: Arc<HandleInner>,
}

impl NetworkHandle {
    /// This node's peer id.
    pub fn local_peer_id(&self) -> PeerId {
        self.inner.shared.local_peer_id
    }

    /// The addresses we listen on, each ending with `/p2p/<our peer id>` so it can be given
    /// to other nodes as a boot node.
    pub fn listen_addresses(&self) -> Vec<Multiaddr> {
        self.inner.shared.published.read().listen_addrs.clone()
    }

    /// The peers of our chain we are connected to (for `system_peers` and sync).
    pub fn peers(&self) -> Vec<PeerInfo> {
        let mut peers: Vec<PeerInfo> = self
            .inner
            .shared
            .published
            .read()
            .peers
            .values()
            .cloned()
            .collect();
        peers.sort_by_key(|p| p.peer_id.to_bytes());
        peers
    }

    /// How many peers of our chain we are connected to (for `system_health`).
    pub fn num_connected(&self) -> usize {
        self.inner.shared.published.read().peers.len()
    }

    /// The peers currently banned.
    pub fn banned_peers(&self) -> Vec<PeerId> {
        self.inner
            .shared
            .published
            .read()
            .banned
            .iter()
            .copied()
            .collect()
    }

    /// Tells peers about a block we imported or authored; call for every new best block.
    pub fn announce_block(&self, header: Header) {
        self.send(Command::Announce(header));
    }

    /// Gossips one transaction (call when the pool accepts a transaction submitted locally).
    pub fn gossip_transaction(&self, tx: OpaqueExtrinsic) {
        self.send(Command::Transactions(vec![tx]));
    }

    /// Gossips several transactions in one message.
    pub fn gossip_transactions(&self, txs: Vec<OpaqueExtrinsic>) {
        if !txs.is_empty() {
            self.send(Command::Transactions(txs));
        }
    }

    /// Gossips an opaque finality-gadget message (at most [`MAX_GOSSIP_SIZE`] bytes).
    pub fn gossip_finality(&self, bytes: Vec<u8>) {
        self.send(Command::Finality(bytes));
    }

    /// Sends an opaque finality-gadget message to one peer (GRANDPA's `SendTo`: neighbour
    /// packets, catch-up requests and answers); it arrives there as
    /// [`NetworkEvent::FinalityMessage`]. Best effort: dropped if the peer is not connected.
    pub fn send_finality(&self, peer: PeerId, bytes: Vec<u8>) {
        self.send(Command::FinalityTo(peer, bytes));
    }

    /// Asks `peer` for blocks; the answer arrives on the returned channel, already checked
    /// with [`check_response`] (a peer whose answer fails the check is penalised).
    pub fn request_blocks(
        &self,
        peer: PeerId,
        request: BlockRequest,
    ) -> oneshot::Receiver<BlockResult> {
        let (reply, rx) = oneshot::channel();
        if let Err(mpsc::error::SendError(Command::RequestBlocks { reply, .. })) =
            self.inner.commands.send(Command::RequestBlocks {
                peer,
                request,
                reply,
            })
        {
            let _ = reply.send(Err(RequestError::Stopped));
        }
        rx
    }

    /// Asks `peer` for a chunk of a job's output; the answer arrives on the returned channel,
    /// checked to be no longer than asked and consistent with its total (the caller checks
    /// the whole output against the chain's result hash).
    pub fn request_output(
        &self,
        peer: PeerId,
        request: OutputRequest,
    ) -> oneshot::Receiver<OutputResult> {
        let (reply, rx) = oneshot::channel();
        if let Err(mpsc::error::SendError(Command::RequestOutput { reply, .. })) =
            self.inner.commands.send(Command::RequestOutput {
                peer,
                request,
                reply,
            })
        {
            let _ = reply.send(Err(RequestError::Stopped));
        }
        rx
    }

    /// Changes `peer`'s reputation (use [`costs`] for invalid blocks, transactions and
    /// finality messages the node found); enough bad reports ban the peer.
    pub fn report_peer(&self, peer: PeerId, change: ReputationChange) {
        self.send(Command::Report(peer, change));
    }

    /// Dials an address (which may end with `/p2p/<peer id>`), e.g. for
    /// `system_addReservedPeer`.
    pub fn dial(&self, addr: Multiaddr) {
        self.send(Command::Dial(addr));
    }

    /// Stops the service: closes every connection and waits for the event loop to end.
    /// Further calls on any handle do nothing.
    pub async fn shutdown(&self) {
        self.send(Command::Shutdown);
        let worker = self.inner.worker.lock().take();
        if let Some(worker) = worker {
            let _ = worker.await;
        }
    }

    /// Wakes when a peer connects, disconnects or changes its best block (for sync).
    pub(crate) fn peers_changed(&self) -> &Notify {
        &self.inner.shared.peers_changed
    }

    fn send(&self, command: Command) {
        // A closed channel means the service stopped; there is nobody left to tell.
        let _ = self.inner.commands.send(command);
    }
}

/// Starts the network; see [`NetworkService::start`].
pub struct NetworkService;

impl NetworkService {
    /// Builds the swarm from `config`, starts listening, dials the boot nodes and spawns the
    /// event loop on the current tokio runtime. Logs the local identity and each listen
    /// address as Substrate does. Returns the handle and the node's event stream.
    ///
    /// Errors: a boot node without `/p2p/<id>`, a listen address that cannot be bound, or an
    /// invalid gossip configuration. Must be called from within a tokio runtime.
    pub fn start(
        config: NetworkConfig,
        chain: Arc<dyn ChainAccess>,
    ) -> Result<(NetworkHandle, mpsc::Receiver<NetworkEvent>), NetworkError> {
        let local_peer_id = peer_id_of(&config.node_key);
        let boot_nodes = config
            .boot_nodes
            .iter()
            .map(parse_boot_node)
            .collect::<Result<Vec<_>, _>>()?;
        let genesis = config.genesis_hash;
        let transport = build_transport(&config.node_key)?;
        let behaviour = build_behaviour(&config, local_peer_id)?;
        let mut swarm = Swarm::new(
            transport,
            behaviour,
            local_peer_id,
            libp2p::swarm::Config::with_tokio_executor()
                .with_idle_connection_timeout(Duration::from_secs(60 * 60 * 24)),
        );
        info!(target: LOG_TARGET, "🏷  Local node identity is: {local_peer_id}");
        for addr in &config.listen_addrs {
            swarm
                .listen_on(addr.clone())
                .map_err(|e| NetworkError::Listen(format!("{addr}: {e}")))?;
        }
        let mut topics = HashMap::new();
        for kind in GossipKind::ALL {
            let topic = IdentTopic::new(kind.topic(&genesis));
            swarm
                .behaviour_mut()
                .gossip
                .subscribe(&topic)
                .map_err(|e| NetworkError::Gossip(format!("{e:?}")))?;
            topics.insert(topic.hash(), kind);
        }
        for (peer, addr) in &boot_nodes {
            if *peer != local_peer_id {
                swarm.behaviour_mut().kad.add_address(peer, addr.clone());
            }
        }

        let shared = Arc::new(Shared {
            local_peer_id,
            published: RwLock::new(Published::default()),
            peers_changed: Notify::new(),
        });
        let (commands_tx, commands_rx) = mpsc::unbounded_channel();
        let (events_tx, events_rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
        let (served_tx, served_rx) = mpsc::unbounded_channel();
        let mut worker = Worker {
            swarm,
            chain,
            shared: shared.clone(),
            events: events_tx,
            commands: commands_rx,
            served_tx,
            served_rx,
            peers: HashMap::new(),
            reputations: Reputations::new(config.ban_duration),
            pending: HashMap::new(),
            pending_outputs: HashMap::new(),
            inbound_status: HashMap::new(),
            to_block: Vec::new(),
            boot_nodes,
            topics,
            genesis,
            roles: config.roles,
            max_outbound: config.max_outbound,
            kad_protocol: protocol::kad_protocol(&genesis),
            ticks: 0,
            last_discovery: 0,
            dropped_events: 0,
        };
        worker.dial_boot_nodes();
        let task = tokio::spawn(worker.run());
        let handle = NetworkHandle {
            inner: Arc::new(HandleInner {
                shared,
                commands: commands_tx,
                worker: Mutex::new(Some(task)),
            }),
        };
        Ok((handle, events_rx))
    }
}

/// The composed libp2p behaviour. The block list and connection limits come first so that
/// they veto connections before any other behaviour sees them.
#[derive(NetworkBehaviour)]
struct Behaviour {
    blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    limits: connection_limits::Behaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    kad: kad::Behaviour<kad::store::MemoryStore>,
    mdns: Toggle<mdns::tokio::Behaviour>,
    gossip: gossipsub::Behaviour,
    status: request_response::Behaviour<FrameCodec>,
    sync: request_response::Behaviour<FrameCodec>,
    finality: request_response::Behaviour<FrameCodec>,
    outputs: request_response::Behaviour<FrameCodec>,
}

/// TCP (nodelay) with DNS resolution, upgraded with noise and yamux.
fn build_transport(
    key: &libp2p::identity::Keypair,
) -> Result<Boxed<(PeerId, StreamMuxerBox)>, NetworkError> {
    let tcp_config = tcp::Config::new().nodelay(true);
    let dns =
        match libp2p::dns::tokio::Transport::system(tcp::tokio::Transport::new(tcp_config.clone()))
        {
            Ok(dns) => dns,
            Err(e) => {
                warn!(target: LOG_TARGET, "No system DNS configuration ({e}); using defaults");
                libp2p::dns::tokio::Transport::custom(
                    tcp::tokio::Transport::new(tcp_config),
                    libp2p::dns::ResolverConfig::default(),
                    libp2p::dns::ResolverOpts::default(),
                )
            }
        };
    let noise = noise::Config::new(key).map_err(|e| NetworkError::Transport(e.to_string()))?;
    Ok(dns
        .upgrade(upgrade::Version::V1Lazy)
        .authenticate(noise)
        .multiplex(yamux::Config::default())
        .timeout(Duration::from_secs(20))
        .boxed())
}

/// The gossipsub message id: for transactions the content alone (the same transaction relayed
/// by many nodes is one message); for announcements the content and the author, so that every
/// node's announcement of a block it imported reaches its peers and tells them it has the
/// block; for finality messages the author and its sequence number (gossipsub's own default):
/// GRANDPA re-sends the same vote on purpose, for peers that were away when it was first sent,
/// and a content id would drop every re-send as a duplicate.
fn message_id(message: &gossipsub::Message) -> MessageId {
    use std::hash::{Hash, Hasher};
    if message.topic.as_str().contains("/finality/") {
        if let (Some(source), Some(seqno)) = (message.source, message.sequence_number) {
            let mut id = source.to_bytes();
            id.extend_from_slice(&seqno.to_be_bytes());
            return MessageId::from(id);
        }
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    message.topic.hash(&mut hasher);
    message.data.hash(&mut hasher);
    let mut id = hasher.finish().to_be_bytes().to_vec();
    id.extend_from_slice(&basalt_support::primitives::hashing::blake2_256(&message.data)[..16]);
    if message.topic.as_str().contains("block-announces") {
        if let Some(source) = message.source {
            id.extend_from_slice(&source.to_bytes());
        }
    }
    MessageId::from(id)
}

fn build_behaviour(
    config: &NetworkConfig,
    local_peer_id: PeerId,
) -> Result<Behaviour, NetworkError> {
    let key = &config.node_key;
    let genesis = config.genesis_hash;
    let gossip_config = gossipsub::ConfigBuilder::default()
        .max_transmit_size(MAX_GOSSIP_SIZE)
        .validation_mode(gossipsub::ValidationMode::Strict)
        .validate_messages()
        .message_id_fn(message_id)
        .heartbeat_interval(Duration::from_millis(700))
        .build()
        .map_err(|e| NetworkError::Gossip(e.to_string()))?;
    let gossip = gossipsub::Behaviour::new(
        gossipsub::MessageAuthenticity::Signed(key.clone()),
        gossip_config,
    )
    .map_err(|e| NetworkError::Gossip(e.to_string()))?;

    let mut kad_config = kad::Config::new(protocol::kad_protocol(&genesis));
    kad_config.set_query_timeout(Duration::from_secs(30));
    let mut kad = kad::Behaviour::with_config(
        local_peer_id,
        kad::store::MemoryStore::new(local_peer_id),
        kad_config,
    );
    // Serve the DHT even before an external address is confirmed: on private networks and
    // loopback one never is, and discovery would not work otherwise.
    kad.set_mode(Some(kad::Mode::Server));

    let mdns = if config.enable_mdns {
        match mdns::tokio::Behaviour::new(mdns::Config::default(), local_peer_id) {
            Ok(mdns) => Some(mdns),
            Err(e) => {
                warn!(target: LOG_TARGET, "mDNS unavailable, continuing without it: {e}");
                None
            }
        }
    } else {
        None
    };

    let limits = connection_limits::ConnectionLimits::default()
        .with_max_established_incoming(Some(config.max_inbound))
        .with_max_established_outgoing(Some(config.max_outbound))
        .with_max_pending_incoming(Some(config.max_inbound.saturating_mul(2).max(4)))
        .with_max_pending_outgoing(Some(config.max_outbound.saturating_mul(2).max(4)))
        .with_max_established_per_peer(Some(2));

    let request_config = request_response::Config::default()
        .with_request_timeout(REQUEST_TIMEOUT)
        .with_max_concurrent_streams(64);

    Ok(Behaviour {
        blocked: allow_block_list::Behaviour::default(),
        limits: connection_limits::Behaviour::new(limits),
        identify: identify::Behaviour::new(
            identify::Config::new(format!("/basalt/{}", config.protocol_id), key.public())
                .with_agent_version(format!(
                    "basalt/{} ({})",
                    env!("CARGO_PKG_VERSION"),
                    config.node_name
                )),
        ),
        ping: ping::Behaviour::new(ping::Config::new()),
        kad,
        mdns: Toggle::from(mdns),
        gossip,
        status: request_response::Behaviour::with_codec(
            FrameCodec::status(),
            [(StreamProtocol::new(STATUS_PROTOCOL), ProtocolSupport::Full)],
            request_config.clone(),
        ),
        sync: request_response::Behaviour::with_codec(
            FrameCodec::sync(),
            [(protocol::sync_protocol(&genesis), ProtocolSupport::Full)],
            request_config.clone(),
        ),
        finality: request_response::Behaviour::with_codec(
            FrameCodec::finality(),
            [(protocol::finality_protocol(&genesis), ProtocolSupport::Full)],
            request_config.clone(),
        ),
        outputs: request_response::Behaviour::with_codec(
            FrameCodec::outputs(),
            [(protocol::outputs_protocol(&genesis), ProtocolSupport::Full)],
            request_config,
        ),
    })
}

/// A connected peer, as the event loop tracks it.
struct Peer {
    /// Whether we dialed it (counts against `max_outbound`).
    outbound: bool,
    connected_at: Instant,
    /// Its handshake, once received and accepted.
    status: Option<Status>,
    /// Block requests of this peer being served.
    serving: usize,
}

/// A block request of ours awaiting its answer.
struct PendingRequest {
    peer: PeerId,
    request: BlockRequest,
    reply: oneshot::Sender<BlockResult>,
}

/// A served block or output request, back from the blocking thread.
struct Served {
    peer: PeerId,
    channel: ResponseChannel<Vec<u8>>,
    bytes: Vec<u8>,
    /// Whether it answers the job-output protocol (else block sync).
    output: bool,
}

struct Worker {
    swarm: Swarm<Behaviour>,
    chain: Arc<dyn ChainAccess>,
    shared: Arc<Shared>,
    events: mpsc::Sender<NetworkEvent>,
    commands: mpsc::UnboundedReceiver<Command>,
    served_tx: mpsc::UnboundedSender<Served>,
    served_rx: mpsc::UnboundedReceiver<Served>,
    peers: HashMap<PeerId, Peer>,
    reputations: Reputations,
    pending: HashMap<OutboundRequestId, PendingRequest>,
    /// Our job-output requests awaiting their answers.
    pending_outputs: HashMap<OutboundRequestId, (OutputRequest, oneshot::Sender<OutputResult>)>,
    /// Peers banned since the last tick, whose connections the next tick cuts.
    to_block: Vec<PeerId>,
    /// Statuses received as requests, judged once our answer has been sent.
    inbound_status: HashMap<request_response::InboundRequestId, Vec<u8>>,
    boot_nodes: Vec<(PeerId, Multiaddr)>,
    topics: HashMap<TopicHash, GossipKind>,
    genesis: basalt_support::H256,
    roles: Roles,
    max_outbound: u32,
    kad_protocol: StreamProtocol,
    ticks: u64,
    /// The tick of the last random walk.
    last_discovery: u64,
    dropped_events: u64,
}

type BehaviourEv = <Behaviour as NetworkBehaviour>::ToSwarm;

impl Worker {
    async fn run(mut self) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    None | Some(Command::Shutdown) => break,
                    Some(command) => self.on_command(command),
                },
                Some(served) = self.served_rx.recv() => self.on_served(served),
                _ = tick.tick() => self.on_tick(),
            }
        }
        for (_, pending) in self.pending.drain() {
            let _ = pending.reply.send(Err(RequestError::Stopped));
        }
        for (_, (_, reply)) in self.pending_outputs.drain() {
            let _ = reply.send(Err(RequestError::Stopped));
        }
        self.shared.published.write().peers.clear();
        self.shared.peers_changed.notify_waiters();
        info!(target: LOG_TARGET, "Network service stopped");
    }

    // ---- helpers -----------------------------------------------------------------------

    fn emit(&mut self, event: NetworkEvent) {
        match self.events.try_send(event) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.dropped_events += 1;
                if self.dropped_events.is_power_of_two() {
                    warn!(
                        target: LOG_TARGET,
                        "Node is not draining network events; {} dropped so far",
                        self.dropped_events
                    );
                }
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn is_ready(&self, peer: &PeerId) -> bool {
        self.peers.get(peer).is_some_and(|p| p.status.is_some())
    }

    fn outbound_count(&self) -> usize {
        self.peers.values().filter(|p| p.outbound).count()
    }

    fn local_status(&self) -> Status {
        let (best_number, best_hash) = self.chain.best();
        let (finalized_number, finalized_hash) = self.chain.finalized();
        Status {
            version: STATUS_VERSION,
            roles: self.roles,
            best_number,
            best_hash,
            finalized_number,
            finalized_hash,
            genesis_hash: self.genesis,
        }
    }

    fn publish_banned(&mut self) {
        let now = Instant::now();
        let banned = self
            .reputations
            .bans()
            .filter(|(_, until)| **until > now)
            .map(|(p, _)| *p)
            .collect();
        self.shared.published.write().banned = banned;
    }

    /// Applies a reputation change and, if it crosses the threshold, bans the peer: the block
    /// list closes its connections and refuses new ones in both directions.
    fn report(&mut self, peer: PeerId, change: ReputationChange) {
        let verdict = self.reputations.apply(peer, change, Instant::now());
        if change.value < 0 {
            debug!(
                target: LOG_TARGET,
                "Report {peer}: {:+} to {}. Reason: {}",
                change.value,
                self.reputations.score(&peer),
                change.reason
            );
        }
        if let Verdict::Ban { until } = verdict {
            info!(
                target: LOG_TARGET,
                "Banning {peer} for {}s ({}); disconnecting",
                until.saturating_duration_since(Instant::now()).as_secs(),
                change.reason
            );
            let behaviour = self.swarm.behaviour_mut();
            behaviour.gossip.blacklist_peer(&peer);
            behaviour.kad.remove_peer(&peer);
            // The peer stops being a peer now; its connections are cut at the next tick, so
            // that answers already on their way (our status, telling a peer of another chain
            // why) still reach it.
            self.unready(peer);
            self.to_block.push(peer);
            self.publish_banned();
        }
    }

    /// Withdraws `peer` from the node's view (it stays connected until cut).
    fn unready(&mut self, peer: PeerId) {
        let was_ready = self
            .peers
            .get_mut(&peer)
            .and_then(|p| p.status.take())
            .is_some();
        if was_ready {
            self.shared.published.write().peers.remove(&peer);
            self.shared.peers_changed.notify_waiters();
            self.emit(NetworkEvent::PeerDisconnected(peer));
        }
    }

    fn dial_boot_nodes(&mut self) {
        let now = Instant::now();
        let local = *self.swarm.local_peer_id();
        for (peer, addr) in self.boot_nodes.clone() {
            if peer == local
                || self.swarm.is_connected(&peer)
                || self.reputations.is_banned(&peer, now)
            {
                continue;
            }
            let opts = DialOpts::peer_id(peer)
                .addresses(vec![addr])
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .build();
            if let Err(e) = self.swarm.dial(opts) {
                debug!(target: LOG_TARGET, "Dialing boot node {peer} failed: {e}");
            }
        }
    }

    /// Dials a discovered peer if we have outbound room and no reason to refuse it.
    fn maybe_dial(&mut self, peer: PeerId, addrs: Vec<Multiaddr>) {
        if peer == *self.swarm.local_peer_id()
            || addrs.is_empty()
            || self.swarm.is_connected(&peer)
            || self.reputations.is_banned(&peer, Instant::now())
            || self.outbound_count() >= self.max_outbound as usize
        {
            return;
        }
        let opts = DialOpts::peer_id(peer)
            .addresses(addrs)
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build();
        if let Err(e) = self.swarm.dial(opts) {
            trace!(target: LOG_TARGET, "Dialing discovered peer {peer} failed: {e}");
        }
    }

    /// Starts a Kademlia walk towards a random key; the peers it finds are dialed as they
    /// come in (see `maybe_dial`).
    fn discover(&mut self) {
        if self.peers.is_empty() {
            return;
        }
        self.last_discovery = self.ticks;
        self.swarm
            .behaviour_mut()
            .kad
            .get_closest_peers(PeerId::random());
    }

    fn send_status(&mut self, peer: PeerId) {
        let status = self.local_status().encode();
        self.swarm
            .behaviour_mut()
            .status
            .send_request(&peer, status);
    }

    // ---- commands ----------------------------------------------------------------------

    fn publish(&mut self, kind: GossipKind, data: Vec<u8>) {
        let topic = IdentTopic::new(kind.topic(&self.genesis));
        match self.swarm.behaviour_mut().gossip.publish(topic, data) {
            Ok(_) => {}
            Err(gossipsub::PublishError::NoPeersSubscribedToTopic)
            | Err(gossipsub::PublishError::Duplicate) => {
                trace!(target: LOG_TARGET, "Nobody to gossip {kind:?} to (or already sent)");
            }
            Err(e) => warn!(target: LOG_TARGET, "Gossiping {kind:?} failed: {e}"),
        }
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Announce(header) => {
                let announce = BlockAnnounce {
                    header,
                    is_best: true,
                };
                self.publish(GossipKind::BlockAnnounces, announce.encode());
            }
            Command::Transactions(txs) => {
                self.publish(GossipKind::Transactions, txs.encode());
            }
            Command::Finality(bytes) => self.publish(GossipKind::Finality, bytes),
            Command::FinalityTo(peer, bytes) => {
                if self.is_ready(&peer) && !bytes.is_empty() && bytes.len() <= MAX_GOSSIP_SIZE {
                    self.swarm
                        .behaviour_mut()
                        .finality
                        .send_request(&peer, bytes);
                }
            }
            Command::RequestBlocks {
                peer,
                request,
                reply,
            } => {
                if !self.swarm.is_connected(&peer) {
                    let _ = reply.send(Err(RequestError::NotConnected));
                    return;
                }
                let id = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_request(&peer, request.encode());
                self.pending.insert(
                    id,
                    PendingRequest {
                        peer,
                        request,
                        reply,
                    },
                );
            }
            Command::RequestOutput {
                peer,
                request,
                reply,
            } => {
                if !self.swarm.is_connected(&peer) {
                    let _ = reply.send(Err(RequestError::NotConnected));
                    return;
                }
                let id = self
                    .swarm
                    .behaviour_mut()
                    .outputs
                    .send_request(&peer, request.encode());
                self.pending_outputs.insert(id, (request, reply));
            }
            Command::Report(peer, change) => self.report(peer, change),
            Command::Dial(addr) => {
                let banned = match addr.iter().last() {
                    Some(Protocol::P2p(peer)) => self.reputations.is_banned(&peer, Instant::now()),
                    _ => false,
                };
                if !banned {
                    if let Err(e) = self.swarm.dial(addr.clone()) {
                        warn!(target: LOG_TARGET, "Dialing {addr} failed: {e}");
                    }
                }
            }
            Command::Shutdown => {}
        }
    }

    fn on_served(&mut self, served: Served) {
        if let Some(peer) = self.peers.get_mut(&served.peer) {
            peer.serving = peer.serving.saturating_sub(1);
        }
        // Fails only if the connection closed meanwhile; nothing to do then.
        let behaviour = self.swarm.behaviour_mut();
        let protocol = if served.output {
            &mut behaviour.outputs
        } else {
            &mut behaviour.sync
        };
        let _ = protocol.send_response(served.channel, served.bytes);
    }

    fn on_tick(&mut self) {
        self.ticks += 1;
        let now = Instant::now();
        for peer in std::mem::take(&mut self.to_block) {
            // Closes its connections and refuses new ones, in both directions.
            self.swarm.behaviour_mut().blocked.block_peer(peer);
        }
        let released = self.reputations.tick(now);
        if !released.is_empty() {
            for peer in released {
                debug!(target: LOG_TARGET, "Ban of {peer} ended");
                let behaviour = self.swarm.behaviour_mut();
                behaviour.blocked.unblock_peer(peer);
                behaviour.gossip.remove_blacklisted_peer(&peer);
            }
            self.publish_banned();
        }
        let stalled: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, p)| {
                p.status.is_none() && now.duration_since(p.connected_at) > HANDSHAKE_TIMEOUT
            })
            .map(|(id, _)| *id)
            .collect();
        for peer in stalled {
            debug!(target: LOG_TARGET, "{peer} did not complete its handshake; disconnecting");
            let _ = self.swarm.disconnect_peer_id(peer);
        }
        if self.ticks % BOOT_NODE_REDIAL_TICKS == 0 {
            self.dial_boot_nodes();
        }
        if self.ticks % STATUS_REFRESH_TICKS == 0 {
            let ready: Vec<PeerId> = self
                .peers
                .iter()
                .filter(|(_, p)| p.status.is_some())
                .map(|(id, _)| *id)
                .collect();
            for peer in ready {
                self.send_status(peer);
            }
        }
        // Look for peers often while we have few, rarely once we have enough.
        let interval = if self.outbound_count() < self.max_outbound as usize {
            DISCOVERY_TICKS_WHEN_SHORT
        } else {
            DISCOVERY_TICKS
        };
        if self.ticks.saturating_sub(self.last_discovery) >= interval {
            self.discover();
        }
    }

    // ---- swarm events ------------------------------------------------------------------

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEv>) {
        match event {
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            SwarmEvent::NewListenAddr { address, .. } => {
                let full = address
                    .clone()
                    .with(Protocol::P2p(*self.swarm.local_peer_id()));
                info!(target: LOG_TARGET, "💻 Listening for new connections on {full}");
                self.shared.published.write().listen_addrs.push(full);
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                let full = address.with(Protocol::P2p(*self.swarm.local_peer_id()));
                self.shared
                    .published
                    .write()
                    .listen_addrs
                    .retain(|a| *a != full);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                if self.reputations.is_banned(&peer_id, Instant::now()) {
                    let _ = self.swarm.disconnect_peer_id(peer_id);
                    return;
                }
                if num_established.get() == 1 {
                    debug!(target: LOG_TARGET, "Connected to {peer_id} at {}", endpoint.get_remote_address());
                    self.peers.insert(
                        peer_id,
                        Peer {
                            outbound: endpoint.is_dialer(),
                            connected_at: Instant::now(),
                            status: None,
                            serving: 0,
                        },
                    );
                    self.send_status(peer_id);
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => {
                if let Some(peer) = self.peers.remove(&peer_id) {
                    if peer.status.is_some() {
                        debug!(target: LOG_TARGET, "Disconnected from {peer_id}");
                        self.shared.published.write().peers.remove(&peer_id);
                        self.shared.peers_changed.notify_waiters();
                        self.emit(NetworkEvent::PeerDisconnected(peer_id));
                    }
                }
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                trace!(target: LOG_TARGET, "Dial of {peer_id:?} failed: {error}");
            }
            SwarmEvent::IncomingConnectionError {
                error,
                send_back_addr,
                ..
            } => {
                trace!(target: LOG_TARGET, "Incoming connection from {send_back_addr} refused: {error}");
            }
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEv) {
        match event {
            // Only peers serving our chain's DHT go into it.
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. })
                if info.protocols.contains(&self.kad_protocol) =>
            {
                for addr in info.listen_addrs {
                    if is_dialable(&addr) {
                        self.swarm.behaviour_mut().kad.add_address(&peer_id, addr);
                    }
                }
            }
            BehaviourEvent::Kad(kad::Event::RoutingUpdated {
                peer, addresses, ..
            }) => {
                self.maybe_dial(peer, addresses.into_vec());
            }
            BehaviourEvent::Kad(kad::Event::OutboundQueryProgressed {
                result: kad::QueryResult::GetClosestPeers(Ok(ok)),
                ..
            }) => {
                for found in ok.peers {
                    self.maybe_dial(found.peer_id, found.addrs);
                }
            }
            BehaviourEvent::Mdns(mdns::Event::Discovered(found)) => {
                let mut by_peer: HashMap<PeerId, Vec<Multiaddr>> = HashMap::new();
                for (peer, addr) in found {
                    by_peer.entry(peer).or_default().push(addr);
                }
                for (peer, addrs) in by_peer {
                    self.maybe_dial(peer, addrs);
                }
            }
            BehaviourEvent::Gossip(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            }) => self.on_gossip(propagation_source, message_id, message),
            BehaviourEvent::Status(event) => self.on_status_event(event),
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Finality(event) => self.on_finality_event(event),
            BehaviourEvent::Outputs(event) => self.on_outputs_event(event),
            _ => {}
        }
    }

    fn on_gossip(&mut self, source: PeerId, id: MessageId, message: gossipsub::Message) {
        let kind = self.topics.get(&message.topic).copied();
        // Messages are signed by their author (gossipsub's Signed mode): the node blames the
        // author for a bad one, never the honest peer that relayed it.
        let author = message.source.unwrap_or(source);
        let acceptance = match kind {
            // Not ours, or from a peer that has not shown it is on our chain: do not relay,
            // do not punish.
            None => MessageAcceptance::Ignore,
            Some(_) if !self.is_ready(&source) => MessageAcceptance::Ignore,
            Some(GossipKind::Transactions) => {
                match decode_peer_input::<Vec<OpaqueExtrinsic>>(&message.data) {
                    Ok(txs) if !txs.is_empty() => {
                        self.emit(NetworkEvent::Transactions { from: author, txs });
                        MessageAcceptance::Accept
                    }
                    _ => {
                        self.report(source, costs::UNDECODABLE_GOSSIP);
                        MessageAcceptance::Reject
                    }
                }
            }
            Some(GossipKind::BlockAnnounces) => {
                match decode_peer_input::<BlockAnnounce>(&message.data) {
                    Ok(announce) => {
                        let from = message
                            .source
                            .filter(|author| self.is_ready(author))
                            .unwrap_or(source);
                        self.note_best(from, &announce);
                        self.emit(NetworkEvent::BlockAnnounced {
                            from,
                            header: announce.header,
                        });
                        MessageAcceptance::Accept
                    }
                    Err(_) => {
                        self.report(source, costs::UNDECODABLE_GOSSIP);
                        MessageAcceptance::Reject
                    }
                }
            }
            Some(GossipKind::Finality) => {
                if message.data.is_empty() {
                    self.report(source, costs::UNDECODABLE_GOSSIP);
                    MessageAcceptance::Reject
                } else {
                    self.emit(NetworkEvent::FinalityMessage {
                        from: author,
                        bytes: message.data,
                    });
                    MessageAcceptance::Accept
                }
            }
        };
        self.swarm
            .behaviour_mut()
            .gossip
            .report_message_validation_result(&id, &source, acceptance);
    }

    /// Records that `peer`'s best block is the announced one, if it is no lower than the one
    /// we knew.
    fn note_best(&mut self, peer: PeerId, announce: &BlockAnnounce) {
        if !announce.is_best {
            return;
        }
        let number = announce.header.number;
        let hash = announce.header.hash();
        let Some(status) = self.peers.get_mut(&peer).and_then(|p| p.status.as_mut()) else {
            return;
        };
        if number < status.best_number {
            return;
        }
        status.best_number = number;
        status.best_hash = hash;
        if let Some(info) = self.shared.published.write().peers.get_mut(&peer) {
            info.best_number = number;
            info.best_hash = hash;
        }
        self.shared.peers_changed.notify_waiters();
    }

    /// Handles a peer's status, whether it came as a request or a response.
    fn on_status(&mut self, peer: PeerId, bytes: &[u8]) {
        if !self.peers.contains_key(&peer) || self.reputations.is_banned(&peer, Instant::now()) {
            return;
        }
        let status = match decode_peer_input::<Status>(bytes) {
            Ok(status) => status,
            Err(e) => {
                debug!(target: LOG_TARGET, "Undecodable status from {peer}: {e}");
                self.report(peer, costs::BAD_STATUS);
                return;
            }
        };
        if status.genesis_hash != self.genesis || status.version != STATUS_VERSION {
            info!(
                target: LOG_TARGET,
                "Refusing {peer}: it is on another chain (genesis {:?}, version {}; ours {:?}, version {})",
                status.genesis_hash,
                status.version,
                self.genesis,
                STATUS_VERSION
            );
            self.report(peer, costs::WRONG_CHAIN);
            return;
        }
        let info = PeerInfo {
            peer_id: peer,
            roles: status.roles,
            best_hash: status.best_hash,
            best_number: status.best_number,
        };
        let Some(entry) = self.peers.get_mut(&peer) else {
            return;
        };
        let first = entry.status.is_none();
        entry.status = Some(status);
        self.shared
            .published
            .write()
            .peers
            .insert(peer, info.clone());
        self.shared.peers_changed.notify_waiters();
        if first {
            debug!(
                target: LOG_TARGET,
                "{peer} joined (best #{} {:?}, {})",
                info.best_number,
                info.best_hash,
                info.roles.as_substrate_str()
            );
            self.emit(NetworkEvent::PeerConnected(info));
            // A new peer knows other peers: ask it while we are short of them.
            if self.outbound_count() < self.max_outbound as usize {
                self.discover();
            }
        }
    }

    fn on_status_event(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request_id,
                    request,
                    channel,
                } => {
                    // Answer first, and judge the peer's status only once the answer is out:
                    // a peer of another chain then learns why it is dropped (and stops
                    // redialing) before we cut the connection.
                    let status = self.local_status().encode();
                    if self
                        .swarm
                        .behaviour_mut()
                        .status
                        .send_response(channel, status)
                        .is_ok()
                    {
                        self.inbound_status.insert(request_id, request);
                    }
                }
                request_response::Message::Response { response, .. } => {
                    self.on_status(peer, &response);
                }
            },
            request_response::Event::OutboundFailure { peer, error, .. } => {
                let pending = self.peers.get(&peer).is_some_and(|p| p.status.is_none());
                if pending {
                    debug!(target: LOG_TARGET, "Handshake with {peer} failed ({error}); disconnecting");
                    let _ = self.swarm.disconnect_peer_id(peer);
                }
            }
            request_response::Event::InboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                if let Some(status) = self.inbound_status.remove(&request_id) {
                    self.on_status(peer, &status);
                }
                if is_oversized(&error) {
                    self.report(peer, costs::BAD_STATUS);
                }
            }
            request_response::Event::ResponseSent {
                peer, request_id, ..
            } => {
                if let Some(status) = self.inbound_status.remove(&request_id) {
                    self.on_status(peer, &status);
                }
            }
        }
    }

    fn on_sync_event(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => self.serve(peer, &request, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    let Some(pending) = self.pending.remove(&request_id) else {
                        return;
                    };
                    let result = decode_peer_input::<BlockResponse>(&response)
                        .map_err(|e| e.to_string())
                        .and_then(|resp| {
                            check_response(&pending.request, &resp)
                                .map(|()| resp)
                                .map_err(|e| e.to_string())
                        });
                    match result {
                        Ok(resp) => {
                            let _ = pending.reply.send(Ok(resp));
                        }
                        Err(reason) => {
                            debug!(target: LOG_TARGET, "Bad block response from {peer}: {reason}");
                            self.report(pending.peer, costs::BAD_RESPONSE);
                            let _ = pending
                                .reply
                                .send(Err(RequestError::InvalidResponse(reason)));
                        }
                    }
                }
            },
            request_response::Event::OutboundFailure {
                request_id, error, ..
            } => {
                let Some(pending) = self.pending.remove(&request_id) else {
                    return;
                };
                let error = self.outbound_error(pending.peer, error);
                let _ = pending.reply.send(Err(error));
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                if is_oversized(&error) {
                    self.report(peer, costs::BAD_REQUEST);
                }
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// What an outbound failure means, penalising `peer` when it was its fault.
    fn outbound_error(
        &mut self,
        peer: PeerId,
        error: request_response::OutboundFailure,
    ) -> RequestError {
        match error {
            request_response::OutboundFailure::DialFailure => RequestError::NotConnected,
            request_response::OutboundFailure::Timeout => {
                self.report(peer, costs::UNRESPONSIVE);
                RequestError::Timeout
            }
            request_response::OutboundFailure::ConnectionClosed => RequestError::ConnectionClosed,
            request_response::OutboundFailure::UnsupportedProtocols => RequestError::Unsupported,
            request_response::OutboundFailure::Io(e) => {
                if e.kind() == std::io::ErrorKind::InvalidData {
                    // The answer announced more than the response size limit.
                    self.report(peer, costs::BAD_RESPONSE);
                    RequestError::InvalidResponse(e.to_string())
                } else {
                    RequestError::Transport(e.to_string())
                }
            }
        }
    }

    /// Job-output requests: served from the node's stored outputs ([`ChainAccess::job_output`])
    /// on a blocking thread; answers to ours are checked for shape and passed on.
    fn on_outputs_event(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => self.serve_output(peer, &request, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    let Some((request, reply)) = self.pending_outputs.remove(&request_id) else {
                        return;
                    };
                    let checked = decode_peer_input::<OutputResponse>(&response)
                        .map_err(|e| e.to_string())
                        .and_then(|answer| match &answer {
                            Some(chunk)
                                if chunk.data.len() as u64 > u64::from(request.length)
                                    || request.offset.saturating_add(chunk.data.len() as u64)
                                        > chunk.total =>
                            {
                                Err("the chunk does not fit the request".to_string())
                            }
                            _ => Ok(answer),
                        });
                    match checked {
                        Ok(answer) => {
                            let _ = reply.send(Ok(answer));
                        }
                        Err(reason) => {
                            debug!(target: LOG_TARGET, "Bad output response from {peer}: {reason}");
                            self.report(peer, costs::BAD_RESPONSE);
                            let _ = reply.send(Err(RequestError::InvalidResponse(reason)));
                        }
                    }
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                let Some((_, reply)) = self.pending_outputs.remove(&request_id) else {
                    return;
                };
                let error = self.outbound_error(peer, error);
                let _ = reply.send(Err(error));
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                if is_oversized(&error) {
                    self.report(peer, costs::BAD_REQUEST);
                }
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// Answers a peer's output request from the node, within the per-peer serving limit
    /// shared with block requests.
    fn serve_output(&mut self, peer: PeerId, bytes: &[u8], channel: ResponseChannel<Vec<u8>>) {
        if self.reputations.is_banned(&peer, Instant::now()) {
            return;
        }
        let request = match decode_peer_input::<OutputRequest>(bytes) {
            Ok(request) if request.length <= MAX_OUTPUT_CHUNK => request,
            _ => {
                debug!(target: LOG_TARGET, "Bad output request from {peer}");
                self.report(peer, costs::BAD_REQUEST);
                return;
            }
        };
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        if state.serving >= MAX_INBOUND_REQUESTS_PER_PEER {
            return;
        }
        state.serving += 1;
        let chain = self.chain.clone();
        let served = self.served_tx.clone();
        tokio::task::spawn_blocking(move || {
            let response = chain.job_output(&request);
            let _ = served.send(Served {
                peer,
                channel,
                bytes: response.encode(),
                output: true,
            });
        });
    }

    /// Handles direct finality messages: passed to the node from peers of our chain, acked
    /// with an empty answer.
    fn on_finality_event(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .finality
                    .send_response(channel, Vec::new());
                if !self.is_ready(&peer) {
                    return;
                }
                if request.is_empty() {
                    self.report(peer, costs::UNDECODABLE_GOSSIP);
                    return;
                }
                self.emit(NetworkEvent::FinalityMessage {
                    from: peer,
                    bytes: request,
                });
            }
            request_response::Event::InboundFailure { peer, error, .. } if is_oversized(&error) => {
                self.report(peer, costs::UNDECODABLE_GOSSIP);
            }
            _ => {}
        }
    }

    /// Serves a peer's block request on a blocking thread. Only peers connected on our sync
    /// protocol (whose name carries our genesis) can reach this.
    fn serve(&mut self, peer: PeerId, bytes: &[u8], channel: ResponseChannel<Vec<u8>>) {
        if self.reputations.is_banned(&peer, Instant::now()) {
            return;
        }
        let request = match decode_peer_input::<BlockRequest>(bytes) {
            Ok(request) => request,
            Err(e) => {
                debug!(target: LOG_TARGET, "Undecodable block request from {peer}: {e}");
                self.report(peer, costs::BAD_REQUEST);
                return;
            }
        };
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        if state.serving >= MAX_INBOUND_REQUESTS_PER_PEER {
            debug!(target: LOG_TARGET, "{peer} has too many block requests in flight; dropping one");
            return;
        }
        state.serving += 1;
        let chain = self.chain.clone();
        let served = self.served_tx.clone();
        tokio::task::spawn_blocking(move || {
            let response = serve_block_request(&*chain, &request);
            let _ = served.send(Served {
                peer,
                channel,
                bytes: response.encode(),
                output: false,
            });
        });
    }
}

/// Whether an inbound failure was a frame over the size limit (the peer's fault).
fn is_oversized(error: &request_response::InboundFailure) -> bool {
    matches!(error, request_response::InboundFailure::Io(e) if e.kind() == std::io::ErrorKind::InvalidData)
}

/// Whether an address a peer claims to listen on is worth dialing (not `0.0.0.0`/`::`).
fn is_dialable(addr: &Multiaddr) -> bool {
    !addr.iter().any(|p| match p {
        Protocol::Ip4(ip) => ip.is_unspecified(),
        Protocol::Ip6(ip) => ip.is_unspecified(),
        _ => false,
    })
}
