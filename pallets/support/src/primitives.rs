//! The chain's basic types, chosen to match Substrate's so that stock clients need no
//! custom type definitions: 32-byte accounts shown in SS58 (prefix 42), u128 balances with
//! 12 decimals, u32 block numbers and nonces, blake2-256 hashes.

pub use sp_core::crypto::AccountId32;
pub use sp_core::H256;

/// An account on chain: the 32 bytes of an sr25519/ed25519 public key, or the blake2-256
/// hash of a compressed secp256k1 key.
pub type AccountId = AccountId32;
/// An amount of BSLT in its smallest unit (10^-12 BSLT).
pub type Balance = u128;
/// The height of a block.
pub type BlockNumber = u32;
/// The number of transactions an account has sent; the replay protection of extrinsics.
pub type Nonce = u32;
/// Block and extrinsic hashes, state and extrinsics roots: blake2-256.
pub type Hash = H256;
/// Milliseconds since the Unix epoch, as set by the timestamp inherent.
pub type Moment = u64;

/// The SS58 address format of Basalt accounts (42: Substrate's generic prefix).
pub const SS58_PREFIX: u16 = 42;
/// Decimals of the BSLT token.
pub const TOKEN_DECIMALS: u8 = 12;
/// Ticker of the native token.
pub const TOKEN_SYMBOL: &str = "BSLT";
/// One whole BSLT in its smallest unit.
pub const UNIT: Balance = 1_000_000_000_000;

/// The hash functions of Substrate's storage keys, blocks and tries.
pub mod hashing {
    pub use sp_crypto_hashing::{blake2_128, blake2_256, twox_128, twox_64};
}
