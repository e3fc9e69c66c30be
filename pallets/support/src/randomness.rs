//! On-chain randomness for pallets, as FRAME's `Randomness` trait: a value the caller could not
//! have predicted when it acted, plus the block from which anyone could know it.
//!
//! The runtime implements it from the sr25519 VRF outputs block authors put in their
//! pre-runtime digests (verified on import like the seal): an author cannot choose its VRF
//! output, only withhold its block. Callers that need unpredictability (job assignment, spot
//! checks) must use a value whose `known_since` block is after the block in which the party
//! they guard against committed to its choice.

use crate::primitives::{BlockNumber, H256};

/// A source of randomness for the current block.
pub trait Randomness {
    /// A random value for `subject` (a domain separator, e.g. `b"jobs/assign" ++ job id`), and
    /// the block number from which it was knowable. Different subjects give independent values.
    fn random(subject: &[u8]) -> (H256, BlockNumber);
}
