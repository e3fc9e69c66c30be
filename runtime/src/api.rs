//! The runtime API the node calls, as plain functions and by Substrate's `state_call` names.
//!
//! Every function must run inside `Externalities::execute_with` over the state it concerns
//! (the parent state for block building, import and validation; the block's own state for
//! queries), except [`version`], [`metadata()`], [`metadata_at_version`] and
//! [`metadata_versions`], which read no state.
//!
//! [`state_call`] serves the same functions to RPC clients by their Substrate names with SCALE
//! input and output. Inputs are decoded strictly: trailing bytes are an error, as are unknown
//! methods; outputs carry no trailing bytes (py-substrate-interface decodes
//! `AccountNonceApi_account_nonce` strictly as a `u32`).

use crate::api_types::{
    CheckInherentsResult, InherentData, OpaqueMetadata, MAX_TIMESTAMP_DRIFT_MS,
};
use crate::executive::{self, ExecuteBlockError, ExtrinsicInclusionMode};
use crate::{metadata, Runtime, RuntimeCall, TransactionPayment};
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::{Block, Header, OpaqueExtrinsic};
use basalt_support::validity::{
    ApplyExtrinsicResult, TransactionSource, TransactionValidity, TransactionValidityError,
};
use basalt_support::version::RuntimeVersion;
use basalt_support::{AccountId, Balance, Moment, Nonce, Weight, H256};
use codec::{Decode, DecodeAll, Encode};

/// What `query_fee_details` answers.
pub type FeeDetails = pallet_transaction_payment::types::FeeDetails<Balance>;
/// What `query_info` answers.
pub type RuntimeDispatchInfo = pallet_transaction_payment::types::RuntimeDispatchInfo<Balance>;
pub use executive::{apply_extrinsic_prechecked, check_signatures_parallel, decode_extrinsic};

/// The runtime's version (`Core_version`, `state_getRuntimeVersion`).
pub fn version() -> RuntimeVersion {
    crate::version::version()
}

/// Metadata V14 prefixed with `b"meta"` (`state_getMetadata`; `Metadata_metadata` wraps it in
/// an `OpaqueMetadata`).
pub fn metadata() -> Vec<u8> {
    metadata::v14_bytes().to_vec()
}

/// Metadata of `version` (14 or 15), prefixed with `b"meta"`.
pub fn metadata_at_version(version: u32) -> Option<Vec<u8>> {
    metadata::at_version(version).map(<[u8]>::to_vec)
}

/// The metadata versions served: `[14, 15]`.
pub fn metadata_versions() -> Vec<u32> {
    metadata::VERSIONS.to_vec()
}

/// Starts building (or importing) the block of `header` on the parent state.
pub fn initialize_block(header: &Header) -> ExtrinsicInclusionMode {
    executive::initialize_block(header)
}

/// The unsigned extrinsic that reports an Aura equivocation (staking's
/// `report_equivocation_unsigned`), for a node that detected one to submit to its pool.
pub fn aura_equivocation_report(
    proof: basalt_support::equivocation::AuraEquivocationProof,
) -> OpaqueExtrinsic {
    let call = RuntimeCall::Staking(pallet_staking::Call::report_equivocation_unsigned {
        equivocation_proof: Box::new(proof),
    });
    OpaqueExtrinsic::from(&crate::UncheckedExtrinsic::new_unsigned(call))
}

/// The inherents of a block authored at `timestamp_ms`; apply them first.
pub fn inherent_extrinsics(timestamp_ms: Moment) -> Vec<OpaqueExtrinsic> {
    executive::inherent_extrinsics(timestamp_ms)
}

/// Applies one extrinsic to the block being built; see [`executive::apply_extrinsic`].
pub fn apply_extrinsic(xt: &OpaqueExtrinsic) -> ApplyExtrinsicResult {
    executive::apply_extrinsic(xt)
}

/// Ends the block being built and returns its header (without seal); fails only if the
/// timestamp inherent was not applied first.
pub fn finalize_block() -> Result<Header, ExecuteBlockError> {
    executive::finalize_block()
}

/// Re-executes `block` on its parent's state and checks its header.
pub fn execute_block(block: &Block) -> Result<(), ExecuteBlockError> {
    executive::execute_block(block)
}

/// Checks a transaction for the pool on the state of block `parent_hash`; the caller discards
/// the externalities afterwards.
pub fn validate_transaction(
    source: TransactionSource,
    xt: &OpaqueExtrinsic,
    parent_hash: H256,
) -> TransactionValidity {
    executive::validate_transaction(source, xt, parent_hash)
}

/// The jobs `provider` must commit or reveal now, with their deadlines: what a provider's
/// worker polls after each block (`JobsApi_pending_work`).
pub fn pending_work(provider: &AccountId) -> Vec<pallet_jobs::PendingWork> {
    crate::Jobs::pending_work(provider)
}

/// The randomness the author of the next block signs its VRF over (the current epoch's), read
/// in the parent state.
pub fn vrf_randomness() -> H256 {
    crate::consensus::randomness::EpochRandomness::get()
}

/// The nonce the next extrinsic of `account` must carry.
pub fn account_nonce(account: &AccountId) -> Nonce {
    pallet_system::Pallet::<Runtime>::account_nonce(account)
}

/// The weight, class and fee (without tip) of `xt` if it were `len` bytes long; unsigned
/// extrinsics pay nothing. `Invalid(Call)` when `xt` does not decode.
pub fn query_info(
    xt: &OpaqueExtrinsic,
    len: u32,
) -> Result<RuntimeDispatchInfo, TransactionValidityError> {
    let uxt = decode_extrinsic(xt)?;
    let info = Dispatchable::<Runtime>::dispatch_info(&uxt.function);
    let mut answer = TransactionPayment::query_info(len, &info);
    if uxt.signature.is_none() {
        answer.partial_fee = 0;
    }
    Ok(answer)
}

/// The parts of the fee of `xt` if it were `len` bytes long. `Invalid(Call)` when `xt` does
/// not decode.
pub fn query_fee_details(
    xt: &OpaqueExtrinsic,
    len: u32,
) -> Result<FeeDetails, TransactionValidityError> {
    let uxt = decode_extrinsic(xt)?;
    let info = Dispatchable::<Runtime>::dispatch_info(&uxt.function);
    let tip = uxt
        .signature
        .as_ref()
        .map(|(_, _, extra)| extra.7 .0)
        .unwrap_or(0);
    if uxt.signature.is_none() {
        return Ok(FeeDetails {
            inclusion_fee: None,
            tip: 0,
        });
    }
    Ok(TransactionPayment::compute_fee_details(len, &info, tip))
}

/// Checks a block's inherents against the importing node's view: the timestamp may not be
/// more than 30 s ahead of `now_ms`, the node's clock.
pub fn check_inherents(block: &Block, now_ms: Moment) -> CheckInherentsResult {
    check_inherents_with(block, &InherentData::with_timestamp(now_ms))
}

fn check_inherents_with(block: &Block, data: &InherentData) -> CheckInherentsResult {
    let block_time = block
        .extrinsics
        .first()
        .and_then(|xt| decode_extrinsic(xt).ok())
        .filter(|uxt| uxt.signature.is_none())
        .and_then(|uxt| match uxt.function {
            RuntimeCall::Timestamp(call) => crate::timestamp_of_call(&call),
            _ => None,
        });
    let mut result = CheckInherentsResult {
        okay: true,
        fatal_error: false,
        errors: InherentData::default(),
    };
    if let (Some(block_time), Some(now)) = (block_time, data.timestamp()) {
        if block_time > now.saturating_add(MAX_TIMESTAMP_DRIFT_MS) {
            // sp_timestamp::InherentError::TooFarInFuture, a fatal error.
            result.okay = false;
            result.fatal_error = true;
            result
                .errors
                .data
                .insert(crate::api_types::TIMESTAMP_INHERENT_ID, vec![1]);
        }
    }
    result
}

/// Decodes `input` as `T`, refusing trailing bytes.
fn input<T: Decode>(method: &str, bytes: &[u8]) -> Result<T, String> {
    T::decode_all(&mut &bytes[..]).map_err(|e| format!("{method}: could not decode the input: {e}"))
}

/// Serves a runtime API call by its Substrate name (`<Api>_<method>`), with SCALE input and
/// output, as `state_call` does. Unknown methods, undecodable input and failed calls
/// (`Core_execute_block` on a bad block, `BlockBuilder_finalize_block` without inherent) are
/// `Err` with a message for the RPC error.
pub fn state_call(method: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let out = match method {
        "Core_version" => {
            input::<()>(method, bytes)?;
            version().encode()
        }
        "Core_execute_block" => {
            let block: Block = input(method, bytes)?;
            execute_block(&block).map_err(|e| e.to_string())?;
            ().encode()
        }
        "Core_initialize_block" => {
            let header: Header = input(method, bytes)?;
            initialize_block(&header).encode()
        }
        "Metadata_metadata" => {
            input::<()>(method, bytes)?;
            OpaqueMetadata(metadata()).encode()
        }
        "Metadata_metadata_at_version" => {
            let version: u32 = input(method, bytes)?;
            metadata_at_version(version).map(OpaqueMetadata).encode()
        }
        "Metadata_metadata_versions" => {
            input::<()>(method, bytes)?;
            metadata_versions().encode()
        }
        "BlockBuilder_apply_extrinsic" => {
            let xt: OpaqueExtrinsic = input(method, bytes)?;
            decode_extrinsic(&xt)
                .map_err(|_| format!("{method}: could not decode the extrinsic"))?;
            apply_extrinsic(&xt).encode()
        }
        "BlockBuilder_finalize_block" => {
            input::<()>(method, bytes)?;
            finalize_block().map_err(|e| e.to_string())?.encode()
        }
        "BlockBuilder_inherent_extrinsics" => {
            let data: InherentData = input(method, bytes)?;
            let now = data
                .timestamp()
                .ok_or_else(|| format!("{method}: no timestamp in the inherent data"))?;
            inherent_extrinsics(now).encode()
        }
        "BlockBuilder_check_inherents" => {
            let (block, data): (Block, InherentData) = input(method, bytes)?;
            check_inherents_with(&block, &data).encode()
        }
        "TaggedTransactionQueue_validate_transaction" => {
            let (source, xt, parent): (TransactionSource, OpaqueExtrinsic, H256) =
                input(method, bytes)?;
            decode_extrinsic(&xt)
                .map_err(|_| format!("{method}: could not decode the extrinsic"))?;
            validate_transaction(source, &xt, parent).encode()
        }
        "AccountNonceApi_account_nonce" => {
            let account: AccountId = input(method, bytes)?;
            account_nonce(&account).encode()
        }
        "JobsApi_pending_work" => {
            let provider: AccountId = input(method, bytes)?;
            pending_work(&provider).encode()
        }
        "TransactionPaymentApi_query_info" => {
            let (xt, len): (OpaqueExtrinsic, u32) = input(method, bytes)?;
            query_info(&xt, len)
                .map_err(|_| format!("{method}: could not decode the extrinsic"))?
                .encode()
        }
        "TransactionPaymentApi_query_fee_details" => {
            let (xt, len): (OpaqueExtrinsic, u32) = input(method, bytes)?;
            query_fee_details(&xt, len)
                .map_err(|_| format!("{method}: could not decode the extrinsic"))?
                .encode()
        }
        "TransactionPaymentApi_query_weight_to_fee" => {
            let weight: Weight = input(method, bytes)?;
            let fee: Balance = TransactionPayment::weight_to_fee(&weight);
            fee.encode()
        }
        "TransactionPaymentApi_query_length_to_fee" => {
            let length: u32 = input(method, bytes)?;
            let fee: Balance = TransactionPayment::length_to_fee(length);
            fee.encode()
        }
        _ => return Err(format!("unknown runtime API method: {method}")),
    };
    Ok(out)
}
