//! `payment_*`: what an extrinsic would pay, through the runtime's `TransactionPaymentApi`.
//!
//! The runtime answers in SCALE with Substrate's layouts (`RuntimeDispatchInfo`, `FeeDetails`);
//! this module decodes them strictly and renders Substrate's JSON: `payment_queryInfo` gives
//! `{weight: {ref_time, proof_size}, class: "normal", partialFee: "<decimal>"}`,
//! `payment_queryFeeDetails` gives `{inclusionFee: {baseFee, lenFee, adjustedWeightFee} | null}`
//! with the fees as `0x` hex (Substrate's `NumberOrHex` of a `u128`; the tip is not shown).
//! An undecodable extrinsic is error 2, a failed runtime call error 1, as Substrate's RPC.

use basalt_support::dispatch::DispatchClass;
use basalt_support::{Balance, Weight, H256};
use codec::{Decode, DecodeAll, Encode};
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::RpcModule;
use serde_json::{json, Value};

use super::error::{error, PAYMENT_DECODE_ERROR, PAYMENT_RUNTIME_ERROR};
use super::params::{arg, bytes, opt_hash};
use super::{blocking, RpcContext};
use basalt_support::generic::OpaqueExtrinsic;

/// `pallet_transaction_payment::RuntimeDispatchInfo` as SCALE carries it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct DispatchInfoScale {
    /// The call's weight.
    pub weight: Weight,
    /// Its class.
    pub class: DispatchClass,
    /// The fee without tip.
    pub partial_fee: Balance,
}

/// `pallet_transaction_payment::InclusionFee` as SCALE carries it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct InclusionFeeScale {
    /// The fixed part.
    pub base_fee: Balance,
    /// The part paid for the length.
    pub len_fee: Balance,
    /// The part paid for the weight, after the fee multiplier.
    pub adjusted_weight_fee: Balance,
}

/// `pallet_transaction_payment::FeeDetails` as SCALE carries it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FeeDetailsScale {
    /// `None` for extrinsics that pay nothing (unsigned).
    pub inclusion_fee: Option<InclusionFeeScale>,
    /// The tip.
    pub tip: Balance,
}

/// Substrate's JSON of a dispatch class.
fn class_name(class: DispatchClass) -> &'static str {
    match class {
        DispatchClass::Normal => "normal",
        DispatchClass::Operational => "operational",
        DispatchClass::Mandatory => "mandatory",
    }
}

/// A `u128` as Substrate's `NumberOrHex::Hex` serialises it: `0x` and hex without leading zeros.
fn balance_hex(value: Balance) -> String {
    format!("{value:#x}")
}

/// The JSON of `payment_queryInfo`.
pub fn query_info_json(info: &DispatchInfoScale) -> Value {
    json!({
        "weight": { "ref_time": info.weight.ref_time, "proof_size": info.weight.proof_size },
        "class": class_name(info.class),
        "partialFee": info.partial_fee.to_string(),
    })
}

/// The JSON of `payment_queryFeeDetails`.
pub fn fee_details_json(details: &FeeDetailsScale) -> Value {
    let inclusion = details.inclusion_fee.as_ref().map(|fee| {
        json!({
            "baseFee": balance_hex(fee.base_fee),
            "lenFee": balance_hex(fee.len_fee),
            "adjustedWeightFee": balance_hex(fee.adjusted_weight_fee),
        })
    });
    json!({ "inclusionFee": inclusion })
}

/// Runs `TransactionPaymentApi_<method>` for the extrinsic in `args[0]` at `args[1]` and
/// decodes the answer as `T`; `what` names the query in errors.
fn query<T: Decode>(
    ctx: &RpcContext,
    args: &[Value],
    method: &str,
    what: &'static str,
) -> Result<T, ErrorObjectOwned> {
    let raw = bytes(arg(args, 0), "extrinsic")?;
    let xt = OpaqueExtrinsic::from_bytes(&raw)
        .ok()
        .filter(|xt| basalt_runtime::api::decode_extrinsic(xt).is_ok())
        .ok_or_else(|| {
            error(
                PAYMENT_DECODE_ERROR,
                what,
                Some("Could not decode extrinsic".to_string()),
            )
        })?;
    let at: H256 = opt_hash(arg(args, 1), "at")?.unwrap_or_else(|| ctx.client.info().best_hash);
    let len = u32::try_from(raw.len()).unwrap_or(u32::MAX);
    let input = (xt, len).encode();
    let output = ctx
        .client
        .runtime_call(at, method, &input)
        .map_err(|e| error(PAYMENT_RUNTIME_ERROR, what, Some(e.to_string())))?
        .map_err(|e| error(PAYMENT_RUNTIME_ERROR, what, Some(e)))?;
    T::decode_all(&mut &output[..]).map_err(|e| {
        error(
            PAYMENT_RUNTIME_ERROR,
            what,
            Some(format!("unexpected answer from the runtime: {e}")),
        )
    })
}

/// Registers the `payment_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    blocking(
        module,
        "payment_queryInfo",
        &["extrinsic", "at"],
        false,
        |ctx, args| {
            let info: DispatchInfoScale = query(
                ctx,
                args,
                "TransactionPaymentApi_query_info",
                "Unable to query dispatch info.",
            )?;
            Ok(query_info_json(&info))
        },
    )?;
    blocking(
        module,
        "payment_queryFeeDetails",
        &["extrinsic", "at"],
        false,
        |ctx, args| {
            let details: FeeDetailsScale = query(
                ctx,
                args,
                "TransactionPaymentApi_query_fee_details",
                "Unable to query fee details.",
            )?;
            Ok(fee_details_json(&details))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_info_shape() {
        let info = DispatchInfoScale {
            weight: Weight::from_parts(123_456_789, 3_593),
            class: DispatchClass::Normal,
            partial_fee: 15_600_000_001,
        };
        assert_eq!(
            query_info_json(&info),
            json!({
                "weight": {"ref_time": 123_456_789u64, "proof_size": 3_593u64},
                "class": "normal",
                "partialFee": "15600000001",
            })
        );
        // The SCALE layout Substrate's runtime API answers with: compact weight parts, class
        // byte, u128 fee.
        let bytes = info.encode();
        assert_eq!(bytes.len(), 4 + 2 + 1 + 16);
        assert_eq!(DispatchInfoScale::decode_all(&mut &bytes[..]), Ok(info));
        let op = DispatchInfoScale {
            class: DispatchClass::Operational,
            ..DispatchInfoScale::decode_all(&mut &bytes[..]).unwrap()
        };
        assert_eq!(query_info_json(&op)["class"], "operational");
    }

    #[test]
    fn fee_details_shape() {
        let details = FeeDetailsScale {
            inclusion_fee: Some(InclusionFeeScale {
                base_fee: 0,
                len_fee: 255,
                adjusted_weight_fee: 1 << 70,
            }),
            tip: 5,
        };
        assert_eq!(
            fee_details_json(&details),
            json!({"inclusionFee": {
                "baseFee": "0x0",
                "lenFee": "0xff",
                "adjustedWeightFee": "0x400000000000000000",
            }})
        );
        let unsigned = FeeDetailsScale {
            inclusion_fee: None,
            tip: 0,
        };
        assert_eq!(fee_details_json(&unsigned), json!({"inclusionFee": null}));
    }
}
