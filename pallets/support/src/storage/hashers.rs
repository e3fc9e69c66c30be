//! The hashers of storage map keys, as Substrate defines them. `Blake2_128Concat` and
//! `Twox64Concat` keep the key after its hash, so keys can be read back while iterating.

use crate::primitives::hashing::{blake2_128, twox_64};
use frame_metadata::v14::StorageHasher as HasherMetadata;

/// Hashes an encoded map key into its part of the storage key.
pub trait StorageHasher {
    /// How the metadata names this hasher.
    const METADATA: HasherMetadata;
    /// The bytes appended to the item prefix for the encoded key `x`.
    fn hash(x: &[u8]) -> Vec<u8>;
}

/// A hasher that keeps the original key, so iteration can decode it.
pub trait ReversibleStorageHasher: StorageHasher {
    /// The encoded key at the start of `hashed` (which may continue with further keys), or
    /// `None` if `hashed` is too short.
    fn reverse(hashed: &[u8]) -> Option<&[u8]>;
}

/// `blake2_128(key) ++ key`: the safe default for keys users choose.
pub struct Blake2_128Concat;
/// `twox64(key) ++ key`: cheaper, for keys users cannot choose (indices, ids).
pub struct Twox64Concat;
/// `key`: for keys that are already hashes.
pub struct Identity;

impl StorageHasher for Blake2_128Concat {
    const METADATA: HasherMetadata = HasherMetadata::Blake2_128Concat;
    fn hash(x: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + x.len());
        out.extend_from_slice(&blake2_128(x));
        out.extend_from_slice(x);
        out
    }
}

impl ReversibleStorageHasher for Blake2_128Concat {
    fn reverse(hashed: &[u8]) -> Option<&[u8]> {
        hashed.get(16..)
    }
}

impl StorageHasher for Twox64Concat {
    const METADATA: HasherMetadata = HasherMetadata::Twox64Concat;
    fn hash(x: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + x.len());
        out.extend_from_slice(&twox_64(x));
        out.extend_from_slice(x);
        out
    }
}

impl ReversibleStorageHasher for Twox64Concat {
    fn reverse(hashed: &[u8]) -> Option<&[u8]> {
        hashed.get(8..)
    }
}

impl StorageHasher for Identity {
    const METADATA: HasherMetadata = HasherMetadata::Identity;
    fn hash(x: &[u8]) -> Vec<u8> {
        x.to_vec()
    }
}

impl ReversibleStorageHasher for Identity {
    fn reverse(hashed: &[u8]) -> Option<&[u8]> {
        Some(hashed)
    }
}
