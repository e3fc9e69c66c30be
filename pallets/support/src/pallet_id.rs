//! [`PalletId`]: the accounts a pallet owns without a private key, derived as Substrate derives
//! them, so explorers and wallets recognise them.
//!
//! A pallet that keeps funds (the treasury, an escrow, a marketplace) needs an account nobody
//! can sign for. Substrate derives it from an 8-byte id: `b"modl" ++ id`, zero-padded to 32
//! bytes (`into_account_truncating`); a sub-account appends the SCALE encoding of a seed, such
//! as a job or collection index, truncated to 32 bytes (`into_sub_account_truncating`).

use crate::primitives::AccountId;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The prefix of every pallet account, as `sp_runtime::traits::AccountIdConversion`'s `modl`.
const TYPE_ID: [u8; 4] = *b"modl";

/// A pallet's identifier for its own accounts, as `frame_support::PalletId`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(replace_segment("basalt_support", "frame_support"))]
pub struct PalletId(pub [u8; 8]);

impl PalletId {
    /// The pallet's main account: `b"modl" ++ id ++ zeros`.
    pub fn into_account_truncating(self) -> AccountId {
        self.into_sub_account_truncating(())
    }

    /// The pallet's sub-account for `seed`: `b"modl" ++ id ++ SCALE(seed)`, truncated or
    /// zero-padded to 32 bytes. Seeds longer than 20 encoded bytes collide on their prefix, as
    /// in Substrate; use integers or short ids.
    pub fn into_sub_account_truncating<S: Encode>(self, seed: S) -> AccountId {
        let mut raw = [0u8; 32];
        let encoded = (TYPE_ID, self.0, seed).encode();
        for (slot, byte) in raw.iter_mut().zip(encoded) {
            *slot = byte;
        }
        AccountId::new(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};

    #[test]
    fn treasury_account_is_substrates() {
        let account = PalletId(*b"py/trsry").into_account_truncating();
        assert_eq!(
            account.to_ss58check_with_version(Ss58AddressFormat::custom(42)),
            "5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z"
        );
    }

    #[test]
    fn sub_accounts_differ_by_seed_and_from_the_main_account() {
        let id = PalletId(*b"bslt/job");
        let main = id.into_account_truncating();
        let one = id.into_sub_account_truncating(1u64);
        let two = id.into_sub_account_truncating(2u64);
        assert_ne!(main, one);
        assert_ne!(one, two);
        let raw: &[u8; 32] = one.as_ref();
        assert_eq!(&raw[..12], b"modlbslt/job");
        assert_eq!(&raw[12..20], &1u64.to_le_bytes());
        // A long seed is truncated, never a panic.
        let long = id.into_sub_account_truncating([7u8; 64]);
        let raw: &[u8; 32] = long.as_ref();
        assert_eq!(raw[31], 7);
    }
}
