//! Evidence that an Aura authority sealed two different blocks for one slot, in a form the
//! runtime checks on its own (nothing but the two headers and the offender's key is trusted).
//!
//! A node that sees such a pair (its import path runs an equivocation detector) submits it as
//! an unsigned extrinsic; staking verifies it with [`AuraEquivocationProof::check`] before it
//! slashes. The checks mirror what block import verifies of a seal: the header's last digest
//! item is `Seal(*b"aura", sr25519 signature)` over the blake2-256 hash of the header without
//! that item, and the header carries exactly one `PreRuntime(*b"aura", SCALE(slot))`.

use codec::{Decode, DecodeAll, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sp_core::{sr25519, Pair as _};

use crate::generic::{Digest, DigestItem, Header};
use crate::H256;

pub use crate::engine_ids::AURA_ENGINE_ID;

/// The Aura slot announced by a digest, if it has exactly one well-formed Aura pre-runtime
/// item.
pub fn aura_slot(digest: &Digest) -> Option<u64> {
    let mut slots = digest.logs.iter().filter_map(|item| match item {
        DigestItem::PreRuntime(id, data) if *id == AURA_ENGINE_ID => Some(data),
        _ => None,
    });
    let data = slots.next()?;
    if slots.next().is_some() {
        return None;
    }
    u64::decode_all(&mut &data[..]).ok()
}

/// Two headers sealed by `offender` for `slot`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct AuraEquivocationProof {
    /// The Aura (sr25519) public key that sealed both.
    pub offender: [u8; 32],
    /// The slot both claim.
    pub slot: u64,
    /// One sealed header.
    pub first_header: Header,
    /// Another sealed header for the same slot.
    pub second_header: Header,
}

/// Why a proof does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EquivocationError {
    /// Both headers are the same block.
    SameBlock,
    /// A header does not announce exactly the proof's slot.
    WrongSlot,
    /// A header's seal is missing, malformed or not the offender's signature.
    BadSeal,
}

impl AuraEquivocationProof {
    /// Whether the proof holds: two different headers, both for `slot`, both sealed by
    /// `offender`.
    ///
    /// "Different" means different content (pre-seal hashes): sr25519 signatures are
    /// randomised, so one block sealed twice has two hashes but is no fork, and is not
    /// punished.
    pub fn check(&self) -> Result<(), EquivocationError> {
        let first = check_sealed(&self.first_header, self.slot, &self.offender)?;
        let second = check_sealed(&self.second_header, self.slot, &self.offender)?;
        if first == second {
            return Err(EquivocationError::SameBlock);
        }
        Ok(())
    }
}

/// `header` announces `slot` and is sealed by `author`; returns its pre-seal hash.
fn check_sealed(header: &Header, slot: u64, author: &[u8; 32]) -> Result<H256, EquivocationError> {
    let mut pre = header.clone();
    let (engine, seal) = pre.digest.pop_seal().ok_or(EquivocationError::BadSeal)?;
    if engine != AURA_ENGINE_ID {
        return Err(EquivocationError::BadSeal);
    }
    if aura_slot(&pre.digest) != Some(slot) {
        return Err(EquivocationError::WrongSlot);
    }
    let signature = <[u8; 64]>::try_from(seal.as_slice())
        .map(sr25519::Signature::from_raw)
        .map_err(|_| EquivocationError::BadSeal)?;
    let public = sr25519::Public::from_raw(*author);
    let pre_hash = pre.hash();
    if sr25519::Pair::verify(&signature, pre_hash.as_bytes(), &public) {
        Ok(pre_hash)
    } else {
        Err(EquivocationError::BadSeal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(pair: &sr25519::Pair, slot: u64, state: u8) -> Header {
        let mut header = Header {
            parent_hash: H256::repeat_byte(1),
            number: 7,
            state_root: H256::repeat_byte(state),
            extrinsics_root: H256::zero(),
            digest: Digest {
                logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
            },
        };
        let signature = pair.sign(header.hash().as_bytes());
        header
            .digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, signature.0.to_vec()));
        header
    }

    #[test]
    fn two_sealed_blocks_in_one_slot_prove_an_equivocation_and_nothing_else_does() {
        let alice = sr25519::Pair::from_string("//Alice", None).expect("dev key");
        let bob = sr25519::Pair::from_string("//Bob", None).expect("dev key");
        let proof = AuraEquivocationProof {
            offender: alice.public().0,
            slot: 9,
            first_header: sealed(&alice, 9, 2),
            second_header: sealed(&alice, 9, 3),
        };
        assert_eq!(proof.check(), Ok(()));
        assert_eq!(aura_slot(&proof.first_header.digest), Some(9));

        let same = AuraEquivocationProof {
            second_header: proof.first_header.clone(),
            ..proof.clone()
        };
        assert_eq!(same.check(), Err(EquivocationError::SameBlock));
        // One block sealed twice (sr25519 signatures are randomised): two hashes, no fork.
        let resealed = AuraEquivocationProof {
            second_header: sealed(&alice, 9, 2),
            ..proof.clone()
        };
        assert_ne!(resealed.first_header.hash(), resealed.second_header.hash());
        assert_eq!(resealed.check(), Err(EquivocationError::SameBlock));
        let other_slot = AuraEquivocationProof {
            second_header: sealed(&alice, 10, 3),
            ..proof.clone()
        };
        assert_eq!(other_slot.check(), Err(EquivocationError::WrongSlot));
        let someone_else = AuraEquivocationProof {
            second_header: sealed(&bob, 9, 3),
            ..proof.clone()
        };
        assert_eq!(someone_else.check(), Err(EquivocationError::BadSeal));
        let framed = AuraEquivocationProof {
            offender: bob.public().0,
            ..proof.clone()
        };
        assert_eq!(framed.check(), Err(EquivocationError::BadSeal));
        let mut unsealed = proof.clone();
        unsealed.second_header.digest.pop_seal();
        assert_eq!(unsealed.check(), Err(EquivocationError::BadSeal));
        // A tampered header no longer matches its seal.
        let mut tampered = proof;
        tampered.second_header.number = 8;
        assert_eq!(tampered.check(), Err(EquivocationError::BadSeal));
    }
}
