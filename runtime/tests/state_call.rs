//! `state_call` by Substrate's method names: strict input, exact output.

mod common;

use basalt_runtime::api::{self, FeeDetails, RuntimeDispatchInfo};
use basalt_runtime::api_types::{InherentData, OpaqueMetadata};
use basalt_runtime::executive::ExtrinsicInclusionMode;
use basalt_support::generic::{Header, OpaqueExtrinsic};
use basalt_support::primitives::UNIT;
use basalt_support::validity::{ApplyExtrinsicResult, TransactionSource, TransactionValidity};
use basalt_support::version::RuntimeVersion;
use basalt_support::H256;
use codec::{DecodeAll, Encode};
use common::*;

fn call<T: DecodeAll>(chain: &Chain, method: &str, input: &[u8]) -> T {
    let out = chain
        .read(|| api::state_call(method, input))
        .unwrap_or_else(|e| panic!("{method}: {e}"));
    T::decode_all(&mut &out[..]).unwrap_or_else(|e| panic!("{method} output decodes strictly: {e}"))
}

#[test]
fn core_and_metadata() {
    let chain = Chain::dev();
    let version: RuntimeVersion = call(&chain, "Core_version", &[]);
    assert_eq!(version, api::version());
    assert_eq!(version.spec_name, "basalt");
    let versions: Vec<u32> = call(&chain, "Metadata_metadata_versions", &[]);
    assert_eq!(versions, vec![14, 15]);
    let OpaqueMetadata(v14) = call(&chain, "Metadata_metadata", &[]);
    assert_eq!(v14, api::metadata());
    let v15: Option<OpaqueMetadata> = call(&chain, "Metadata_metadata_at_version", &15u32.encode());
    assert_eq!(v15.expect("served").0[..5], *b"meta\x0f");
    let v16: Option<OpaqueMetadata> = call(&chain, "Metadata_metadata_at_version", &16u32.encode());
    assert_eq!(v16, None);
}

#[test]
fn account_nonce_is_exactly_four_bytes() {
    let mut chain = Chain::dev();
    let alice = alice();
    let xt = chain.sign(
        &alice,
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(0),
    );
    chain.produce(&[xt]);
    let out = chain
        .read(|| api::state_call("AccountNonceApi_account_nonce", &alice.account().encode()))
        .expect("ok");
    assert_eq!(out, vec![1, 0, 0, 0]);
    let unknown = chain
        .read(|| api::state_call("AccountNonceApi_account_nonce", &[7; 32]))
        .expect("ok");
    assert_eq!(unknown, vec![0, 0, 0, 0]);
}

#[test]
fn strict_inputs() {
    let chain = Chain::dev();
    let refuse = |method: &str, input: &[u8]| {
        let result = chain.read(|| api::state_call(method, input));
        assert!(result.is_err(), "{method} with {input:?} must fail");
    };
    refuse("Core_version", &[0]);
    refuse("Metadata_metadata_at_version", &[15, 0, 0]);
    refuse("Metadata_metadata_at_version", &[15, 0, 0, 0, 0]);
    let mut nonce_input = alice().account().encode();
    nonce_input.push(0);
    refuse("AccountNonceApi_account_nonce", &nonce_input);
    refuse("AccountNonceApi_account_nonce", &[1; 31]);
    refuse("No_such_method", &[]);
    refuse("TaggedTransactionQueue_validate_transaction", &[0, 1, 2]);
    // A well-formed call whose extrinsic is not one of this runtime's.
    let garbage = (
        TransactionSource::External,
        OpaqueExtrinsic::from_body(vec![0x04, 99, 0]),
        H256::zero(),
    )
        .encode();
    refuse("TaggedTransactionQueue_validate_transaction", &garbage);
}

#[test]
fn transaction_queue_and_payment() {
    let chain = Chain::dev();
    let xt = chain.sign(
        &alice(),
        transfer(&bob().account(), UNIT),
        &SignOptions {
            tip: 7,
            ..SignOptions::nonce(0)
        },
    );
    let input = (TransactionSource::External, xt.clone(), chain.head().hash()).encode();
    let validity: TransactionValidity = call(
        &chain,
        "TaggedTransactionQueue_validate_transaction",
        &input,
    );
    let valid = validity.expect("valid");
    assert_eq!(valid.provides, vec![(alice().account(), 0u32).encode()]);
    assert!(valid.propagate);

    let len = xt.to_full_bytes().len() as u32;
    let info: RuntimeDispatchInfo = call(
        &chain,
        "TransactionPaymentApi_query_info",
        &(xt.clone(), len).encode(),
    );
    assert!(
        info.partial_fee > UNIT / 200 && info.partial_fee < UNIT / 50,
        "transfer fee ~0.01 BSLT: {}",
        info.partial_fee
    );
    let details: FeeDetails = call(
        &chain,
        "TransactionPaymentApi_query_fee_details",
        &(xt.clone(), len).encode(),
    );
    assert_eq!(details.tip, 7);
    assert_eq!(
        details.inclusion_fee.expect("pays").inclusion_fee(),
        info.partial_fee
    );
    // Unsigned extrinsics pay nothing.
    let inherent = api::inherent_extrinsics(1).remove(0);
    let info: RuntimeDispatchInfo = call(
        &chain,
        "TransactionPaymentApi_query_info",
        &(inherent, 10u32).encode(),
    );
    assert_eq!(info.partial_fee, 0);
    let fee: u128 = call(
        &chain,
        "TransactionPaymentApi_query_length_to_fee",
        &100u32.encode(),
    );
    assert_eq!(fee, 100 * UNIT / 100_000);
}

#[test]
fn block_builder_through_state_call() {
    let chain = Chain::dev();
    let header = chain.next_header(1);
    let xt = chain.sign(
        &alice(),
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(0),
    );
    let mut ext = chain.ext();
    let built: Header = ext.execute_with(|| {
        let mode = api::state_call("Core_initialize_block", &header.encode()).expect("initializes");
        assert_eq!(mode, ExtrinsicInclusionMode::AllExtrinsics.encode());
        let inherents = api::state_call(
            "BlockBuilder_inherent_extrinsics",
            &InherentData::with_timestamp(chain.timestamp + SLOT_MS).encode(),
        )
        .expect("inherents");
        let inherents: Vec<OpaqueExtrinsic> =
            DecodeAll::decode_all(&mut &inherents[..]).expect("decodes");
        for inherent in inherents {
            let out = api::state_call("BlockBuilder_apply_extrinsic", &inherent.encode())
                .expect("applies");
            let result: ApplyExtrinsicResult =
                DecodeAll::decode_all(&mut &out[..]).expect("decodes");
            assert_eq!(result, Ok(Ok(())));
        }
        let out = api::state_call("BlockBuilder_apply_extrinsic", &xt.encode()).expect("applies");
        assert_eq!(out, vec![0, 0], "Ok(Ok(()))");
        let out = api::state_call("BlockBuilder_finalize_block", &[]).expect("finalizes");
        DecodeAll::decode_all(&mut &out[..]).expect("a header")
    });
    assert_eq!(built.number, 1);
    assert_eq!(built.parent_hash, chain.head().hash());
}
