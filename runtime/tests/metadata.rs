//! Metadata V14 and V15 decode with frame-metadata and describe what stock clients look for.

use basalt_runtime::{api, metadata};
use codec::{Decode, DecodeAll};
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use scale_info::{PortableRegistry, TypeDef};

fn decode(bytes: &[u8]) -> RuntimeMetadata {
    assert_eq!(&bytes[..4], b"meta");
    RuntimeMetadataPrefixed::decode_all(&mut &bytes[..])
        .expect("metadata decodes strictly")
        .1
}

fn paths(types: &PortableRegistry) -> Vec<String> {
    types
        .types
        .iter()
        .map(|t| t.ty.path.segments.join("::"))
        .collect()
}

fn variant_names(types: &PortableRegistry, id: u32) -> Vec<(String, u8)> {
    match &types.resolve(id).expect("type").type_def {
        TypeDef::Variant(v) => v
            .variants
            .iter()
            .map(|v| (v.name.clone(), v.index))
            .collect(),
        other => panic!("not an enum: {other:?}"),
    }
}

const EXPECTED_PATHS: [&str; 17] = [
    "sp_core::crypto::AccountId32",
    "sp_runtime::multiaddress::MultiAddress",
    "sp_runtime::MultiSignature",
    "sp_runtime::generic::era::Era",
    "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic",
    "frame_system::EventRecord",
    "sp_runtime::generic::digest::DigestItem",
    "basalt_runtime::RuntimeCall",
    "basalt_runtime::RuntimeEvent",
    "pallet_balances::pallet::Call",
    // Governance, as FRAME names it: what polkadot.js and explorers key on.
    "basalt_runtime::OriginCaller",
    "frame_support::dispatch::RawOrigin",
    "pallet_custom_origins::pallet::Origin",
    "pallet_conviction_voting::vote::AccountVote",
    "pallet_conviction_voting::vote::Vote",
    "pallet_conviction_voting::types::Tally",
    "pallet_referenda::types::ReferendumInfo",
];

const EXTENSIONS: [&str; 9] = [
    "CheckNonZeroSender",
    "CheckSpecVersion",
    "CheckTxVersion",
    "CheckGenesis",
    "CheckMortality",
    "CheckNonce",
    "CheckWeight",
    "ChargeTransactionPayment",
    "CheckMetadataHash",
];

#[test]
fn v14_describes_every_pallet_and_the_extrinsic() {
    let RuntimeMetadata::V14(m) = decode(metadata::v14_bytes()) else {
        panic!("V14")
    };
    let all_paths = paths(&m.types);
    for path in EXPECTED_PATHS {
        assert!(all_paths.iter().any(|p| p == path), "missing type {path}");
    }
    let pallets: Vec<(&str, u8)> = m
        .pallets
        .iter()
        .map(|p| (p.name.as_str(), p.index))
        .collect();
    assert_eq!(
        pallets,
        vec![
            ("System", 0),
            ("Timestamp", 1),
            ("Balances", 2),
            ("TransactionPayment", 3),
            ("Sudo", 4),
            ("Staking", 5),
            ("Jobs", 6),
            ("Nfts", 7),
            ("Treasury", 8),
            ("Scheduler", 9),
            ("Parameters", 10),
            ("ConvictionVoting", 11),
            ("Referenda", 12),
            ("Origins", 13),
            ("Preimage", 14),
            ("Aura", 20),
            ("Grandpa", 21),
            ("Authorship", 22),
            ("Randomness", 23)
        ]
    );
    let pallet = |name: &str| m.pallets.iter().find(|p| p.name == name).expect(name);

    // Every pallet's storage items, calls, events, errors and constants, as it describes them.
    for (index, description) in basalt_runtime::pallet_descriptions() {
        let p = pallet(description.name);
        assert_eq!(p.index, index);
        let described: Vec<&str> = description
            .storage
            .as_ref()
            .map(|s| s.entries.iter().map(|e| e.name).collect())
            .unwrap_or_default();
        let listed: Vec<&str> = p
            .storage
            .as_ref()
            .map(|s| s.entries.iter().map(|e| e.name.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(listed, described, "{} storage", description.name);
        if let Some(storage) = &p.storage {
            assert_eq!(storage.prefix, description.name);
        }
        assert_eq!(
            p.calls.is_some(),
            description.calls.is_some(),
            "{} calls",
            description.name
        );
        assert_eq!(
            p.event.is_some(),
            description.event.is_some(),
            "{} events",
            description.name
        );
        assert_eq!(
            p.error.is_some(),
            description.error.is_some(),
            "{} errors",
            description.name
        );
        let constants: Vec<&str> = p.constants.iter().map(|c| c.name.as_str()).collect();
        let described: Vec<&str> = description.constants.iter().map(|c| c.name).collect();
        assert_eq!(constants, described, "{} constants", description.name);
        for (kind, ty) in [
            ("calls", p.calls.as_ref().map(|c| c.ty.id)),
            ("event", p.event.as_ref().map(|e| e.ty.id)),
        ] {
            if let Some(id) = ty {
                let path = m.types.resolve(id).expect("type").path.segments.clone();
                assert_eq!(path.len(), 3, "{} {kind} path {path:?}", description.name);
                assert!(
                    !variant_names(&m.types, id).is_empty(),
                    "{} {kind}",
                    description.name
                );
            }
        }
    }

    // Every pallet's calls, events and storage as the runtime defines them.
    let system = pallet("System");
    let storage: Vec<&str> = system
        .storage
        .as_ref()
        .expect("storage")
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    for item in [
        "Account",
        "BlockHash",
        "Number",
        "ParentHash",
        "Digest",
        "Events",
        "BlockWeight",
    ] {
        assert!(storage.contains(&item), "System.{item}");
    }
    let ss58 = system
        .constants
        .iter()
        .find(|c| c.name == "SS58Prefix")
        .expect("SS58Prefix");
    assert_eq!(u16::decode(&mut &ss58.value[..]), Ok(42));
    let calls = variant_names(&m.types, system.calls.as_ref().expect("calls").ty.id);
    assert!(calls.contains(&("remark".into(), 0)));

    let balances = pallet("Balances");
    let calls = variant_names(&m.types, balances.calls.as_ref().expect("calls").ty.id);
    assert!(calls.contains(&("transfer_allow_death".into(), 0)));
    assert!(calls.contains(&("transfer_keep_alive".into(), 3)));
    let events = variant_names(&m.types, balances.event.as_ref().expect("events").ty.id);
    assert!(events.contains(&("Transfer".into(), 2)));
    assert!(balances
        .constants
        .iter()
        .any(|c| c.name == "ExistentialDeposit"));
    let storage: Vec<&str> = balances
        .storage
        .as_ref()
        .expect("storage")
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert!(storage.contains(&"TotalIssuance"));

    let timestamp = pallet("Timestamp");
    assert_eq!(
        variant_names(&m.types, timestamp.calls.as_ref().expect("calls").ty.id),
        vec![("set".to_string(), 0)]
    );
    assert!(pallet("TransactionPayment").event.is_some());
    let sudo = variant_names(
        &m.types,
        pallet("Sudo").calls.as_ref().expect("calls").ty.id,
    );
    assert!(sudo.contains(&("sudo".into(), 0)));
    let staking = variant_names(
        &m.types,
        pallet("Staking").calls.as_ref().expect("calls").ty.id,
    );
    for (name, index) in [
        ("bond", 0),
        ("validate", 4),
        ("nominate", 5),
        ("payout_stakers", 18),
        ("register_provider", 40),
        ("set_keys", 42),
    ] {
        assert!(staking.contains(&(name.into(), index)), "Staking.{name}");
    }

    // The extrinsic: version 4, UncheckedExtrinsic, the nine extensions in order.
    assert_eq!(m.extrinsic.version, 4);
    let xt = m.types.resolve(m.extrinsic.ty.id).expect("extrinsic type");
    assert_eq!(
        xt.path.segments.join("::"),
        "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic"
    );
    let params: Vec<&str> = xt.type_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, vec!["Address", "Call", "Signature", "Extra"]);
    let call_param = xt.type_params[1].ty.expect("call type").id;
    assert_eq!(
        m.types
            .resolve(call_param)
            .expect("call")
            .path
            .segments
            .join("::"),
        "basalt_runtime::RuntimeCall"
    );
    let outer = variant_names(&m.types, call_param);
    assert_eq!(
        outer,
        vec![
            ("System".into(), 0),
            ("Timestamp".into(), 1),
            ("Balances".into(), 2),
            ("Sudo".into(), 4),
            ("Staking".into(), 5),
            ("Jobs".into(), 6),
            ("Nfts".into(), 7),
            ("Treasury".into(), 8),
            ("Scheduler".into(), 9),
            ("Parameters".into(), 10),
            ("ConvictionVoting".into(), 11),
            ("Referenda".into(), 12),
            ("Preimage".into(), 14)
        ]
    );
    let names: Vec<&str> = m
        .extrinsic
        .signed_extensions
        .iter()
        .map(|e| e.identifier.as_str())
        .collect();
    assert_eq!(names, EXTENSIONS);
    let additional = |name: &str| {
        let ext = m
            .extrinsic
            .signed_extensions
            .iter()
            .find(|e| e.identifier == name)
            .expect(name);
        m.types
            .resolve(ext.additional_signed.id)
            .expect("type")
            .clone()
    };
    assert_eq!(
        additional("CheckGenesis").path.segments.join("::"),
        "primitive_types::H256"
    );
    assert!(matches!(
        additional("CheckSpecVersion").type_def,
        TypeDef::Primitive(_)
    ));
    let era_ext = m
        .extrinsic
        .signed_extensions
        .iter()
        .find(|e| e.identifier == "CheckMortality")
        .expect("era");
    let era_ty = m.types.resolve(era_ext.ty.id).expect("type");
    let TypeDef::Composite(c) = &era_ty.type_def else {
        panic!("CheckMortality is a struct")
    };
    let inner = m.types.resolve(c.fields[0].ty.id).expect("era");
    assert_eq!(
        inner.path.segments.join("::"),
        "sp_runtime::generic::era::Era"
    );

    // System.Events is a Vec<EventRecord<RuntimeEvent, H256>>.
    let events = system
        .storage
        .as_ref()
        .expect("storage")
        .entries
        .iter()
        .find(|e| e.name == "Events")
        .expect("Events");
    let frame_metadata::v14::StorageEntryType::Plain(ty) = &events.ty else {
        panic!("plain")
    };
    let TypeDef::Sequence(seq) = &m.types.resolve(ty.id).expect("vec").type_def else {
        panic!("vec")
    };
    let record = m.types.resolve(seq.type_param.id).expect("record");
    assert_eq!(record.path.segments.join("::"), "frame_system::EventRecord");
    let params: Vec<&str> = record.type_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, vec!["E", "T"]);
    let event = record.type_params[0].ty.expect("E").id;
    assert_eq!(
        variant_names(&m.types, event),
        vec![
            ("System".into(), 0),
            ("Balances".into(), 2),
            ("TransactionPayment".into(), 3),
            ("Sudo".into(), 4),
            ("Staking".into(), 5),
            ("Jobs".into(), 6),
            ("Nfts".into(), 7),
            ("Treasury".into(), 8),
            ("Scheduler".into(), 9),
            ("Parameters".into(), 10),
            ("ConvictionVoting".into(), 11),
            ("Referenda".into(), 12),
            ("Preimage".into(), 14)
        ]
    );
}

#[test]
fn v15_adds_apis_and_outer_enums() {
    let RuntimeMetadata::V15(m) = decode(metadata::v15_bytes()) else {
        panic!("V15")
    };
    let all_paths = paths(&m.types);
    for path in EXPECTED_PATHS {
        assert!(all_paths.iter().any(|p| p == path), "missing type {path}");
    }
    assert_eq!(m.pallets.len(), 19);
    let names: Vec<&str> = m
        .extrinsic
        .signed_extensions
        .iter()
        .map(|e| e.identifier.as_str())
        .collect();
    assert_eq!(names, EXTENSIONS);
    let path_of = |id: u32| m.types.resolve(id).expect("type").path.segments.join("::");
    assert_eq!(
        path_of(m.extrinsic.call_ty.id),
        "basalt_runtime::RuntimeCall"
    );
    assert_eq!(
        path_of(m.extrinsic.address_ty.id),
        "sp_runtime::multiaddress::MultiAddress"
    );
    assert_eq!(
        path_of(m.extrinsic.signature_ty.id),
        "sp_runtime::MultiSignature"
    );
    assert_eq!(
        path_of(m.outer_enums.call_enum_ty.id),
        "basalt_runtime::RuntimeCall"
    );
    assert_eq!(
        path_of(m.outer_enums.event_enum_ty.id),
        "basalt_runtime::RuntimeEvent"
    );
    assert_eq!(
        path_of(m.outer_enums.error_enum_ty.id),
        "basalt_runtime::RuntimeError"
    );

    let apis: Vec<&str> = m.apis.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        apis,
        vec![
            "Core",
            "Metadata",
            "BlockBuilder",
            "TaggedTransactionQueue",
            "AccountNonceApi",
            "TransactionPaymentApi",
            "JobsApi"
        ]
    );
    // Every API listed in the runtime version has metadata, and the other way round.
    let version = api::version();
    assert_eq!(version.apis.len(), m.apis.len());
    let method = |api: &str, method: &str| {
        m.apis
            .iter()
            .find(|a| a.name == api)
            .and_then(|a| a.methods.iter().find(|x| x.name == method))
            .unwrap_or_else(|| panic!("{api}_{method}"))
            .clone()
    };
    let validate = method("TaggedTransactionQueue", "validate_transaction");
    let inputs: Vec<&str> = validate.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(inputs, vec!["source", "tx", "block_hash"]);
    let nonce = method("AccountNonceApi", "account_nonce");
    assert_eq!(nonce.inputs[0].name, "account");
    assert!(matches!(
        m.types.resolve(nonce.output.id).expect("u32").type_def,
        TypeDef::Primitive(_)
    ));
    let info = method("TransactionPaymentApi", "query_info");
    assert_eq!(
        path_of(info.output.id),
        "pallet_transaction_payment::types::RuntimeDispatchInfo"
    );
    for (api, name) in [
        ("Core", "version"),
        ("Core", "execute_block"),
        ("Core", "initialize_block"),
        ("Metadata", "metadata_at_version"),
        ("Metadata", "metadata_versions"),
        ("BlockBuilder", "apply_extrinsic"),
        ("BlockBuilder", "finalize_block"),
        ("TransactionPaymentApi", "query_fee_details"),
    ] {
        let _ = method(api, name);
    }
    assert!(m.custom.map.is_empty());
}

#[test]
fn served_versions_and_bytes() {
    assert_eq!(api::metadata_versions(), vec![14, 15]);
    assert_eq!(api::metadata(), metadata::v14_bytes());
    assert_eq!(api::metadata()[4], 14);
    assert_eq!(api::metadata_at_version(15).expect("v15")[4], 15);
    assert_eq!(api::metadata_at_version(16), None);
    // Cached: the same bytes every time.
    assert_eq!(
        metadata::v15_bytes().as_ptr(),
        metadata::v15_bytes().as_ptr()
    );
}

/// The docs of a pallet's enum type in `types`: each variant's name with its docs, and its
/// fields' docs.
fn variant_docs(types: &PortableRegistry, id: u32) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    match &types.resolve(id).expect("type").type_def {
        TypeDef::Variant(v) => v
            .variants
            .iter()
            .map(|v| {
                let fields = v.fields.iter().map(|f| f.docs.clone()).collect();
                (v.name.clone(), v.docs.clone(), fields)
            })
            .collect(),
        other => panic!("not an enum: {other:?}"),
    }
}

#[test]
fn calls_events_and_errors_carry_their_docs() {
    let RuntimeMetadata::V14(m) = decode(metadata::v14_bytes()) else {
        panic!("V14")
    };
    for pallet in &m.pallets {
        let mut enums = Vec::new();
        if let Some(calls) = &pallet.calls {
            enums.push(("call", calls.ty.id));
        }
        if let Some(event) = &pallet.event {
            enums.push(("event", event.ty.id));
        }
        if let Some(error) = &pallet.error {
            enums.push(("error", error.ty.id));
        }
        for (kind, id) in enums {
            for (variant, docs, _) in variant_docs(&m.types, id) {
                assert!(
                    docs.iter().any(|d| !d.trim().is_empty()),
                    "{} {kind} {variant} has no docs in metadata",
                    pallet.name
                );
            }
        }
        for entry in pallet.storage.iter().flat_map(|s| &s.entries) {
            assert!(
                !entry.docs.is_empty(),
                "{}.{} has no docs",
                pallet.name,
                entry.name
            );
        }
        for constant in &pallet.constants {
            assert!(
                !constant.docs.is_empty(),
                "{}.{} has no docs",
                pallet.name,
                constant.name
            );
        }
    }
    // Argument docs reach clients too (wallets show them beside each field).
    let sudo = m.pallets.iter().find(|p| p.name == "Sudo").expect("Sudo");
    let calls = variant_docs(&m.types, sudo.calls.as_ref().expect("calls").ty.id);
    let (_, docs, fields) = calls
        .iter()
        .find(|(n, _, _)| n == "sudo_as")
        .expect("sudo_as");
    assert!(docs.concat().contains("Signed"), "{docs:?}");
    assert_eq!(fields.len(), 2);
    assert!(fields.iter().all(|f| !f.is_empty()), "{fields:?}");
}
