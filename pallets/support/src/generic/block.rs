//! Blocks as stored, gossiped and served by `chain_getBlock`.
//!
//! A block is a header and its extrinsics, kept opaque so that the node can move blocks
//! without knowing the runtime's call type. The header commits to the extrinsics through
//! `extrinsics_root`, the ordered trie root (Substrate layout V1, blake2-256) of their full
//! encodings, which clients and other Substrate tooling may recompute.

use codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use sp_core::Blake2Hasher;
use sp_trie::LayoutV1;
use trie_db::TrieConfiguration;

use super::digest::ConsensusEngineId;
use super::header::Header;
use super::unchecked_extrinsic::OpaqueExtrinsic;
use crate::primitives::H256;

/// A block: its header and the extrinsics it executed, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// The header; its hash is the block's hash.
    pub header: Header,
    /// The extrinsics, each serialised over RPC as the hex of its full encoding.
    pub extrinsics: Vec<OpaqueExtrinsic>,
}

impl Block {
    /// The block hash (the header's hash).
    pub fn hash(&self) -> H256 {
        self.header.hash()
    }

    /// The extrinsics root these extrinsics commit to; equal to `header.extrinsics_root` in a
    /// valid block.
    pub fn compute_extrinsics_root(&self) -> H256 {
        extrinsics_root(&self.extrinsics)
    }
}

/// A finality proof of one consensus engine: its id and the engine-specific encoded proof
/// (for GRANDPA, `*b"FRNK"` and an encoded commit).
pub type Justification = (ConsensusEngineId, Vec<u8>);

/// A block with the finality proofs known for it; what `chain_getBlock` returns.
///
/// JSON is Substrate's serde default: `{"block":{..},"justifications":null}` or
/// `"justifications":[[[70,82,78,75],[..bytes..]]]` (engine id and proof as arrays of numbers,
/// as live Substrate nodes send them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBlock {
    /// The block.
    pub block: Block,
    /// Finality proofs, if the block is finalized and a proof was kept.
    pub justifications: Option<Vec<Justification>>,
}

/// The ordered trie root of `extrinsics` (keys `Compact(index)`, values the full encodings),
/// Substrate layout V1 with blake2-256: the header's `extrinsics_root`.
pub fn extrinsics_root(extrinsics: &[OpaqueExtrinsic]) -> H256 {
    LayoutV1::<Blake2Hasher>::ordered_trie_root(extrinsics.iter().map(OpaqueExtrinsic::encode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generic::test_json::to_json;
    use crate::primitives::hashing::blake2_256;
    use codec::DecodeAll;

    fn h256(hex: &str) -> H256 {
        H256::from_slice(&sp_core::bytes::from_hex(hex).expect("hex"))
    }

    fn live_timestamp() -> OpaqueExtrinsic {
        OpaqueExtrinsic::from_bytes(
            &sp_core::bytes::from_hex("0x280404000bf04f37288c01").expect("hex"),
        )
        .expect("decodes")
    }

    #[test]
    fn empty_extrinsics_root_is_substrates() {
        // blake2_256 of the empty trie node [0]: every empty Substrate block's extrinsics root.
        let root = extrinsics_root(&[]);
        assert_eq!(
            root,
            h256("0x03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314")
        );
        assert_eq!(root, H256(blake2_256(&[0])));
    }

    #[test]
    fn live_block_extrinsics_root() {
        // A live block holding only the timestamp inherent, and the root its header carries.
        assert_eq!(
            extrinsics_root(&[live_timestamp()]),
            h256("0xddbd663c7365766e04684c547614019c98463ca153ff9de26161a4d44418f2fe")
        );
    }

    #[test]
    fn root_depends_on_order_and_content() {
        let a = OpaqueExtrinsic::from_body(vec![4, 0, 0]);
        let b = OpaqueExtrinsic::from_body(vec![4, 0, 1]);
        let ab = extrinsics_root(&[a.clone(), b.clone()]);
        assert_ne!(ab, extrinsics_root(&[b.clone(), a.clone()]));
        assert_ne!(ab, extrinsics_root(std::slice::from_ref(&a)));
        // Values over 32 bytes are hashed into the trie (V1 layout); still deterministic.
        let big = OpaqueExtrinsic::from_body(vec![4; 100]);
        assert_eq!(
            extrinsics_root(&[big.clone(), a.clone()]),
            extrinsics_root(&[big, a])
        );
    }

    #[test]
    fn block_scale_roundtrip() {
        let block = Block {
            header: Header {
                number: 3,
                ..Header::default()
            },
            extrinsics: vec![live_timestamp(), OpaqueExtrinsic::from_body(vec![4, 1])],
        };
        let encoded = block.encode();
        // Header, then compact count, then each full extrinsic encoding.
        let mut expected = block.header.encode();
        expected.push(2 << 2);
        expected.extend(live_timestamp().to_full_bytes());
        expected.extend([2 << 2, 4, 1]);
        assert_eq!(encoded, expected);
        assert_eq!(Block::decode_all(&mut &encoded[..]), Ok(block.clone()));
        assert_eq!(block.hash(), block.header.hash());

        let signed = SignedBlock {
            block,
            justifications: Some(vec![(*b"FRNK", vec![1, 2, 3])]),
        };
        assert_eq!(
            SignedBlock::decode_all(&mut &signed.encode()[..]),
            Ok(signed)
        );
    }

    #[test]
    fn json_shape() {
        let mut block = Block {
            header: Header::default(),
            extrinsics: vec![live_timestamp()],
        };
        block.header.extrinsics_root = block.compute_extrinsics_root();
        let header_json = to_json(&block.header);
        let signed = SignedBlock {
            block: block.clone(),
            justifications: None,
        };
        assert_eq!(
            to_json(&signed),
            format!(
                r#"{{"block":{{"header":{header_json},"extrinsics":["0x280404000bf04f37288c01"]}},"justifications":null}}"#
            )
        );
        let finalized = SignedBlock {
            block,
            justifications: Some(vec![(*b"FRNK", vec![3, 0, 198])]),
        };
        assert!(to_json(&finalized).ends_with(r#""justifications":[[[70,82,78,75],[3,0,198]]]}"#));
    }
}
