//! The header digest: consensus and runtime logs attached to a block.
//!
//! Aura puts its slot in a `PreRuntime` item and its block signature in a final `Seal`;
//! GRANDPA announces authority changes in `Consensus` items. Clients decode these items
//! (SCALE indices 6, 4, 5, 0, 8) from the header JSON, where each one travels as the hex of its
//! SCALE encoding, and find the type in metadata at `sp_runtime::generic::digest::DigestItem`.

use codec::{Decode, DecodeAll, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Four bytes naming a consensus engine, e.g. `*b"aura"` or `*b"FRNK"`.
pub type ConsensusEngineId = [u8; 4];

/// One log of a header's digest.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "sp_runtime"))]
pub enum DigestItem {
    /// Data the block author provides to the runtime before execution (Aura's slot).
    #[codec(index = 6)]
    PreRuntime(ConsensusEngineId, Vec<u8>),
    /// A message from the runtime to a consensus engine (GRANDPA's authority set changes).
    #[codec(index = 4)]
    Consensus(ConsensusEngineId, Vec<u8>),
    /// The author's seal over the rest of the header; always the last item.
    #[codec(index = 5)]
    Seal(ConsensusEngineId, Vec<u8>),
    /// Anything else.
    #[codec(index = 0)]
    Other(Vec<u8>),
    /// Tells clients the runtime's code or heap pages changed, so they refetch metadata.
    #[codec(index = 8)]
    RuntimeEnvironmentUpdated,
}

impl DigestItem {
    /// The engine id and payload of a `PreRuntime` item.
    pub fn as_pre_runtime(&self) -> Option<(ConsensusEngineId, &[u8])> {
        match self {
            DigestItem::PreRuntime(id, data) => Some((*id, data)),
            _ => None,
        }
    }

    /// The engine id and payload of a `Consensus` item.
    pub fn as_consensus(&self) -> Option<(ConsensusEngineId, &[u8])> {
        match self {
            DigestItem::Consensus(id, data) => Some((*id, data)),
            _ => None,
        }
    }

    /// The engine id and signature of a `Seal` item.
    pub fn as_seal(&self) -> Option<(ConsensusEngineId, &[u8])> {
        match self {
            DigestItem::Seal(id, data) => Some((*id, data)),
            _ => None,
        }
    }
}

/// Serialised as `"0x"` + hex of the item's SCALE encoding, as Substrate's RPC does.
impl Serialize for DigestItem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        sp_core::bytes::serialize(&self.encode(), serializer)
    }
}

impl<'de> Deserialize<'de> for DigestItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes = sp_core::bytes::deserialize(deserializer)?;
        DigestItem::decode_all(&mut &bytes[..]).map_err(serde::de::Error::custom)
    }
}

/// All logs of a header, in order.
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
#[serde(deny_unknown_fields)]
pub struct Digest {
    /// The logs, in the order they were deposited; a seal, if any, is last.
    pub logs: Vec<DigestItem>,
}

impl Digest {
    /// Appends a log.
    pub fn push(&mut self, item: DigestItem) {
        self.logs.push(item);
    }

    /// The logs, in order.
    pub fn logs(&self) -> &[DigestItem] {
        &self.logs
    }

    /// The payload of the first `PreRuntime` item of `engine` (Aura's encoded slot).
    pub fn pre_runtime(&self, engine: ConsensusEngineId) -> Option<&[u8]> {
        self.logs
            .iter()
            .filter_map(DigestItem::as_pre_runtime)
            .find(|(id, _)| *id == engine)
            .map(|(_, data)| data)
    }

    /// Decodes the first `PreRuntime` payload of `engine` as `T`, strictly (no trailing
    /// bytes); `None` if absent or malformed.
    pub fn pre_runtime_as<T: Decode>(&self, engine: ConsensusEngineId) -> Option<T> {
        let mut data = self.pre_runtime(engine)?;
        T::decode_all(&mut data).ok()
    }

    /// The payloads of every `Consensus` item of `engine`, in order.
    pub fn consensus(&self, engine: ConsensusEngineId) -> impl Iterator<Item = &[u8]> + '_ {
        self.logs
            .iter()
            .filter_map(DigestItem::as_consensus)
            .filter(move |(id, _)| *id == engine)
            .map(|(_, data)| data)
    }

    /// The signature of the first `Seal` item of `engine`.
    pub fn seal(&self, engine: ConsensusEngineId) -> Option<&[u8]> {
        self.logs
            .iter()
            .filter_map(DigestItem::as_seal)
            .find(|(id, _)| *id == engine)
            .map(|(_, data)| data)
    }

    /// Removes and returns the seal if it is the last log, leaving the digest the author
    /// signed; otherwise leaves the digest untouched and returns `None`.
    pub fn pop_seal(&mut self) -> Option<(ConsensusEngineId, Vec<u8>)> {
        match self.logs.last() {
            Some(DigestItem::Seal(..)) => match self.logs.pop() {
                Some(DigestItem::Seal(id, signature)) => Some((id, signature)),
                _ => None,
            },
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generic::test_json::to_json;
    use scale_info::{PortableRegistry, Registry, TypeDef};

    fn sample() -> Digest {
        Digest {
            logs: vec![
                DigestItem::PreRuntime(*b"aura", 7u64.encode()),
                DigestItem::Consensus(*b"FRNK", vec![1, 2]),
                DigestItem::Other(vec![9]),
                DigestItem::RuntimeEnvironmentUpdated,
                DigestItem::Seal(*b"aura", vec![0xaa; 64]),
            ],
        }
    }

    #[test]
    fn items_use_substrate_indices() {
        assert_eq!(
            DigestItem::PreRuntime(*b"aura", vec![1]).encode(),
            vec![6, b'a', b'u', b'r', b'a', 4, 1]
        );
        assert_eq!(
            DigestItem::Consensus(*b"FRNK", vec![]).encode(),
            vec![4, b'F', b'R', b'N', b'K', 0]
        );
        assert_eq!(DigestItem::Seal(*b"aura", vec![]).encode()[0], 5);
        assert_eq!(DigestItem::Other(vec![3]).encode(), vec![0, 4, 3]);
        assert_eq!(DigestItem::RuntimeEnvironmentUpdated.encode(), vec![8]);
        assert!(DigestItem::decode(&mut &[7u8, 0][..]).is_err());
        let digest = sample();
        assert_eq!(Digest::decode(&mut &digest.encode()[..]), Ok(digest));
    }

    #[test]
    fn decodes_a_real_aura_log() {
        // A PreRuntime(aura, slot) log from a live Substrate chain's header JSON.
        let bytes = sp_core::bytes::from_hex("0x066175726120f88e5ee100000000").expect("hex");
        let item = DigestItem::decode_all(&mut &bytes[..]).expect("decodes");
        let digest = Digest { logs: vec![item] };
        assert_eq!(digest.pre_runtime_as::<u64>(*b"aura"), Some(0xe15e_8ef8));
        assert_eq!(digest.pre_runtime_as::<u32>(*b"aura"), None);
        assert_eq!(digest.pre_runtime(*b"BABE"), None);
    }

    #[test]
    fn finders_and_pop_seal() {
        let mut digest = sample();
        assert_eq!(digest.pre_runtime_as::<u64>(*b"aura"), Some(7));
        assert_eq!(
            digest.consensus(*b"FRNK").collect::<Vec<_>>(),
            vec![&[1u8, 2][..]]
        );
        assert_eq!(digest.seal(*b"aura"), Some(&[0xaa; 64][..]));
        assert_eq!(digest.seal(*b"BABE"), None);

        assert_eq!(digest.pop_seal(), Some((*b"aura", vec![0xaa; 64])));
        assert_eq!(digest.logs().len(), 4);
        // The last item is no longer a seal: nothing is popped.
        assert_eq!(digest.pop_seal(), None);
        assert_eq!(digest.logs().len(), 4);
        assert_eq!(Digest::default().pop_seal(), None);
    }

    #[test]
    fn json_is_hex_of_each_item() {
        let digest = Digest {
            logs: vec![
                DigestItem::PreRuntime(*b"aura", vec![1]),
                DigestItem::RuntimeEnvironmentUpdated,
            ],
        };
        assert_eq!(to_json(&digest), r#"{"logs":["0x06617572610401","0x08"]}"#);
        assert_eq!(to_json(&Digest::default()), r#"{"logs":[]}"#);
    }

    #[test]
    fn type_info_paths() {
        let mut registry = Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<Digest>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered type resolves");
        assert_eq!(
            ty.path.segments,
            vec!["sp_runtime", "generic", "digest", "Digest"]
        );
        let item = portable
            .types
            .iter()
            .find(|t| t.ty.path.segments.last().map(String::as_str) == Some("DigestItem"))
            .expect("DigestItem registered");
        assert_eq!(
            item.ty.path.segments,
            vec!["sp_runtime", "generic", "digest", "DigestItem"]
        );
        let TypeDef::Variant(variants) = &item.ty.type_def else {
            panic!("DigestItem must be a variant type");
        };
        let shape: Vec<(&str, u8)> = variants
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.index))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("PreRuntime", 6),
                ("Consensus", 4),
                ("Seal", 5),
                ("Other", 0),
                ("RuntimeEnvironmentUpdated", 8)
            ]
        );
    }
}
