//! Who the validators are: the Aura authors and the GRANDPA voters, and how a change of the
//! GRANDPA set is announced.
//!
//! [`AuthoritySource`] is the interface between consensus and the runtime's view of the
//! validator set. Today it is answered from genesis ([`StaticAuthorities`]); once the staking
//! pallet elects validators per era it is answered from runtime state at the block asked about.
//!
//! GRANDPA set changes are not read from state but from headers, as in Substrate: at an era
//! boundary the runtime deposits `Consensus(*b"FRNK", SCALE(ConsensusLog::ScheduledChange{
//! next_authorities, delay }))` in the header. The change takes effect when the block
//! `delay` blocks after the signal, on the same chain, is finalised (a "delayed standard change").
//! Forced changes, pauses and disabling are decoded (so such headers are understood) but not
//! supported: [`check_grandpa_digest`] rejects headers carrying them, and at most one scheduled
//! change may appear per header.

use basalt_support::{
    generic::{DigestItem, Header},
    BlockNumber, H256,
};
use codec::{Decode, DecodeAll, Encode};
use sp_core::{ed25519, sr25519};

pub use basalt_support::engine_ids::GRANDPA_ENGINE_ID;

/// A GRANDPA authority set's sequence number: 0 at genesis, +1 at every change.
pub type SetId = u64;

/// GRANDPA voters with their weights, as Substrate's `AuthorityList`.
pub type AuthorityList = Vec<(ed25519::Public, u64)>;

/// The validator set as the chain defines it at a block.
///
/// Implementations must be deterministic functions of the block: every node asking about the
/// same block must get the same answer, or they disagree on who may author and vote.
pub trait AuthoritySource: Send + Sync {
    /// The Aura authors for children of block `at` (read from `at`'s state), in slot order.
    fn aura_authorities(&self, at: &H256) -> Vec<sr25519::Public>;
    /// The GRANDPA set in force at block `at`: its id and weighted voters. Consensus uses it to
    /// seed the voter on first start; later sets come from `FRNK` digests.
    fn grandpa_authorities(&self, at: &H256) -> (SetId, AuthorityList);
}

/// A validator set fixed at genesis, the answer until staking elects sets per era.
#[derive(Clone, Debug, Default)]
pub struct StaticAuthorities {
    /// Aura authors in slot order.
    pub aura: Vec<sr25519::Public>,
    /// GRANDPA voters and weights of set 0.
    pub grandpa: AuthorityList,
}

impl AuthoritySource for StaticAuthorities {
    fn aura_authorities(&self, _at: &H256) -> Vec<sr25519::Public> {
        self.aura.clone()
    }

    fn grandpa_authorities(&self, _at: &H256) -> (SetId, AuthorityList) {
        (0, self.grandpa.clone())
    }
}

/// A scheduled change of the GRANDPA set (Substrate's `ScheduledChange<u32>`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ScheduledChange {
    /// The voters after the change.
    pub next_authorities: AuthorityList,
    /// Blocks between the signal and the block at which the change takes effect.
    pub delay: BlockNumber,
}

/// GRANDPA's header log (Substrate's `sp_consensus_grandpa::ConsensusLog<u32>`, same indices).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ConsensusLog {
    /// A delayed standard change: applied when the block `delay` after the signal is final.
    #[codec(index = 1)]
    ScheduledChange(ScheduledChange),
    /// A forced change (not supported by Basalt; headers carrying one are rejected).
    #[codec(index = 2)]
    ForcedChange(BlockNumber, ScheduledChange),
    /// An authority disabled until the next change (not supported).
    #[codec(index = 3)]
    OnDisabled(u64),
    /// Pause voting after a delay (not supported).
    #[codec(index = 4)]
    Pause(BlockNumber),
    /// Resume voting after a delay (not supported).
    #[codec(index = 5)]
    Resume(BlockNumber),
}

/// The digest item a runtime deposits to schedule a standard change.
pub fn scheduled_change_digest(change: ScheduledChange) -> DigestItem {
    DigestItem::Consensus(
        GRANDPA_ENGINE_ID,
        ConsensusLog::ScheduledChange(change).encode(),
    )
}

/// Why a header's GRANDPA logs are unacceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestError {
    /// A `FRNK` consensus item is not a valid `ConsensusLog`.
    Undecodable,
    /// More than one scheduled change in one header.
    MultipleChanges,
    /// A forced change, pause, resume or disable: not supported.
    Unsupported,
    /// The next set is empty, has a zero weight, a duplicate voter or overflowing weights.
    InvalidAuthorities,
}

impl std::fmt::Display for DigestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DigestError::Undecodable => "undecodable GRANDPA log",
            DigestError::MultipleChanges => "more than one GRANDPA change in a header",
            DigestError::Unsupported => "unsupported GRANDPA log (only delayed changes)",
            DigestError::InvalidAuthorities => "invalid next GRANDPA authority set",
        })
    }
}

impl std::error::Error for DigestError {}

/// Checks that an authority list can form a voter set: non-empty, positive weights, no
/// duplicates, total weight fits in a u64.
pub fn valid_authority_list(list: &AuthorityList) -> bool {
    if list.is_empty() {
        return false;
    }
    let mut ids: Vec<_> = list.iter().map(|(id, _)| id.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != list.len() {
        return false;
    }
    let mut total = 0u64;
    for (_, w) in list {
        if *w == 0 {
            return false;
        }
        match total.checked_add(*w) {
            Some(t) => total = t,
            None => return false,
        }
    }
    true
}

/// Validates a header's GRANDPA logs at import and returns its scheduled change, if any.
///
/// The node calls this when importing a block and rejects the block on error, so that every
/// imported header has at most one well-formed standard change.
pub fn check_grandpa_digest(header: &Header) -> Result<Option<ScheduledChange>, DigestError> {
    let mut change = None;
    for data in header.digest.consensus(GRANDPA_ENGINE_ID) {
        let mut input = data;
        match ConsensusLog::decode_all(&mut input).map_err(|_| DigestError::Undecodable)? {
            ConsensusLog::ScheduledChange(c) => {
                if change.is_some() {
                    return Err(DigestError::MultipleChanges);
                }
                if !valid_authority_list(&c.next_authorities) {
                    return Err(DigestError::InvalidAuthorities);
                }
                change = Some(c);
            }
            _ => return Err(DigestError::Unsupported),
        }
    }
    Ok(change)
}

/// The scheduled change a header signals, leniently: the first well-formed, valid
/// `ScheduledChange` log, ignoring anything else. Used on headers already accepted by
/// [`check_grandpa_digest`].
pub fn find_scheduled_change(header: &Header) -> Option<ScheduledChange> {
    header
        .digest
        .consensus(GRANDPA_ENGINE_ID)
        .filter_map(|data| {
            let mut input = data;
            match ConsensusLog::decode_all(&mut input) {
                Ok(ConsensusLog::ScheduledChange(c))
                    if valid_authority_list(&c.next_authorities) =>
                {
                    Some(c)
                }
                _ => None,
            }
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::Pair as _;

    fn voter(i: u8) -> ed25519::Public {
        ed25519::Pair::from_seed(&[i; 32]).public()
    }

    #[test]
    fn scheduled_change_encoding_matches_substrate() {
        let change = ScheduledChange {
            next_authorities: vec![(ed25519::Public::from_raw([7; 32]), 1)],
            delay: 5,
        };
        let encoded = ConsensusLog::ScheduledChange(change.clone()).encode();
        // variant 1, compact(1) authorities, 32-byte key, u64 weight, u32 delay.
        let mut expected = vec![1u8, 4];
        expected.extend([7u8; 32]);
        expected.extend(1u64.to_le_bytes());
        expected.extend(5u32.to_le_bytes());
        assert_eq!(encoded, expected);
        let item = scheduled_change_digest(change.clone());
        let header = Header {
            digest: basalt_support::generic::Digest { logs: vec![item] },
            ..Default::default()
        };
        assert_eq!(check_grandpa_digest(&header), Ok(Some(change.clone())));
        assert_eq!(find_scheduled_change(&header), Some(change));
    }

    #[test]
    fn bad_logs_are_rejected() {
        let with = |logs: Vec<DigestItem>| Header {
            digest: basalt_support::generic::Digest { logs },
            ..Default::default()
        };
        let good = ScheduledChange {
            next_authorities: vec![(voter(1), 1), (voter(2), 2)],
            delay: 0,
        };
        assert_eq!(check_grandpa_digest(&with(vec![])), Ok(None));
        assert_eq!(
            check_grandpa_digest(&with(vec![DigestItem::Consensus(
                GRANDPA_ENGINE_ID,
                vec![9, 9]
            )])),
            Err(DigestError::Undecodable)
        );
        assert_eq!(
            check_grandpa_digest(&with(vec![
                scheduled_change_digest(good.clone()),
                scheduled_change_digest(good.clone())
            ])),
            Err(DigestError::MultipleChanges)
        );
        assert_eq!(
            check_grandpa_digest(&with(vec![DigestItem::Consensus(
                GRANDPA_ENGINE_ID,
                ConsensusLog::ForcedChange(1, good.clone()).encode()
            )])),
            Err(DigestError::Unsupported)
        );
        for bad in [
            vec![],
            vec![(voter(1), 0)],
            vec![(voter(1), 1), (voter(1), 1)],
            vec![(voter(1), u64::MAX), (voter(2), 1)],
        ] {
            let change = ScheduledChange {
                next_authorities: bad,
                delay: 1,
            };
            let header = with(vec![scheduled_change_digest(change)]);
            assert_eq!(
                check_grandpa_digest(&header),
                Err(DigestError::InvalidAuthorities)
            );
            assert_eq!(find_scheduled_change(&header), None);
        }
        // Other engines' consensus logs are ignored.
        assert_eq!(
            check_grandpa_digest(&with(vec![DigestItem::Consensus(*b"BABE", vec![1])])),
            Ok(None)
        );
    }
}
