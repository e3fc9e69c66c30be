//! `grandpa_*`: finality as operators and light clients see it.
//!
//! - `grandpa_roundState`: the voter's best round, in Substrate's `ReportedRoundStates` shape
//!   (`setId`, `best.{round, totalWeight, thresholdWeight, prevotes, precommits}` with the
//!   voters still missing as SS58 addresses, `background`).
//! - `grandpa_proveFinality(blockNumber)`: Substrate's SCALE `FinalityProof { block,
//!   justification, unknown_headers }`, hex-encoded: the first block at or above the requested
//!   one that carries a stored GRANDPA justification, with the headers from the requested block
//!   (excluded) to it; `null` for a block not yet final.

use basalt_support::generic::Header;
use basalt_support::{AccountId, H256};
use codec::Encode;
use jsonrpsee::RpcModule;
use serde_json::{json, Value};

use super::error::error;
use super::params::{arg, block_number};
use super::{blocking, immediate, RpcContext, RpcResult};

/// Substrate's error code when the GRANDPA voter is not running.
const ENDPOINT_NOT_READY: i32 = 1;

/// How far above the requested block `grandpa_proveFinality` looks for a justification.
const MAX_PROOF_SEARCH: u32 = 4096;

/// Registers the `grandpa_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    immediate(module, "grandpa_roundState", &[], false, |ctx, _| {
        round_state(ctx)
    })?;
    blocking(
        module,
        "grandpa_proveFinality",
        &["blockNumber"],
        false,
        |ctx, args| {
            let number = block_number(arg(args, 0))?;
            Ok(prove_finality(ctx, number)
                .map(|proof| json!(format!("0x{}", hex::encode(proof))))
                .unwrap_or(Value::Null))
        },
    )?;
    Ok(())
}

/// The best round's participation.
fn round_state(ctx: &RpcContext) -> RpcResult {
    let not_ready = || error(ENDPOINT_NOT_READY, "GRANDPA RPC endpoint not ready", None);
    let grandpa = &ctx.network.as_ref().ok_or_else(not_ready)?.grandpa;
    let summary = grandpa.round_state().ok_or_else(not_ready)?;
    let voters = grandpa.authority_set().authorities;
    let missing = |voted: &[sp_core::ed25519::Public]| -> Vec<String> {
        voters
            .iter()
            .filter(|(id, _)| !voted.contains(id))
            .map(|(id, _)| AccountId::new(id.0).to_string())
            .collect()
    };
    Ok(json!({
        "setId": summary.set_id,
        "best": {
            "round": summary.round,
            "totalWeight": summary.total_weight,
            "thresholdWeight": summary.threshold_weight,
            "prevotes": {
                "currentWeight": summary.prevote_weight,
                "missing": missing(&summary.prevote_ids),
            },
            "precommits": {
                "currentWeight": summary.precommit_weight,
                "missing": missing(&summary.precommit_ids),
            },
        },
        "background": [],
    }))
}

/// Substrate's `FinalityProof`.
#[derive(Encode)]
struct FinalityProof {
    block: H256,
    justification: Vec<u8>,
    unknown_headers: Vec<Header>,
}

/// The SCALE finality proof of block `number`, if it is final and a justification is stored
/// close enough above it.
fn prove_finality(ctx: &RpcContext, number: u32) -> Option<Vec<u8>> {
    let client = &ctx.client;
    let finalized = client.info().finalized_number;
    if number > finalized {
        return None;
    }
    let last = finalized.min(number.saturating_add(MAX_PROOF_SEARCH));
    let mut unknown_headers = Vec::new();
    for n in number..=last {
        let hash = client.hash_at(n)?;
        if n > number {
            unknown_headers.push(client.header(hash)?);
        }
        if let Some(justification) = client.grandpa_justification(hash) {
            return Some(
                FinalityProof {
                    block: hash,
                    justification,
                    unknown_headers,
                }
                .encode(),
            );
        }
    }
    None
}
