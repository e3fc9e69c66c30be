//! The block header, whose SCALE encoding's blake2-256 is the block hash.
//!
//! Clients recompute block hashes from the header the node serves (for mortal transactions
//! they sign over the birth block's hash), so field order, the compact block number and the
//! JSON shape (`parentHash`, `number` as hex without leading zeros, `stateRoot`,
//! `extrinsicsRoot`, `digest.logs`) must be Substrate's exactly.

use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::digest::Digest;
use crate::primitives::{hashing::blake2_256, BlockNumber, H256};

/// A block header.
#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    Serialize,
    Deserialize,
)]
#[scale_info(replace_segment("basalt_support", "sp_runtime"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Header {
    /// The hash of the parent block (zero for the genesis block).
    pub parent_hash: H256,
    /// The block's height, compact-encoded.
    #[codec(compact)]
    #[serde(
        serialize_with = "serialize_number",
        deserialize_with = "deserialize_number"
    )]
    pub number: BlockNumber,
    /// The root of the state trie after executing this block.
    pub state_root: H256,
    /// The ordered trie root of the block's extrinsics.
    pub extrinsics_root: H256,
    /// Consensus and runtime logs.
    pub digest: Digest,
}

impl Header {
    /// Builds a header; the argument order follows Substrate's `Header::new`.
    pub fn new(
        number: BlockNumber,
        extrinsics_root: H256,
        state_root: H256,
        parent_hash: H256,
        digest: Digest,
    ) -> Self {
        Header {
            parent_hash,
            number,
            state_root,
            extrinsics_root,
            digest,
        }
    }

    /// The block hash: blake2-256 of the header's SCALE encoding.
    pub fn hash(&self) -> H256 {
        H256(blake2_256(&self.encode()))
    }
}

/// The number as `"0x"` + lowercase hex without leading zeros (`"0x0"` for genesis), as
/// Substrate serialises it (through `U256`).
fn serialize_number<S: Serializer>(number: &BlockNumber, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{number:#x}"))
}

/// Accepts a `"0x.."` hex string (what Substrate sends) or a plain JSON integer.
fn deserialize_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BlockNumber, D::Error> {
    struct NumberVisitor;

    impl de::Visitor<'_> for NumberVisitor {
        type Value = BlockNumber;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a block number as a 0x-prefixed hex string or an integer")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<BlockNumber, E> {
            let digits = value
                .strip_prefix("0x")
                .ok_or_else(|| E::custom("block number must start with 0x"))?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(E::custom("block number is not hex"));
            }
            BlockNumber::from_str_radix(digits, 16).map_err(E::custom)
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<BlockNumber, E> {
            BlockNumber::try_from(value).map_err(E::custom)
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<BlockNumber, E> {
            BlockNumber::try_from(value).map_err(E::custom)
        }
    }

    deserializer.deserialize_any(NumberVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generic::digest::DigestItem;
    use crate::generic::test_json::to_json;
    use codec::DecodeAll;
    use scale_info::{PortableRegistry, Registry};
    use serde::de::{value::Error as ValueError, IntoDeserializer};

    fn h256(hex: &str) -> H256 {
        let bytes = sp_core::bytes::from_hex(hex).expect("hex");
        H256::from_slice(&bytes)
    }

    fn bytes(hex: &str) -> Vec<u8> {
        sp_core::bytes::from_hex(hex).expect("hex")
    }

    #[test]
    fn polkadot_genesis_header_hash() {
        let header = Header::new(
            0,
            h256("0x03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314"),
            h256("0x29d0d972cd27cbc511e9589fcb7a4506d5eb6a9e8df205f00472e5ab354a4e17"),
            H256::zero(),
            Digest::default(),
        );
        assert_eq!(
            header.hash(),
            h256("0x91b171bb158e2d3848fa23a9f1c25182fb8e20313b2c1eb49219da7a70ce90c3")
        );
    }

    /// A header served by a live Aura/GRANDPA Substrate chain (block 0x9e6b8), with its
    /// pre-runtime slot and seal.
    fn live_header() -> Header {
        Header {
            parent_hash: h256("0x58f695d121e59758daabc104e11562b150be9a55dad690e0888b2183e983f750"),
            number: 0x9e6b8,
            state_root: h256("0x55560f01595557360b71710ff25f2598c24eccfd36414c56479afdd63f4cb76f"),
            extrinsics_root: h256(
                "0xddbd663c7365766e04684c547614019c98463ca153ff9de26161a4d44418f2fe",
            ),
            digest: Digest {
                logs: [
                    "0x066175726120f88e5ee100000000",
                    "0x056175726101018ae5c8c9449bb4dcce12dcb52ae0ac10b4718a5c5a67a99244e77e\
                     5598899d1efc6b40e8c0b2bf9d6527ebd260dfff7e1f7d9fda2209a9623c238774126b198e",
                ]
                .iter()
                .map(|hex| DigestItem::decode_all(&mut &bytes(hex)[..]).expect("log decodes"))
                .collect(),
            },
        }
    }

    #[test]
    fn live_header_hash() {
        assert_eq!(
            live_header().hash(),
            h256("0x67b5ddfeb077a2f6e0bbfa5d9e134940aaaacec8ea12ff3b8b007efb046bc011")
        );
    }

    #[test]
    fn scale_roundtrip_with_compact_number() {
        let header = live_header();
        let encoded = header.encode();
        // parent hash, then the compact number (0x9e6b8 needs the 4-byte mode).
        assert_eq!(&encoded[32..36], &((0x9e6b8u32 << 2) | 0b10).to_le_bytes());
        assert_eq!(Header::decode_all(&mut &encoded[..]), Ok(header));
        assert!(Header::decode_all(&mut &encoded[..encoded.len() - 1]).is_err());
    }

    #[test]
    fn json_shape() {
        let header = Header {
            number: 0x1a,
            ..Header::default()
        };
        let zero = format!("\"0x{}\"", "00".repeat(32));
        assert_eq!(
            to_json(&header),
            format!(
                r#"{{"parentHash":{zero},"number":"0x1a","stateRoot":{zero},"extrinsicsRoot":{zero},"digest":{{"logs":[]}}}}"#
            )
        );
        let genesis = Header::default();
        assert!(to_json(&genesis).contains(r#""number":"0x0""#));
    }

    #[test]
    fn number_deserializes_from_hex_or_integer() {
        let parse =
            |s: &str| deserialize_number(IntoDeserializer::<ValueError>::into_deserializer(s));
        assert_eq!(parse("0x1a"), Ok(26));
        assert_eq!(parse("0x0"), Ok(0));
        assert_eq!(parse("0x0001"), Ok(1));
        assert_eq!(parse("0xffffffff"), Ok(u32::MAX));
        assert!(parse("0x100000000").is_err());
        assert!(parse("26").is_err());
        assert!(parse("0x").is_err());
        assert!(parse("0x+1").is_err());
        let int = deserialize_number(IntoDeserializer::<ValueError>::into_deserializer(26u64));
        assert_eq!(int, Ok(26));
        let big = deserialize_number(IntoDeserializer::<ValueError>::into_deserializer(
            1u64 << 40,
        ));
        assert!(big.is_err());
    }

    #[test]
    fn type_info_path() {
        let mut registry = Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<Header>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered type resolves");
        assert_eq!(
            ty.path.segments,
            vec!["sp_runtime", "generic", "header", "Header"]
        );
    }
}
