//! Aura: round-robin block authorship by slot.
//!
//! Time is cut into slots of a fixed duration; slot `s` belongs to `authorities[s % n]`. The
//! author writes the slot into the header (`PreRuntime(*b"aura", SCALE(u64 slot))`), then seals
//! the header with `Seal(*b"aura", sr25519 signature)` over blake2-256 of the SCALE header
//! without the seal, exactly as Substrate's Aura does, so headers are byte-compatible with
//! Substrate tooling.
//!
//! Guarantees of [`verify_header`], which block import runs (the node's and the simulation's
//! alike): a header that passes carries exactly one Aura slot, strictly after its parent's, and
//! was signed by the authority owning that slot. It does not read a clock: callers bound the
//! clock drift with [`ensure_not_future`] (the node only for blocks from the network, and such a
//! block waits rather than being blamed). Block execution is not checked here.
//!
//! [`EquivocationDetector`] remembers, for a window of recent slots, which header each author
//! signed; a second, different header for the same slot and author yields an [`Equivocation`]
//! holding both sealed headers, the evidence slashing needs.

use std::collections::BTreeMap;

use basalt_support::{
    generic::{ConsensusEngineId, DigestItem, Header},
    hashing::blake2_256,
    H256,
};
use codec::{DecodeAll, Encode};
use sp_core::{sr25519, Pair as _};

pub use basalt_support::engine_ids::AURA_ENGINE_ID;

/// A slot number: `timestamp_ms / slot_duration_ms`.
pub type Slot = u64;

/// Why a header failed Aura verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuraError {
    /// There are no authorities, so no slot has an owner.
    NoAuthorities,
    /// The header has no `PreRuntime(aura, slot)` item.
    MissingPreDigest,
    /// The header has more than one Aura pre-runtime item.
    MultiplePreDigests,
    /// The Aura pre-runtime payload is not exactly a SCALE `u64`.
    BadPreDigest,
    /// The header has no seal (its last digest item is not a seal).
    MissingSeal,
    /// The header is sealed, but by another consensus engine than Aura.
    ForeignSeal(ConsensusEngineId),
    /// The seal is not a 64-byte sr25519 signature.
    BadSealLength(usize),
    /// The seal does not verify under any authority.
    BadSeal {
        /// The header's slot.
        slot: Slot,
        /// The slot's owner, who should have signed.
        expected: sr25519::Public,
    },
    /// The seal was made by an authority, but not the one owning the slot.
    WrongAuthor {
        /// The slot's owner.
        expected: sr25519::Public,
        /// Who signed.
        actual: sr25519::Public,
    },
    /// The slot is further ahead of the local clock than the drift bound allows.
    FutureSlot {
        /// The header's slot.
        slot: Slot,
        /// The verifier's current slot.
        now: Slot,
    },
    /// The parent (not genesis) announces no well-formed Aura slot, so the child's slot cannot
    /// be ordered after it.
    ParentWithoutSlot,
    /// The slot is not greater than the parent's slot.
    SlotNotIncreasing {
        /// The parent's slot.
        parent: Slot,
        /// The header's slot.
        slot: Slot,
    },
}

impl std::fmt::Display for AuraError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuraError::NoAuthorities => f.write_str("the parent state has no Aura authorities"),
            AuraError::MissingPreDigest => f.write_str("no Aura slot in the pre-runtime digest"),
            AuraError::MultiplePreDigests => {
                f.write_str("several Aura slots in the pre-runtime digest")
            }
            AuraError::BadPreDigest => f.write_str("the Aura slot is not a SCALE u64"),
            AuraError::MissingSeal => f.write_str("no seal"),
            AuraError::ForeignSeal(engine) => write!(
                f,
                "seal of unknown engine {:?}",
                String::from_utf8_lossy(engine)
            ),
            AuraError::BadSealLength(n) => {
                write!(f, "the seal is {n} bytes, not a 64-byte signature")
            }
            AuraError::BadSeal { slot, expected } => write!(
                f,
                "the seal is not a signature by {expected} (authority of slot {slot})"
            ),
            AuraError::WrongAuthor { expected, actual } => write!(
                f,
                "the seal is not a signature by {expected} (authority of the slot) but by {actual}"
            ),
            AuraError::FutureSlot { slot, now } => {
                write!(f, "slot {slot} is too far ahead of the local slot {now}")
            }
            AuraError::ParentWithoutSlot => f.write_str("the parent has no Aura slot"),
            AuraError::SlotNotIncreasing { parent, slot } => {
                write!(f, "slot {slot} is not after the parent's slot {parent}")
            }
        }
    }
}

impl std::error::Error for AuraError {}

/// The slot containing `timestamp_ms` (a zero duration is treated as 1 ms).
pub fn slot_at(timestamp_ms: u64, slot_duration_ms: u64) -> Slot {
    timestamp_ms / slot_duration_ms.max(1)
}

/// The owner of `slot` (`authorities[slot % n]`) and its index, or `None` without authorities.
pub fn slot_author(
    slot: Slot,
    authorities: &[sr25519::Public],
) -> Option<(usize, &sr25519::Public)> {
    if authorities.is_empty() {
        return None;
    }
    let index = (slot % authorities.len() as u64) as usize;
    authorities.get(index).map(|a| (index, a))
}

/// The pre-runtime digest item announcing `slot`, the first log an author puts in a header.
pub fn pre_digest(slot: Slot) -> DigestItem {
    DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())
}

/// The slot announced in a header: exactly one Aura pre-runtime item holding a SCALE `u64`.
pub fn find_slot(header: &Header) -> Result<Slot, AuraError> {
    let mut found = None;
    for item in header.digest.logs() {
        if let Some((AURA_ENGINE_ID, data)) = item.as_pre_runtime() {
            if found.is_some() {
                return Err(AuraError::MultiplePreDigests);
            }
            let mut input = data;
            found = Some(Slot::decode_all(&mut input).map_err(|_| AuraError::BadPreDigest)?);
        }
    }
    found.ok_or(AuraError::MissingPreDigest)
}

/// The message an Aura author signs: blake2-256 of the SCALE header without its seal (which
/// is also the hash the header had before sealing).
pub fn pre_seal_hash(unsealed: &Header) -> [u8; 32] {
    blake2_256(&unsealed.encode())
}

/// Something that signs block seals with an author's sr25519 key.
///
/// The node implements it over its keystore; the simulation with a seeded, deterministic
/// signer (sr25519 signing is randomised, which would make block hashes differ run to run).
pub trait AuraSigner {
    /// The author's public key, as listed in the authority set.
    fn public(&self) -> sr25519::Public;
    /// Signs `message` (the pre-seal hash) in the "substrate" signing context.
    fn sign(&self, message: &[u8]) -> sr25519::Signature;
}

impl AuraSigner for sr25519::Pair {
    fn public(&self) -> sr25519::Public {
        sp_core::Pair::public(self)
    }

    fn sign(&self, message: &[u8]) -> sr25519::Signature {
        sp_core::Pair::sign(self, message)
    }
}

/// Seals a finished header: appends `Seal(aura, signature over the pre-seal hash)` and returns
/// the block hash. The header must already carry its [`pre_digest`] and no seal.
pub fn seal_header(header: &mut Header, signer: &dyn AuraSigner) -> H256 {
    let signature = signer.sign(&pre_seal_hash(header));
    header.digest.push(DigestItem::Seal(
        AURA_ENGINE_ID,
        AsRef::<[u8]>::as_ref(&signature).to_vec(),
    ));
    header.hash()
}

/// Verifies a sealed header against its parent and the authority set of its parent's state:
/// everything Aura checks at block import but the clock (see [`ensure_not_future`]).
///
/// In order: the last digest item is an Aura seal of 64 bytes, the header announces exactly one
/// slot, that slot follows the parent's ([`ensure_slot_increases`]; the cheap checks come
/// before any signature is verified), there are authorities, and the seal is the slot owner's
/// signature over the pre-seal hash. Returns the slot and the author's index. Never panics on
/// malformed input.
pub fn verify_header(
    header: &Header,
    parent: &Header,
    authorities: &[sr25519::Public],
) -> Result<(Slot, usize), AuraError> {
    let mut unsealed = header.clone();
    let signature = match unsealed.digest.pop_seal() {
        Some((AURA_ENGINE_ID, signature)) => signature,
        Some((engine, _)) => return Err(AuraError::ForeignSeal(engine)),
        None => return Err(AuraError::MissingSeal),
    };
    let signature = <[u8; 64]>::try_from(signature.as_slice())
        .map(sr25519::Signature::from_raw)
        .map_err(|_| AuraError::BadSealLength(signature.len()))?;
    let slot = find_slot(&unsealed)?;
    ensure_slot_increases(parent, slot)?;
    let (index, expected) = slot_author(slot, authorities).ok_or(AuraError::NoAuthorities)?;
    let message = pre_seal_hash(&unsealed);
    if sr25519::Pair::verify(&signature, message, expected) {
        return Ok((slot, index));
    }
    // Say who signed, if anyone in the set did: a valid seal by the wrong author is a protocol
    // violation by that author, not line noise.
    match authorities
        .iter()
        .find(|a| *a != expected && sr25519::Pair::verify(&signature, message, a))
    {
        Some(actual) => Err(AuraError::WrongAuthor {
            expected: *expected,
            actual: *actual,
        }),
        None => Err(AuraError::BadSeal {
            slot,
            expected: *expected,
        }),
    }
}

/// Refuses a child whose slot does not strictly follow its parent's (genesis has no slot and
/// accepts any child), as Substrate's Aura runtime does. A parent other than genesis without a
/// well-formed slot is [`AuraError::ParentWithoutSlot`].
pub fn ensure_slot_increases(parent: &Header, slot: Slot) -> Result<(), AuraError> {
    if parent.number == 0 {
        return Ok(());
    }
    let parent_slot = find_slot(parent).map_err(|_| AuraError::ParentWithoutSlot)?;
    if slot <= parent_slot {
        return Err(AuraError::SlotNotIncreasing {
            parent: parent_slot,
            slot,
        });
    }
    Ok(())
}

/// Refuses a slot more than `max_drift_slots` ahead of the verifier's current slot `now_slot`
/// (validators' clocks differ by a bounded drift; a block further ahead is not yet due).
pub fn ensure_not_future(
    slot: Slot,
    now_slot: Slot,
    max_drift_slots: u64,
) -> Result<(), AuraError> {
    if slot > now_slot.saturating_add(max_drift_slots) {
        return Err(AuraError::FutureSlot {
            slot,
            now: now_slot,
        });
    }
    Ok(())
}

/// Two different headers sealed by one author for one slot: the evidence slashing needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equivocation {
    /// The slot signed twice.
    pub slot: Slot,
    /// The author who signed both.
    pub offender: sr25519::Public,
    /// The header seen first (sealed).
    pub first: Header,
    /// The conflicting header (sealed).
    pub second: Header,
}

/// Remembers who sealed which header in recent slots, to catch an author signing two blocks
/// for one slot.
///
/// Feed it every header that passed [`verify_header`], in any order. Slots older than
/// `window` slots behind the newest slot noted are forgotten (bounded memory; equivocations
/// older than that are not detected). Each `(slot, author)` pair is reported once.
#[derive(Clone, Debug)]
pub struct EquivocationDetector {
    window: u64,
    newest: Slot,
    seen: BTreeMap<Slot, BTreeMap<[u8; 32], SlotRecord>>,
}

#[derive(Clone, Debug)]
struct SlotRecord {
    first: Header,
    first_hash: H256,
    reported: bool,
}

impl EquivocationDetector {
    /// A detector remembering `window` slots (at least 1).
    pub fn new(window: u64) -> Self {
        EquivocationDetector {
            window: window.max(1),
            newest: 0,
            seen: BTreeMap::new(),
        }
    }

    /// Notes a verified header sealed by `author` in `slot`; returns the evidence if the author
    /// already sealed a different header for that slot.
    pub fn check(
        &mut self,
        slot: Slot,
        author: &sr25519::Public,
        header: &Header,
    ) -> Option<Equivocation> {
        if slot.saturating_add(self.window) < self.newest {
            return None;
        }
        if slot > self.newest {
            self.newest = slot;
            let keep_from = slot.saturating_sub(self.window);
            self.seen = self.seen.split_off(&keep_from);
        }
        let hash = header.hash();
        let by_author = self.seen.entry(slot).or_default();
        match by_author.get_mut(&author.0) {
            None => {
                by_author.insert(
                    author.0,
                    SlotRecord {
                        first: header.clone(),
                        first_hash: hash,
                        reported: false,
                    },
                );
                None
            }
            Some(record) if record.first_hash == hash || record.reported => None,
            Some(record) => {
                record.reported = true;
                Some(Equivocation {
                    slot,
                    offender: *author,
                    first: record.first.clone(),
                    second: header.clone(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_support::generic::Digest;

    fn keys(n: u8) -> Vec<sr25519::Pair> {
        (0..n)
            .map(|i| sr25519::Pair::from_seed(&[i + 1; 32]))
            .collect()
    }

    fn publics(keys: &[sr25519::Pair]) -> Vec<sr25519::Public> {
        keys.iter().map(sp_core::Pair::public).collect()
    }

    fn header_for(slot: Slot, salt: u8) -> Header {
        Header {
            parent_hash: H256::repeat_byte(9),
            number: 5,
            state_root: H256::repeat_byte(salt),
            extrinsics_root: H256::zero(),
            digest: Digest {
                logs: vec![pre_digest(slot)],
            },
        }
    }

    #[test]
    fn slots_and_owners() {
        assert_eq!(slot_at(12_000, 6_000), 2);
        assert_eq!(slot_at(11_999, 6_000), 1);
        assert_eq!(slot_at(5, 0), 5);
        let keys = keys(3);
        let auth = publics(&keys);
        assert_eq!(slot_author(7, &auth).map(|(i, _)| i), Some(1));
        assert_eq!(slot_author(7, &[]), None);
    }

    #[test]
    fn seal_and_verify() {
        let keys = keys(3);
        let auth = publics(&keys);
        let slot = 10;
        let (owner, _) = slot_author(slot, &auth).expect("owner");
        let mut header = header_for(slot, 1);
        let unsealed_hash = header.hash();
        let hash = seal_header(&mut header, &keys[owner]);
        assert_eq!(hash, header.hash());
        assert_ne!(hash, unsealed_hash);
        // The seal is the last item and carries 64 bytes (SCALE: compact length 0x0101).
        let encoded_seal = header.digest.logs().last().expect("seal").encode();
        assert_eq!(&encoded_seal[..7], &[5, b'a', b'u', b'r', b'a', 1, 1]);
        let genesis = Header::default();
        assert_eq!(verify_header(&header, &genesis, &auth), Ok((slot, owner)));
        assert_eq!(
            verify_header(&header, &genesis, &[]),
            Err(AuraError::NoAuthorities)
        );

        // Sealed by another authority.
        let other = (owner + 1) % 3;
        let mut wrong = header_for(slot, 1);
        seal_header(&mut wrong, &keys[other]);
        assert_eq!(
            verify_header(&wrong, &genesis, &auth),
            Err(AuraError::WrongAuthor {
                expected: auth[owner],
                actual: auth[other]
            })
        );

        // Tampering after sealing breaks the seal.
        let mut tampered = header.clone();
        tampered.state_root = H256::repeat_byte(7);
        assert_eq!(
            verify_header(&tampered, &genesis, &auth),
            Err(AuraError::BadSeal {
                slot,
                expected: auth[owner]
            })
        );

        // A stranger's seal.
        let mut stranger = header_for(slot, 1);
        seal_header(&mut stranger, &sr25519::Pair::from_seed(&[77; 32]));
        assert_eq!(
            verify_header(&stranger, &genesis, &auth),
            Err(AuraError::BadSeal {
                slot,
                expected: auth[owner]
            })
        );
    }

    #[test]
    fn malformed_digests_are_errors_not_panics() {
        let keys = keys(2);
        let auth = publics(&keys);
        let genesis = Header::default();
        // No seal.
        assert_eq!(
            verify_header(&header_for(1, 1), &genesis, &auth),
            Err(AuraError::MissingSeal)
        );
        // Short seal.
        let mut short = header_for(1, 1);
        short
            .digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![1, 2, 3]));
        assert_eq!(
            verify_header(&short, &genesis, &auth),
            Err(AuraError::BadSealLength(3))
        );
        // A seal of another engine.
        let mut babe = header_for(1, 1);
        babe.digest.push(DigestItem::Seal(*b"BABE", vec![0; 64]));
        assert_eq!(
            verify_header(&babe, &genesis, &auth),
            Err(AuraError::ForeignSeal(*b"BABE"))
        );
        // No slot.
        let mut no_slot = Header::default();
        no_slot
            .digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![0; 64]));
        assert_eq!(
            verify_header(&no_slot, &genesis, &auth),
            Err(AuraError::MissingPreDigest)
        );
        // Slot that is not a u64.
        let mut bad_slot = Header::default();
        bad_slot
            .digest
            .push(DigestItem::PreRuntime(AURA_ENGINE_ID, vec![1, 2]));
        bad_slot
            .digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![0; 64]));
        assert_eq!(
            verify_header(&bad_slot, &genesis, &auth),
            Err(AuraError::BadPreDigest)
        );
        // Two slots.
        let mut two = header_for(1, 1);
        two.digest.push(pre_digest(2));
        two.digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![0; 64]));
        assert_eq!(
            verify_header(&two, &genesis, &auth),
            Err(AuraError::MultiplePreDigests)
        );
    }

    #[test]
    fn slot_must_increase() {
        let parent = header_for(5, 1);
        assert_eq!(ensure_slot_increases(&parent, 6), Ok(()));
        assert_eq!(
            ensure_slot_increases(&parent, 5),
            Err(AuraError::SlotNotIncreasing { parent: 5, slot: 5 })
        );
        assert_eq!(ensure_slot_increases(&Header::default(), 0), Ok(()));
        let unslotted = Header {
            number: 3,
            ..Header::default()
        };
        assert_eq!(
            ensure_slot_increases(&unslotted, 9),
            Err(AuraError::ParentWithoutSlot)
        );
    }

    #[test]
    fn verification_orders_the_slot_after_the_parent() {
        let keys = keys(3);
        let auth = publics(&keys);
        let parent = header_for(10, 1);
        let seal_for = |slot: Slot| {
            let mut header = header_for(slot, 2);
            let (owner, _) = slot_author(slot, &auth).expect("owner");
            seal_header(&mut header, &keys[owner]);
            (header, owner)
        };
        let (next, owner) = seal_for(11);
        assert_eq!(verify_header(&next, &parent, &auth), Ok((11, owner)));
        for slot in [9, 10] {
            let (stale, _) = seal_for(slot);
            assert_eq!(
                verify_header(&stale, &parent, &auth),
                Err(AuraError::SlotNotIncreasing { parent: 10, slot })
            );
        }
        // The order is checked before the signature: a stale slot with a bad seal is stale.
        let mut forged = header_for(10, 2);
        forged
            .digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![0; 64]));
        assert_eq!(
            verify_header(&forged, &parent, &auth),
            Err(AuraError::SlotNotIncreasing {
                parent: 10,
                slot: 10
            })
        );
        let unslotted = Header {
            number: 3,
            ..Header::default()
        };
        assert_eq!(
            verify_header(&next, &unslotted, &auth),
            Err(AuraError::ParentWithoutSlot)
        );
    }

    #[test]
    fn slots_beyond_the_drift_are_in_the_future() {
        assert_eq!(ensure_not_future(10, 10, 0), Ok(()));
        assert_eq!(ensure_not_future(10, 9, 1), Ok(()));
        assert_eq!(ensure_not_future(3, 100, 0), Ok(()));
        assert_eq!(
            ensure_not_future(10, 8, 1),
            Err(AuraError::FutureSlot { slot: 10, now: 8 })
        );
        assert_eq!(ensure_not_future(u64::MAX, u64::MAX, u64::MAX), Ok(()));
    }

    #[test]
    fn detects_two_headers_in_one_slot() {
        let keys = keys(2);
        let author = sp_core::Pair::public(&keys[0]);
        let mut detector = EquivocationDetector::new(10);
        let a = header_for(4, 1);
        let b = header_for(4, 2);
        assert_eq!(detector.check(4, &author, &a), None);
        assert_eq!(
            detector.check(4, &author, &a),
            None,
            "same header twice is fine"
        );
        let evidence = detector.check(4, &author, &b).expect("equivocation");
        assert_eq!(evidence.slot, 4);
        assert_eq!(evidence.offender, author);
        assert_eq!(evidence.first, a);
        assert_eq!(evidence.second, b);
        assert_eq!(
            detector.check(4, &author, &header_for(4, 3)),
            None,
            "reported once"
        );
        // Another author in the same slot is not an equivocation of the first.
        assert_eq!(
            detector.check(4, &sp_core::Pair::public(&keys[1]), &b),
            None
        );
        // Old slots fall out of the window.
        assert_eq!(detector.check(100, &author, &header_for(100, 1)), None);
        assert_eq!(detector.check(4, &author, &header_for(4, 9)), None);
    }
}
