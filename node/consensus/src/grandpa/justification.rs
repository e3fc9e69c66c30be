//! GRANDPA justifications: the proof, stored with a finalised block and served to syncing
//! peers, that a supermajority of a set precommitted to it.
//!
//! The format is Substrate's `GrandpaJustification`: `SCALE(round: u64, commit: Commit,
//! votes_ancestries: Vec<Header>)`, where the ancestry headers link every precommit target back
//! to the commit target. [`verify_justification`] checks it with nothing but the authority set:
//! every signature (over the localized payload of the round and set), voter membership,
//! consistent block numbers, no unused headers, and that the precommits' GHOST is exactly the
//! commit target with supermajority weight (`finality_grandpa::validate_commit`).

use std::collections::{BTreeMap, BTreeSet};

use basalt_support::{generic::Header, BlockNumber, H256};
use codec::{Decode, DecodeAll, Encode};
use finality_grandpa::voter_set::VoterSet;

use super::{messages::localized_payload, AuthorityList, Commit, Message, SetId};
use crate::chain::BlockTree;

/// A proof of finality for `commit.target_hash` (Substrate's `GrandpaJustification`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct GrandpaJustification {
    /// The round in which the commit was made.
    pub round: u64,
    /// The finalised block and the precommits for it or its descendants.
    pub commit: Commit,
    /// Headers linking every precommit target down to the lowest one (that one excluded).
    pub votes_ancestries: Vec<Header>,
}

/// Why a justification was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JustificationError {
    /// Not a SCALE `GrandpaJustification`, or trailing bytes.
    Undecodable,
    /// The authority set given to check against is unusable.
    InvalidAuthorities,
    /// A precommit is by someone outside the set.
    UnknownVoter,
    /// A precommit signature does not verify for this round and set.
    BadSignature,
    /// A precommit target does not link to the lowest precommit target through the ancestry
    /// headers, or a block number is inconsistent.
    BadAncestry,
    /// Ancestry headers that no precommit needs.
    UnusedAncestry,
    /// The precommits do not finalise the commit target with a supermajority.
    NotFinalizing,
    /// The justification could not be built: a block on the route is unknown.
    MissingBlock(H256),
}

impl std::fmt::Display for JustificationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JustificationError::Undecodable => f.write_str("undecodable justification"),
            JustificationError::InvalidAuthorities => f.write_str("invalid authority set"),
            JustificationError::UnknownVoter => f.write_str("precommit by a non-voter"),
            JustificationError::BadSignature => f.write_str("bad precommit signature"),
            JustificationError::BadAncestry => f.write_str("precommit ancestry does not link"),
            JustificationError::UnusedAncestry => f.write_str("unused ancestry headers"),
            JustificationError::NotFinalizing => {
                f.write_str("precommits do not finalise the target")
            }
            JustificationError::MissingBlock(h) => write!(f, "missing block {h:?}"),
        }
    }
}

impl std::error::Error for JustificationError {}

impl GrandpaJustification {
    /// Builds the justification of `commit` (made in `round`), collecting from `tree` the
    /// headers between each precommit target and the commit target.
    pub fn from_commit(
        tree: &dyn BlockTree,
        round: u64,
        commit: Commit,
    ) -> Result<Self, JustificationError> {
        // Routes go from every precommit target down to the lowest one (the base), as
        // `validate_commit` counts from there: equivocating precommits may target ancestors of
        // the commit target.
        let base = lowest_target(&commit).ok_or(JustificationError::NotFinalizing)?;
        let mut seen = BTreeSet::new();
        let mut votes_ancestries = Vec::new();
        for signed in &commit.precommits {
            let mut cursor = signed.precommit.target_hash;
            while cursor != base.0 {
                if !seen.insert(cursor) {
                    break;
                }
                let header = tree
                    .header(&cursor)
                    .ok_or(JustificationError::MissingBlock(cursor))?;
                if header.number <= base.1 {
                    return Err(JustificationError::BadAncestry);
                }
                cursor = header.parent_hash;
                votes_ancestries.push(header);
            }
        }
        Ok(GrandpaJustification {
            round,
            commit,
            votes_ancestries,
        })
    }

    /// Decodes strictly (no trailing bytes).
    pub fn decode_strict(bytes: &[u8]) -> Result<Self, JustificationError> {
        let mut input = bytes;
        Self::decode_all(&mut input).map_err(|_| JustificationError::Undecodable)
    }

    /// The finalised block.
    pub fn target(&self) -> (H256, BlockNumber) {
        (self.commit.target_hash, self.commit.target_number)
    }
}

/// The lowest precommit target of a commit (the base its votes are counted from).
fn lowest_target(commit: &Commit) -> Option<(H256, BlockNumber)> {
    commit
        .precommits
        .iter()
        .map(|s| (s.precommit.target_hash, s.precommit.target_number))
        .min_by_key(|(_, n)| *n)
}

/// The ancestry headers of a justification, as a `finality_grandpa::Chain`.
struct AncestryChain {
    headers: BTreeMap<H256, Header>,
}

impl finality_grandpa::Chain<H256, BlockNumber> for AncestryChain {
    fn ancestry(&self, base: H256, block: H256) -> Result<Vec<H256>, finality_grandpa::Error> {
        let mut route = Vec::new();
        let mut current = block;
        // Bounded by the number of headers: each step consumes one distinct header.
        for _ in 0..=self.headers.len() {
            if current == base {
                route.pop();
                return Ok(route);
            }
            match self.headers.get(&current) {
                Some(header) => {
                    current = header.parent_hash;
                    route.push(current);
                }
                None => return Err(finality_grandpa::Error::NotDescendent),
            }
        }
        Err(finality_grandpa::Error::NotDescendent)
    }
}

/// Checks an encoded justification against set `set_id` with voters `authorities`, returning
/// the block it finalises. See the module docs for what is checked.
pub fn verify_justification(
    justification: &[u8],
    set_id: SetId,
    authorities: &AuthorityList,
) -> Result<(H256, BlockNumber), JustificationError> {
    let justification = GrandpaJustification::decode_strict(justification)?;
    verify_decoded(&justification, set_id, authorities)?;
    Ok(justification.target())
}

/// [`verify_justification`] on an already decoded justification.
pub(crate) fn verify_decoded(
    justification: &GrandpaJustification,
    set_id: SetId,
    authorities: &AuthorityList,
) -> Result<(), JustificationError> {
    let voters =
        VoterSet::new(authorities.iter().cloned()).ok_or(JustificationError::InvalidAuthorities)?;
    let commit = &justification.commit;
    if commit.precommits.is_empty() {
        return Err(JustificationError::NotFinalizing);
    }

    let mut headers = BTreeMap::new();
    for header in &justification.votes_ancestries {
        headers.insert(header.hash(), header.clone());
    }
    if headers.len() != justification.votes_ancestries.len() {
        return Err(JustificationError::UnusedAncestry);
    }

    // Every precommit: a voter, a good signature, and a number-consistent route down to the
    // lowest precommit target (the base `validate_commit` counts from).
    let base = lowest_target(commit).ok_or(JustificationError::NotFinalizing)?;
    let mut used = BTreeSet::new();
    for signed in &commit.precommits {
        if !voters.contains(&signed.id) {
            return Err(JustificationError::UnknownVoter);
        }
        let message = Message::Precommit(signed.precommit.clone());
        let payload = localized_payload(justification.round, set_id, &message);
        if !<sp_core::ed25519::Pair as sp_core::Pair>::verify(
            &signed.signature,
            payload,
            &signed.id,
        ) {
            return Err(JustificationError::BadSignature);
        }
        let mut cursor = signed.precommit.target_hash;
        let mut number = signed.precommit.target_number;
        while cursor != base.0 {
            if number <= base.1 {
                return Err(JustificationError::BadAncestry);
            }
            let header = headers
                .get(&cursor)
                .ok_or(JustificationError::BadAncestry)?;
            if header.number != number {
                return Err(JustificationError::BadAncestry);
            }
            used.insert(cursor);
            cursor = header.parent_hash;
            number -= 1;
        }
        if number != base.1 {
            return Err(JustificationError::BadAncestry);
        }
    }
    if used.len() != headers.len() {
        return Err(JustificationError::UnusedAncestry);
    }

    let chain = AncestryChain { headers };
    match finality_grandpa::validate_commit(commit, &voters, &chain) {
        Ok(result) if result.is_valid() => Ok(()),
        _ => Err(JustificationError::NotFinalizing),
    }
}
