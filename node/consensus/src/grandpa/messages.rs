//! GRANDPA's wire format: signed votes and the gossip messages that carry them.
//!
//! Votes are ed25519 signatures over Substrate's localized payload, `SCALE((message, round,
//! set_id))`, so a vote cannot be replayed in another round or another authority set. The
//! gossip enum mirrors Substrate's (`Vote` 0, `Commit` 1, `Neighbor` 2, `CatchUpRequest` 3,
//! `CatchUp` 4) and adds two Basalt messages (`HandoffRequest` 5, `Handoff` 6) with which a node
//! that missed the finalisation of a set-change block fetches its justification.
//!
//! Guarantee: [`decode_message`] never panics, refuses oversized input and trailing bytes.

use codec::{Decode, DecodeAll, Encode};
use sp_core::{ed25519, Pair as _};

use super::{CatchUp, CompactCommit, Message, Misbehaviour, RoundNumber, SetId, SignedMessage};
use basalt_support::BlockNumber;

/// The largest gossip message accepted (a catch-up for a large set stays well below it).
pub const MAX_MESSAGE_SIZE: usize = 4 << 20;

/// The bytes a voter signs: `SCALE((message, round, set_id))`, Substrate's localized payload.
pub fn localized_payload<E: Encode>(round: RoundNumber, set_id: SetId, message: &E) -> Vec<u8> {
    (message, round, set_id).encode()
}

/// Signs a vote for `round` of set `set_id`.
pub fn sign_message(
    pair: &ed25519::Pair,
    message: Message,
    round: RoundNumber,
    set_id: SetId,
) -> SignedMessage {
    let signature = pair.sign(&localized_payload(round, set_id, &message));
    SignedMessage {
        message,
        signature,
        id: pair.public(),
    }
}

/// Whether `signed` carries a valid signature by `signed.id` for `round` of set `set_id`.
/// (Membership of the voter set is checked separately.)
pub fn verify_signed_message(signed: &SignedMessage, round: RoundNumber, set_id: SetId) -> bool {
    let payload = localized_payload(round, set_id, &signed.message);
    ed25519::Pair::verify(&signed.signature, payload, &signed.id)
}

/// A vote for a round of a set, as gossiped.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct VoteMessage {
    /// The round voted in.
    pub round: RoundNumber,
    /// The authority set.
    pub set_id: SetId,
    /// The signed vote.
    pub message: SignedMessage,
}

/// A commit for a round of a set, as gossiped.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FullCommitMessage {
    /// The round the commit concludes.
    pub round: RoundNumber,
    /// The authority set.
    pub set_id: SetId,
    /// The commit.
    pub message: CompactCommit,
}

/// A node's view, sent to peers periodically and never relayed: lets peers decide to send a
/// catch-up or a handoff justification.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct NeighborPacket {
    /// The sender's current round.
    pub round: RoundNumber,
    /// The sender's current set.
    pub set_id: SetId,
    /// The sender's last finalised block number.
    pub commit_finalized_height: BlockNumber,
}

/// Versioned wrapper of [`NeighborPacket`] (Substrate's `VersionedNeighborPacket`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum VersionedNeighborPacket {
    /// Version 1.
    #[codec(index = 1)]
    V1(NeighborPacket),
}

/// Asks a peer for the votes of a round later than `round` in set `set_id`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct CatchUpRequestMessage {
    /// The requester's current round.
    pub round: RoundNumber,
    /// The requester's set.
    pub set_id: SetId,
}

/// The answer to a catch-up request.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FullCatchUpMessage {
    /// The authority set.
    pub set_id: SetId,
    /// The prevotes and precommits of a completed round.
    pub message: CatchUp,
}

/// Asks a peer for the justification of the block that ended set `set_id` (Basalt extension).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct HandoffRequest {
    /// The set the requester is stuck in.
    pub set_id: SetId,
}

/// The justification, by set `set_id`, of the block that ended that set (Basalt extension).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct HandoffMessage {
    /// The set whose last block this justifies.
    pub set_id: SetId,
    /// SCALE-encoded [`super::GrandpaJustification`].
    pub justification: Vec<u8>,
}

/// Everything GRANDPA sends over the network.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum GossipMessage {
    /// A vote.
    #[codec(index = 0)]
    Vote(VoteMessage),
    /// A commit.
    #[codec(index = 1)]
    Commit(FullCommitMessage),
    /// A neighbor packet.
    #[codec(index = 2)]
    Neighbor(VersionedNeighborPacket),
    /// A catch-up request.
    #[codec(index = 3)]
    CatchUpRequest(CatchUpRequestMessage),
    /// A catch-up.
    #[codec(index = 4)]
    CatchUp(FullCatchUpMessage),
    /// A request for a set-change justification.
    #[codec(index = 5)]
    HandoffRequest(HandoffRequest),
    /// A set-change justification.
    #[codec(index = 6)]
    Handoff(HandoffMessage),
}

/// Decodes a gossip message strictly (no trailing bytes, bounded size).
pub fn decode_message(bytes: &[u8]) -> Result<GossipMessage, Misbehaviour> {
    if bytes.len() > MAX_MESSAGE_SIZE {
        return Err(Misbehaviour::Oversized);
    }
    let mut input = bytes;
    GossipMessage::decode_all(&mut input).map_err(|_| Misbehaviour::Undecodable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grandpa::Prevote;
    use basalt_support::H256;

    #[test]
    fn payload_is_message_round_set() {
        let message = Message::Prevote(Prevote::new(H256::repeat_byte(1), 7));
        let payload = localized_payload(3, 2, &message);
        let mut expected = vec![0u8];
        expected.extend([1u8; 32]);
        expected.extend(7u32.to_le_bytes());
        expected.extend(3u64.to_le_bytes());
        expected.extend(2u64.to_le_bytes());
        assert_eq!(payload, expected);
    }

    #[test]
    fn signatures_bind_round_and_set() {
        let pair = ed25519::Pair::from_seed(&[3; 32]);
        let message = Message::Prevote(Prevote::new(H256::repeat_byte(1), 7));
        let signed = sign_message(&pair, message, 3, 2);
        assert!(verify_signed_message(&signed, 3, 2));
        assert!(!verify_signed_message(&signed, 4, 2));
        assert!(!verify_signed_message(&signed, 3, 1));
        let mut forged = signed.clone();
        forged.id = ed25519::Pair::from_seed(&[4; 32]).public();
        assert!(!verify_signed_message(&forged, 3, 2));
    }

    #[test]
    fn gossip_roundtrip_and_garbage() {
        let pair = ed25519::Pair::from_seed(&[3; 32]);
        let vote = GossipMessage::Vote(VoteMessage {
            round: 1,
            set_id: 0,
            message: sign_message(
                &pair,
                Message::Prevote(Prevote::new(H256::repeat_byte(1), 7)),
                1,
                0,
            ),
        });
        let bytes = vote.encode();
        assert_eq!(bytes[0], 0);
        assert_eq!(decode_message(&bytes), Ok(vote));
        let neighbor = GossipMessage::Neighbor(VersionedNeighborPacket::V1(NeighborPacket {
            round: 1,
            set_id: 2,
            commit_finalized_height: 3,
        }));
        assert_eq!(&neighbor.encode()[..2], &[2, 1]);
        assert_eq!(decode_message(&[]), Err(Misbehaviour::Undecodable));
        assert_eq!(decode_message(&[9, 1, 2]), Err(Misbehaviour::Undecodable));
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(decode_message(&trailing), Err(Misbehaviour::Undecodable));
        assert_eq!(
            decode_message(&vec![0u8; MAX_MESSAGE_SIZE + 1]),
            Err(Misbehaviour::Oversized)
        );
        // A commit claiming a billion precommits fails cleanly.
        let mut huge = vec![1u8];
        huge.extend(1u64.to_le_bytes());
        huge.extend(0u64.to_le_bytes());
        huge.extend([0u8; 32]);
        huge.extend(1u32.to_le_bytes());
        huge.extend([0x03, 0xff, 0xff, 0xff, 0x3f]);
        assert_eq!(decode_message(&huge), Err(Misbehaviour::Undecodable));
    }
}
