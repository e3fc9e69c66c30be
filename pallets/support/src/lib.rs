//! # basalt-support: Basalt's small FRAME
//!
//! Everything a pallet needs and nothing specific to one pallet:
//! - [`primitives`]: accounts, balances, hashes, and the token's constants;
//! - [`arithmetic`], [`per_things`], [`bounded`], [`pallet_id`]: exact `a * b / c`,
//!   `Perbill`/`Permill`/`Percent`, length-bounded collections and pallet-owned accounts, with
//!   Substrate's encodings and type paths;
//! - [`generic`], [`multiaddress`], [`multisig`]: Substrate's header, digest, era, extrinsic,
//!   address and signature types, byte for byte, with the type paths stock clients special-case;
//! - [`state`]: the storage overlay with nested transactions, the externalities a block executes
//!   in, and the Merkle-Patricia trie backend (Substrate layout V1);
//! - [`storage`]: typed storage items whose keys are `twox128(pallet) ++ twox128(item) ++ hasher(key)`;
//! - [`dispatch`]: origins, weights, dispatch info and `DispatchError`;
//! - [`hooks`]: block lifecycle hooks;
//! - [`metadata`]: the description each pallet gives of itself, from which the runtime builds
//!   metadata V14 and V15;
//! - [`randomness`]: the randomness the runtime offers pallets (block authors' VRF outputs);
//! - [`models`]: the seam through which compute jobs pay the owners of model NFTs.
//!
//! Guarantees: nothing here reads a clock, does I/O or iterates a hash map; every function is
//! total on its inputs (errors are values, never panics).

pub mod arithmetic;
pub mod bounded;
pub mod dispatch;
pub mod engine_ids;
pub mod equivocation;
pub mod generic;
pub mod genesis;
pub mod governance;
pub mod hooks;
pub mod macros;
pub mod metadata;
pub mod models;
pub mod multiaddress;
pub mod multisig;
pub mod origin;
pub mod pallet_id;
pub mod per_things;
pub mod primitives;
pub mod randomness;
pub mod state;
pub mod storage;
pub mod validity;
pub mod version;
pub mod vrf;
pub mod weight_v2;

pub use basalt_support_procedural::{call, construct_runtime};
pub use codec;
pub use frame_metadata;
pub use scale_info;
pub use sp_core;

pub use bounded::{BoundedBTreeMap, BoundedVec};
pub use dispatch::{DispatchError, DispatchResult, Origin, Weight};
pub use pallet_id::PalletId;
pub use per_things::{Perbill, Percent, Permill};
pub use primitives::*;
