//! Runtime metadata V14 and V15, built from the pallets' own descriptions.
//!
//! Stock clients (py-substrate-interface, @polkadot/api, subxt) learn everything from these
//! bytes: the pallets with their calls, events, errors, storage and constants, the extrinsic
//! format with its signed extensions, and (V15) the runtime APIs and outer enums. V14 is what
//! `state_getMetadata` and `Metadata_metadata` serve (py-substrate-interface reads only V14);
//! V15 is served through `Metadata_metadata_at_version(15)`.
//!
//! Both encodings are built once per process and cached; they are `b"meta"` ++ version byte ++
//! the SCALE-encoded `RuntimeMetadataV14`/`V15` (frame-metadata's `RuntimeMetadataPrefixed`).

use crate::api::{FeeDetails, RuntimeDispatchInfo};
use crate::api_types::{BlockType, CheckInherentsResult, InherentData, OpaqueMetadata};
use crate::executive::ExtrinsicInclusionMode;
use crate::extensions::{self, SignedExtra};
use crate::{Runtime, RuntimeCall, RuntimeError, RuntimeEvent, UncheckedExtrinsic};
use basalt_support::generic::{ExtrinsicAddress, Header};
use basalt_support::metadata::PalletDescription;
use basalt_support::multisig::MultiSignature;
use basalt_support::validity::{ApplyExtrinsicResult, TransactionSource, TransactionValidity};
use basalt_support::version::RuntimeVersion;
use basalt_support::{AccountId, Balance, Nonce, Weight, H256};
use codec::Encode;
use frame_metadata::v15::{
    CustomMetadata, OuterEnums, RuntimeApiMetadata, RuntimeApiMethodMetadata,
    RuntimeApiMethodParamMetadata,
};
use frame_metadata::{v14, v15, RuntimeMetadata, RuntimeMetadataPrefixed, META_RESERVED};
use scale_info::{meta_type, MetaType};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The metadata versions this runtime serves, oldest first.
pub const VERSIONS: [u32; 2] = [14, 15];

/// Metadata V14, prefixed with `b"meta"`: the answer of `state_getMetadata`.
pub fn v14_bytes() -> &'static [u8] {
    static CACHE: OnceLock<Vec<u8>> = OnceLock::new();
    CACHE.get_or_init(|| {
        RuntimeMetadataPrefixed(META_RESERVED, RuntimeMetadata::V14(build_v14())).encode()
    })
}

/// Metadata V15, prefixed with `b"meta"`: the answer of `Metadata_metadata_at_version(15)`.
pub fn v15_bytes() -> &'static [u8] {
    static CACHE: OnceLock<Vec<u8>> = OnceLock::new();
    CACHE.get_or_init(|| {
        RuntimeMetadataPrefixed(META_RESERVED, RuntimeMetadata::V15(build_v15())).encode()
    })
}

/// The metadata of `version`, if served.
pub fn at_version(version: u32) -> Option<&'static [u8]> {
    match version {
        14 => Some(v14_bytes()),
        15 => Some(v15_bytes()),
        _ => None,
    }
}

/// Every pallet's description with its runtime index, in index order.
fn pallets() -> Vec<(u8, PalletDescription)> {
    crate::pallet_descriptions()
}

/// Metadata V14 of this runtime.
pub fn build_v14() -> v14::RuntimeMetadataV14 {
    let pallets = pallets()
        .iter()
        .map(|(index, p)| p.to_v14(*index))
        .collect();
    let extrinsic = v14::ExtrinsicMetadata {
        ty: meta_type::<UncheckedExtrinsic>(),
        version: basalt_support::generic::EXTRINSIC_FORMAT_VERSION,
        signed_extensions: extensions::metadata(),
    };
    v14::RuntimeMetadataV14::new(pallets, extrinsic, meta_type::<Runtime>())
}

/// Metadata V15 of this runtime.
pub fn build_v15() -> v15::RuntimeMetadataV15 {
    let pallets = pallets()
        .iter()
        .map(|(index, p)| p.to_v15(*index))
        .collect();
    let extrinsic = v15::ExtrinsicMetadata {
        version: basalt_support::generic::EXTRINSIC_FORMAT_VERSION,
        address_ty: meta_type::<ExtrinsicAddress>(),
        call_ty: meta_type::<RuntimeCall>(),
        signature_ty: meta_type::<MultiSignature>(),
        extra_ty: meta_type::<SignedExtra>(),
        signed_extensions: extensions::metadata()
            .into_iter()
            .map(|e| v15::SignedExtensionMetadata {
                identifier: e.identifier,
                ty: e.ty,
                additional_signed: e.additional_signed,
            })
            .collect(),
    };
    let outer_enums = OuterEnums {
        call_enum_ty: meta_type::<RuntimeCall>(),
        event_enum_ty: meta_type::<RuntimeEvent>(),
        error_enum_ty: meta_type::<RuntimeError>(),
    };
    v15::RuntimeMetadataV15::new(
        pallets,
        extrinsic,
        meta_type::<Runtime>(),
        runtime_apis(),
        outer_enums,
        CustomMetadata {
            map: BTreeMap::new(),
        },
    )
}

fn method(
    name: &'static str,
    inputs: &[(&'static str, MetaType)],
    output: MetaType,
    doc: &'static str,
) -> RuntimeApiMethodMetadata {
    RuntimeApiMethodMetadata {
        name,
        inputs: inputs
            .iter()
            .map(|(name, ty)| RuntimeApiMethodParamMetadata {
                name: *name,
                ty: *ty,
            })
            .collect(),
        output,
        docs: vec![doc],
    }
}

fn api(
    name: &'static str,
    methods: Vec<RuntimeApiMethodMetadata>,
    doc: &'static str,
) -> RuntimeApiMetadata {
    RuntimeApiMetadata {
        name,
        methods,
        docs: vec![doc],
    }
}

/// The runtime APIs [`crate::api::state_call`] serves, with their methods' input names and
/// types as Substrate declares them.
fn runtime_apis() -> Vec<RuntimeApiMetadata> {
    let xt = meta_type::<UncheckedExtrinsic>;
    vec![
        api(
            "Core",
            vec![
                method("version", &[], meta_type::<RuntimeVersion>(), " Returns the version of the runtime."),
                method("execute_block", &[("block", meta_type::<BlockType>())], meta_type::<()>(), " Execute the given block."),
                method(
                    "initialize_block",
                    &[("header", meta_type::<Header>())],
                    meta_type::<ExtrinsicInclusionMode>(),
                    " Initialize a block with the given header and return the runtime executive mode.",
                ),
            ],
            " The `Core` runtime api that every Substrate runtime needs to implement.",
        ),
        api(
            "Metadata",
            vec![
                method("metadata", &[], meta_type::<OpaqueMetadata>(), " Returns the metadata of a runtime."),
                method(
                    "metadata_at_version",
                    &[("version", meta_type::<u32>())],
                    meta_type::<Option<OpaqueMetadata>>(),
                    " Returns the metadata at a given version.",
                ),
                method("metadata_versions", &[], meta_type::<Vec<u32>>(), " Returns the supported metadata versions."),
            ],
            " The `Metadata` api trait that returns metadata for the runtime.",
        ),
        api(
            "BlockBuilder",
            vec![
                method(
                    "apply_extrinsic",
                    &[("extrinsic", xt())],
                    meta_type::<ApplyExtrinsicResult>(),
                    " Apply the given extrinsic.",
                ),
                method("finalize_block", &[], meta_type::<Header>(), " Finish the current block."),
                method(
                    "inherent_extrinsics",
                    &[("inherent", meta_type::<InherentData>())],
                    meta_type::<Vec<UncheckedExtrinsic>>(),
                    " Generate inherent extrinsics.",
                ),
                method(
                    "check_inherents",
                    &[("block", meta_type::<BlockType>()), ("data", meta_type::<InherentData>())],
                    meta_type::<CheckInherentsResult>(),
                    " Check that the inherents are valid.",
                ),
            ],
            " The `BlockBuilder` api trait that provides the required functionality for building a block.",
        ),
        api(
            "TaggedTransactionQueue",
            vec![method(
                "validate_transaction",
                &[("source", meta_type::<TransactionSource>()), ("tx", xt()), ("block_hash", meta_type::<H256>())],
                meta_type::<TransactionValidity>(),
                " Validate the transaction.",
            )],
            " The `TaggedTransactionQueue` api trait for interfering with the transaction queue.",
        ),
        api(
            "AccountNonceApi",
            vec![method(
                "account_nonce",
                &[("account", meta_type::<AccountId>())],
                meta_type::<Nonce>(),
                " Get current account nonce of given `AccountId`.",
            )],
            " The API to query account nonce.",
        ),
        api(
            "TransactionPaymentApi",
            vec![
                method(
                    "query_info",
                    &[("uxt", xt()), ("len", meta_type::<u32>())],
                    meta_type::<RuntimeDispatchInfo>(),
                    " The weight, class and fee of an extrinsic of the given length.",
                ),
                method(
                    "query_fee_details",
                    &[("uxt", xt()), ("len", meta_type::<u32>())],
                    meta_type::<FeeDetails>(),
                    " The parts of the fee of an extrinsic of the given length.",
                ),
                method(
                    "query_weight_to_fee",
                    &[("weight", meta_type::<Weight>())],
                    meta_type::<Balance>(),
                    " The fee of a weight.",
                ),
                method(
                    "query_length_to_fee",
                    &[("length", meta_type::<u32>())],
                    meta_type::<Balance>(),
                    " The fee of a length in bytes.",
                ),
            ],
            " The fees of extrinsics.",
        ),
        api(
            "JobsApi",
            vec![method(
                "pending_work",
                &[("provider", meta_type::<AccountId>())],
                meta_type::<Vec<pallet_jobs::PendingWork>>(),
                " The jobs the provider must commit or reveal now, with their deadlines.",
            )],
            " What a compute provider's worker asks the chain.",
        ),
    ]
}
