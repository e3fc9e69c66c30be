//! Basalt's consensus: who may author a block, which chain is best, and which blocks are final.
//!
//! Three pieces, each a module with its own guarantees:
//! - [`aura`]: round-robin slot authorship among the current validators (sr25519), header
//!   sealing and verification with a bounded clock drift, and detection of two blocks signed
//!   for one slot.
//! - [`fork_choice`]: the longest chain that contains the last finalised block; among equal
//!   heights the first imported (as the client's best block, so authoring and votes agree, and
//!   no author can grind a hash to win a tie).
//! - [`grandpa`]: BFT finality through the `finality-grandpa` voter. This crate owns the
//!   safety-critical glue around that state machine: durable "has voted" records written before a
//!   vote leaves the node, buffering of votes for blocks not yet imported, authority-set handoffs
//!   through header digests, justifications, catch-up and equivocation evidence.
//!
//! The chain and the network sit behind traits ([`chain::BlockTree`],
//! [`authorities::AuthoritySource`], [`grandpa::VoterStateStore`], [`grandpa::Clock`]) and
//! channels of encoded messages ([`grandpa::GrandpaInput`] / [`grandpa::GrandpaOutput`]), so the
//! same code runs inside the node (RocksDB, libp2p, tokio) and inside the seeded deterministic
//! simulation in [`sim`] (in-memory chain, simulated lossy network, logical clock).
//!
//! Assumptions: fewer than a third of the GRANDPA weight is Byzantine; block numbers are `u32`,
//! hashes blake2-256 of the SCALE header, as in [`basalt_support::generic::Header`].
//!
//! How the node wires it in (block import checks, authoring, the `BlockTree` over the client,
//! spawning [`grandpa::GrandpaWorker`], and mapping its channels to `basalt-network`) is spelled
//! out in this crate's `README.md`.

#![warn(missing_docs)]

pub mod aura;
pub mod authorities;
pub mod chain;
pub mod fork_choice;
pub mod grandpa;

#[cfg(any(test, feature = "simulation"))]
pub mod sim;

pub use basalt_support::{generic::Header, BlockNumber, H256};
