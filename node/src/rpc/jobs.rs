//! `jobs_*`: compute jobs for clients and explorers.
//!
//! - `jobs_getResult(job, offset, length)`: a chunk (at most 1 MiB) of a completed job's
//!   output as `{output: "0x…", offset, total, resultHash}`, served from this node's store or
//!   fetched from a provider peer and checked against the chain's result hash first
//!   ([`crate::provider::outputs`]). Errors: 6001 unknown job, 6002 no accepted result yet,
//!   6003 no peer has the output.
//! - `jobs_provider(account)`: a provider's record: `{jobsDone, offences, declined, slashed,
//!   earned, jailed, jailedSince, stake, active, assigned}` (balances as decimal strings, as
//!   Substrate's RPC renders `u128`).

use jsonrpsee::RpcModule;
use serde_json::json;

use super::error::{
    error, JOBS_NOT_COMPLETED, JOBS_OTHER, JOBS_OUTPUT_UNAVAILABLE, JOBS_UNKNOWN_JOB,
};
use super::params::{account, arg};
use super::{blocking, RpcContext};
use crate::provider::outputs::OutputError;
use basalt_network::MAX_OUTPUT_CHUNK;
use basalt_runtime::Runtime;

/// A non-negative integer parameter.
fn u64_param(
    value: &serde_json::Value,
    what: &str,
) -> Result<u64, jsonrpsee::types::ErrorObjectOwned> {
    value.as_u64().ok_or_else(|| {
        super::error::invalid_params(format!("{what}: expected a non-negative integer"))
    })
}

pub(crate) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    blocking(
        module,
        "jobs_getResult",
        &["job", "offset", "length"],
        false,
        |ctx, args| {
            let job = u64_param(arg(args, 0), "job")?;
            let offset = match arg(args, 1) {
                serde_json::Value::Null => 0,
                v => u64_param(v, "offset")?,
            };
            let length = match arg(args, 2) {
                serde_json::Value::Null => MAX_OUTPUT_CHUNK,
                v => u32::try_from(u64_param(v, "length")?).unwrap_or(u32::MAX),
            }
            .min(MAX_OUTPUT_CHUNK);
            let chunk = ctx.outputs.chunk(job, offset, length).map_err(|e| {
                let code = match e {
                    OutputError::UnknownJob(_) => JOBS_UNKNOWN_JOB,
                    OutputError::NotCompleted(_) => JOBS_NOT_COMPLETED,
                    OutputError::Unavailable(_) => JOBS_OUTPUT_UNAVAILABLE,
                    OutputError::Node(_) => JOBS_OTHER,
                };
                error(code, e.to_string(), None)
            })?;
            Ok(json!({
                "output": format!("0x{}", hex::encode(&chunk.output)),
                "offset": chunk.offset,
                "total": chunk.total,
                "resultHash": super::error::hex_hash(&chunk.result_hash),
            }))
        },
    )?;
    blocking(module, "jobs_provider", &["account"], false, |ctx, args| {
        let who = account(arg(args, 0))?;
        let best = ctx.client.info().best_hash;
        let (record, stake, active, assigned) = ctx
            .client
            .call_at(best, || {
                (
                    pallet_jobs::ProviderRecords::get(&who),
                    pallet_staking::Pallet::<Runtime>::provider_stake(&who),
                    pallet_staking::Pallet::<Runtime>::is_active_provider(&who),
                    pallet_jobs::ProviderJobs::get(&who).to_vec(),
                )
            })
            .map_err(|e| error(JOBS_OTHER, e.to_string(), None))?;
        Ok(json!({
            "jobsDone": record.jobs_done,
            "offences": record.offences,
            "declined": record.declined,
            "slashed": record.slashed.to_string(),
            "earned": record.earned.to_string(),
            "jailed": record.jailed_since.is_some(),
            "jailedSince": record.jailed_since,
            "stake": stake.to_string(),
            "active": active,
            "assigned": assigned,
        }))
    })?;
    Ok(())
}
