//! The block author's VRF: randomness no author can choose, only withhold.
//!
//! Each block's author puts `PreRuntime(*b"bvrf", SCALE(VrfSignature))` in its header: an
//! sr25519 (schnorrkel) VRF over the transcript (`epoch randomness`, `slot`), signed with its Aura
//! key. Anyone with the author's public key verifies it and derives the same 32-byte output;
//! the author cannot produce any other output for that slot, so its only choice is to publish
//! the block or not. The runtime verifies it when a block is imported and accumulates the
//! outputs per epoch, as BABE does.

use crate::engine_ids::VRF_ENGINE_ID;
use crate::generic::{Digest, DigestItem};
use crate::primitives::H256;
use codec::{DecodeAll, Encode};
use sp_core::crypto::{VrfPublic, VrfSecret};
use sp_core::sr25519::vrf::{VrfSignData, VrfSignature, VrfTranscript};
use sp_core::sr25519::{Pair, Public};

/// The transcript's label.
const LABEL: &[u8] = b"basalt-vrf";
/// The context the output bytes are derived in.
const OUTPUT_CONTEXT: &[u8] = b"basalt-vrf-output";

/// Why a block's VRF item is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VrfError {
    /// The block has an author but no VRF item.
    Missing,
    /// More than one VRF item.
    Duplicate,
    /// The item is not a SCALE `VrfSignature`.
    Undecodable,
    /// The proof does not verify for the author's key and this (randomness, slot).
    Invalid,
}

fn transcript(randomness: &H256, slot: u64) -> VrfTranscript {
    VrfTranscript::new(
        LABEL,
        &[
            (b"epoch randomness", randomness.as_bytes()),
            (b"slot", &slot.to_le_bytes()),
        ],
    )
}

/// The VRF pre-runtime item the author of `slot` puts in its header.
pub fn pre_digest(pair: &Pair, randomness: &H256, slot: u64) -> DigestItem {
    let signature = pair.vrf_sign(&VrfSignData::new(transcript(randomness, slot)));
    DigestItem::PreRuntime(VRF_ENGINE_ID, signature.encode())
}

/// The VRF item of `digest`, if it has exactly one.
fn find(digest: &Digest) -> Result<Option<&[u8]>, VrfError> {
    let mut found = None;
    for item in &digest.logs {
        if let DigestItem::PreRuntime(id, data) = item {
            if *id == VRF_ENGINE_ID {
                if found.is_some() {
                    return Err(VrfError::Duplicate);
                }
                found = Some(data.as_slice());
            }
        }
    }
    Ok(found)
}

/// The verified VRF output of the block whose author is `author` (32-byte sr25519 key) and
/// whose pre-runtime digest is `digest`.
pub fn verified_output(
    digest: &Digest,
    author: &[u8; 32],
    randomness: &H256,
    slot: u64,
) -> Result<H256, VrfError> {
    let mut data = find(digest)?.ok_or(VrfError::Missing)?;
    let signature = VrfSignature::decode_all(&mut data).map_err(|_| VrfError::Undecodable)?;
    let public = Public::from_raw(*author);
    let input = transcript(randomness, slot);
    if !public.vrf_verify(&VrfSignData::new(input.clone()), &signature) {
        return Err(VrfError::Invalid);
    }
    let bytes: [u8; 32] = public
        .make_bytes(OUTPUT_CONTEXT, &input, &signature.pre_output)
        .map_err(|_| VrfError::Invalid)?;
    Ok(H256(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::Pair as _;

    fn digest(items: Vec<DigestItem>) -> Digest {
        Digest { logs: items }
    }

    #[test]
    fn the_output_verifies_and_is_the_same_for_every_verifier() {
        let pair = Pair::from_string("//Alice", None).unwrap();
        let r = H256::repeat_byte(7);
        let d = digest(vec![pre_digest(&pair, &r, 42)]);
        let a = verified_output(&d, &pair.public().0, &r, 42).unwrap();
        // Signing is randomized; the output is not.
        let again = digest(vec![pre_digest(&pair, &r, 42)]);
        assert_eq!(verified_output(&again, &pair.public().0, &r, 42), Ok(a));
        assert_ne!(
            verified_output(
                &digest(vec![pre_digest(&pair, &r, 43)]),
                &pair.public().0,
                &r,
                43
            ),
            Ok(a)
        );
    }

    #[test]
    fn attack_a_wrong_key_slot_randomness_or_proof_is_refused() {
        let alice = Pair::from_string("//Alice", None).unwrap();
        let bob = Pair::from_string("//Bob", None).unwrap();
        let r = H256::repeat_byte(7);
        let d = digest(vec![pre_digest(&alice, &r, 42)]);
        assert_eq!(
            verified_output(&d, &bob.public().0, &r, 42),
            Err(VrfError::Invalid)
        );
        assert_eq!(
            verified_output(&d, &alice.public().0, &r, 41),
            Err(VrfError::Invalid)
        );
        assert_eq!(
            verified_output(&d, &alice.public().0, &H256::zero(), 42),
            Err(VrfError::Invalid)
        );
        let DigestItem::PreRuntime(_, mut bytes) = pre_digest(&alice, &r, 42) else {
            unreachable!()
        };
        bytes[40] ^= 1;
        let tampered = digest(vec![DigestItem::PreRuntime(VRF_ENGINE_ID, bytes)]);
        assert!(verified_output(&tampered, &alice.public().0, &r, 42).is_err());
        assert_eq!(
            verified_output(&digest(vec![]), &alice.public().0, &r, 42),
            Err(VrfError::Missing)
        );
        let twice = digest(vec![pre_digest(&alice, &r, 42), pre_digest(&alice, &r, 42)]);
        assert_eq!(
            verified_output(&twice, &alice.public().0, &r, 42),
            Err(VrfError::Duplicate)
        );
        let junk = digest(vec![DigestItem::PreRuntime(VRF_ENGINE_ID, vec![1, 2, 3])]);
        assert_eq!(
            verified_output(&junk, &alice.public().0, &r, 42),
            Err(VrfError::Undecodable)
        );
    }
}
