//! # basalt-network: how Basalt nodes find each other, gossip and sync
//!
//! A library the node wires in; it owns no chain state. The node gives it read access to the
//! chain ([`ChainAccess`]) and a place to put downloaded blocks ([`ImportQueue`]); the network
//! gives back a [`NetworkHandle`] to gossip and query with and a stream of [`NetworkEvent`]s.
//!
//! - [`config`]: [`NetworkConfig`] and the persistent ed25519 node key (peer ids `12D3KooW...`).
//! - [`protocol`]: the wire messages, their size limits and names (every name carries the
//!   genesis hash, so chains never mix).
//! - [`service`]: the libp2p swarm (TCP + noise + yamux, identify, ping, Kademlia, mDNS,
//!   gossipsub, status handshake, block requests, job-output requests) on a tokio task.
//! - [`sync`]: decides which block ranges to fetch from which peer and feeds them, in order,
//!   to the [`ImportQueue`]; finds the common ancestor when a peer is on another fork.
//! - [`reputation`]: scores, costs and bans.
//!
//! Assumptions: a tokio runtime; a `ChainAccess` whose answers are consistent with each other
//! (see its docs). Guarantees: no input from a peer can panic or stall the service; peers of
//! another chain never reach the node; a misbehaving peer is disconnected and refused for the
//! ban duration while the others carry on.
//!
//! Wiring, in order: build a [`NetworkConfig`] (node key from [`load_or_generate_node_key`]);
//! [`NetworkService::start`]; [`SyncService::start`] with the handle; then drain the event
//! stream (transactions to the pool, finality messages to the finality gadget, which sends
//! with [`NetworkHandle::gossip_finality`] / [`NetworkHandle::send_finality`] and fetches
//! blocks it lacks with [`SyncHandle::request_block`]), call
//! [`NetworkHandle::announce_block`] for every new best block and
//! [`NetworkHandle::gossip_transaction`] for every locally submitted transaction, and
//! [`NetworkHandle::shutdown`] on exit.

pub mod chain;
pub mod config;
pub mod protocol;
pub mod reputation;
pub mod service;
pub mod sync;
pub mod testing;

pub use chain::{serve_block_request, ChainAccess, ImportError, ImportQueue};
pub use config::{
    generate_node_key, listen_addr_for_port, load_or_generate_node_key, node_key_from_hex,
    node_key_to_hex, parse_boot_node, peer_id_of, read_node_key, write_key_file, NetworkConfig,
    DEFAULT_PORT,
};
pub use libp2p::identity::Keypair;
pub use libp2p::{Multiaddr, PeerId};
pub use protocol::{
    BlockData, BlockFields, BlockId, BlockRequest, BlockResponse, Direction, OutputChunk,
    OutputRequest, OutputResponse, Roles, MAX_BLOCKS_PER_REQUEST, MAX_OUTPUT_CHUNK,
};
pub use reputation::{benefits, costs, ReputationChange, BAN_THRESHOLD};
pub use service::{
    BlockResult, NetworkEvent, NetworkHandle, NetworkService, OutputResult, PeerInfo, RequestError,
};
pub use sync::{SyncHandle, SyncService, SyncState};

/// Why the network could not start, or a key could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    /// A node key that is not a valid ed25519 secret.
    #[error("invalid node key: {0}")]
    InvalidNodeKey(String),
    /// A boot node address without `/p2p/<peer id>`.
    #[error("invalid boot node: {0}")]
    InvalidBootNode(String),
    /// A file could not be read or written.
    #[error("I/O: {0}")]
    Io(String),
    /// The transport could not be built.
    #[error("transport: {0}")]
    Transport(String),
    /// A listen address could not be bound.
    #[error("cannot listen on {0}")]
    Listen(String),
    /// Gossipsub could not be configured.
    #[error("gossip: {0}")]
    Gossip(String),
}
