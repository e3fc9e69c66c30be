//! Block lifecycle hooks a pallet may implement. The executive calls them for every pallet in
//! index order: `on_initialize` before the block's extrinsics, `on_idle` with the weight left
//! after them, `on_finalize` last; `offchain_worker` runs on the node after import, outside
//! consensus.

use crate::dispatch::Weight;
use crate::primitives::BlockNumber;

/// Hooks into block execution. Every method has a default that does nothing.
pub trait Hooks {
    /// Runs first in block `n`; returns the weight it used.
    fn on_initialize(_n: BlockNumber) -> Weight {
        Weight::ZERO
    }
    /// Runs after the extrinsics with `remaining` weight to spare; returns the weight it used.
    fn on_idle(_n: BlockNumber, _remaining: Weight) -> Weight {
        Weight::ZERO
    }
    /// Runs last in block `n`.
    fn on_finalize(_n: BlockNumber) {}
    /// Runs on the node after block `n` is imported; may submit transactions, not write state.
    fn offchain_worker(_n: BlockNumber) {}
}
