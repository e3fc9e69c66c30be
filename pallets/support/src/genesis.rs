//! Genesis: one entry point per pallet, driven by the chain spec.
//!
//! Each pallet with state at block 0 implements [`BuildGenesis`] for what the chain spec says
//! of it (its `Config`: balances to endow, stakers to bond, periods to shorten); the runtime
//! parses and checks the chain spec's JSON into those configs and calls every pallet's
//! `build_genesis`, in index order, inside genesis externalities.

use crate::DispatchResult;

/// A pallet's genesis (FRAME's `BuildGenesisConfig`).
pub trait BuildGenesis {
    /// What the chain spec gives the pallet.
    type Config;
    /// Writes the pallet's state at block 0; fails, writing nothing the caller keeps, when the
    /// configuration breaks the pallet's rules.
    fn build_genesis(config: &Self::Config) -> DispatchResult;
}
