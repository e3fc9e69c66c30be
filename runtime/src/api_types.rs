//! Types that only runtime API calls carry: what `state_call` decodes and encodes besides the
//! chain's own types, with the SCALE layout of their Substrate counterparts.

use crate::UncheckedExtrinsic;
use basalt_support::generic::Header;
use codec::{Decode, Encode};
use scale_info::{build::Fields, meta_type, Path, Type, TypeInfo, TypeParameter};
use std::collections::BTreeMap;

/// The inherent identifier of the timestamp (`sp_timestamp::INHERENT_IDENTIFIER`).
pub const TIMESTAMP_INHERENT_ID: [u8; 8] = *b"timstap0";

/// How far ahead of the node's clock a block's timestamp may be (Substrate's 30 s).
pub const MAX_TIMESTAMP_DRIFT_MS: u64 = 30_000;

/// Encoded metadata, as `sp_core::OpaqueMetadata`: a `Vec<u8>`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct OpaqueMetadata(pub Vec<u8>);

impl TypeInfo for OpaqueMetadata {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("OpaqueMetadata", "sp_core"))
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>().type_name("Vec<u8>")))
    }
}

/// Data the block author provides for inherents, as `sp_inherents::InherentData`: values keyed
/// by 8-byte identifiers (`b"timstap0"`: the timestamp, a SCALE `u64` of milliseconds).
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct InherentData {
    /// The encoded inherent values.
    pub data: BTreeMap<[u8; 8], Vec<u8>>,
}

impl InherentData {
    /// Inherent data carrying only a timestamp.
    pub fn with_timestamp(now_ms: u64) -> Self {
        let mut data = BTreeMap::new();
        data.insert(TIMESTAMP_INHERENT_ID, now_ms.encode());
        InherentData { data }
    }

    /// The timestamp, if present and well-formed.
    pub fn timestamp(&self) -> Option<u64> {
        let bytes = self.data.get(&TIMESTAMP_INHERENT_ID)?;
        codec::DecodeAll::decode_all(&mut &bytes[..]).ok()
    }
}

impl TypeInfo for InherentData {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("InherentData", "sp_inherents"))
            .composite(Fields::named().field(|f| {
                f.ty::<BTreeMap<[u8; 8], Vec<u8>>>()
                    .name("data")
                    .type_name("BTreeMap")
            }))
    }
}

/// The answer of `BlockBuilder_check_inherents`, as `sp_inherents::CheckInherentsResult`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct CheckInherentsResult {
    /// Whether every inherent checked out.
    pub okay: bool,
    /// Whether an error is fatal (the block must be rejected).
    pub fatal_error: bool,
    /// The errors, keyed by inherent identifier.
    pub errors: InherentData,
}

impl TypeInfo for CheckInherentsResult {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("CheckInherentsResult", "sp_inherents"))
            .composite(
                Fields::named()
                    .field(|f| f.ty::<bool>().name("okay").type_name("bool"))
                    .field(|f| f.ty::<bool>().name("fatal_error").type_name("bool"))
                    .field(|f| {
                        f.ty::<InherentData>()
                            .name("errors")
                            .type_name("InherentData")
                    }),
            )
    }
}

/// Only describes `sp_runtime::generic::block::Block<Header, UncheckedExtrinsic>` in metadata;
/// blocks themselves are [`basalt_support::generic::Block`], which has the same encoding.
pub struct BlockType;

impl TypeInfo for BlockType {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("Block", "sp_runtime::generic::block"))
            .type_params(vec![
                TypeParameter::new("Header", Some(meta_type::<Header>())),
                TypeParameter::new("Extrinsic", Some(meta_type::<UncheckedExtrinsic>())),
            ])
            .composite(
                Fields::named()
                    .field(|f| f.ty::<Header>().name("header").type_name("Header"))
                    .field(|f| {
                        f.ty::<Vec<UncheckedExtrinsic>>()
                            .name("extrinsics")
                            .type_name("Vec<Extrinsic>")
                    }),
            )
    }
}
