//! `jobs_*`: compute jobs for clients and explorers (Basalt's own methods; error codes 6000+).
//!
//! - `jobs_getResult(job, offset, length)`: a chunk (at most 1 MiB) of a completed job's
//!   output as `{output: "0x…", offset, total, resultHash}`, served from this node's store or
//!   fetched from a provider peer and checked against the chain's result hash first
//!   ([`crate::provider::outputs`]). Errors: 6001 unknown job, 6002 no accepted result yet,
//!   6003 no peer has the output.
//! - `jobs_list(filter, page)`: jobs newest first, `filter` = `{state?, client?, provider?,
//!   program?}` (state by name: `"Pending"`, `"Completed"`, …), `page` = `{start?, limit?}`
//!   (`start`: the highest job id to include; `limit` at most 100). Returns `{jobs, next}`,
//!   `next` being the `start` of the following page (`null` at the end). One call looks at
//!   most at 10,000 jobs, so a sparse filter may return fewer than `limit` with a `next`.
//! - `jobs_provider(account)`: a provider's record: `{jobsDone, offences, declined, slashed,
//!   earned, jailed, jailedSince, stake, active, assigned}`.
//! - `jobs_estimate(program, input, replicas)`: what a job would cost and take, from the
//!   program's recent completed jobs (median price and median blocks from submission to
//!   settlement, for the same kind: optimistic or redundant): `{price, held, protocolFee,
//!   verificationFee, modelFee, blocks, ops, basis}` (`basis`: how many jobs the medians come from;
//!   without any, the chain's minimum price and `blocks: null`). Errors: 6004 unknown program,
//!   -32602 an input the kernel refuses.
//! - `jobs_subscribeJobState(job)` / `jobs_unsubscribeJobState`: the job as `jobs_list` shows
//!   it, at once and after each new best block that changes it (notification `jobs_jobState`);
//!   the last notification is its final state.
//!
//! Balances are decimal strings (as Substrate's RPC renders `u128`); accounts SS58 with the
//! chain's prefix. State reads run on blocking threads at the best block.

use std::sync::Arc;

use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::error::{
    error, hex_hash, invalid_params, JOBS_NOT_COMPLETED, JOBS_OTHER, JOBS_OUTPUT_UNAVAILABLE,
    JOBS_UNKNOWN_JOB, JOBS_UNKNOWN_PROGRAM,
};
use super::params::{account, arg, bytes, positional};
use super::{blocking, send_json, RpcContext, RpcResult};
use crate::provider::outputs::OutputError;
use basalt_network::MAX_OUTPUT_CHUNK;
use basalt_runtime::Runtime;
use basalt_support::{AccountId, Balance};
use jsonrpsee::types::ErrorObjectOwned;
use pallet_jobs::{Job, JobId, JobState, ProgramKind};

type JobsPallet = pallet_jobs::Pallet<Runtime>;

/// The most jobs one `jobs_list` page returns.
const MAX_PAGE: u64 = 100;
/// The most jobs one `jobs_list` call looks at.
const MAX_SCAN: u64 = 10_000;
/// The recent jobs `jobs_estimate` learns from.
const ESTIMATE_WINDOW: u64 = 2_000;

/// A non-negative integer parameter.
fn u64_param(value: &Value, what: &str) -> Result<u64, ErrorObjectOwned> {
    value
        .as_u64()
        .ok_or_else(|| invalid_params(format!("{what}: expected a non-negative integer")))
}

/// An optional non-negative integer parameter.
fn opt_u64(value: &Value, what: &str) -> Result<Option<u64>, ErrorObjectOwned> {
    match value {
        Value::Null => Ok(None),
        v => u64_param(v, what).map(Some),
    }
}

fn node_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
    error(JOBS_OTHER, e.to_string(), None)
}

/// The chain's SS58 prefix (its `ss58Format` property).
fn ss58_prefix(ctx: &RpcContext) -> u16 {
    ctx.system.properties["ss58Format"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(42)
}

fn address(who: &AccountId, prefix: u16) -> String {
    crate::keystore::ss58(who.as_ref(), prefix)
}

/// A job state as stock clients decode enums: a unit variant by name, others `{name: inner}`.
fn state_json(state: &JobState) -> Value {
    match state {
        JobState::Pending(r) => json!({ "Pending": format!("{r:?}") }),
        JobState::Assigned => json!("Assigned"),
        JobState::Committed => json!("Committed"),
        JobState::Revealed => json!("Revealed"),
        JobState::SpotCheck(p) => json!({ "SpotCheck": format!("{p:?}") }),
        JobState::Disputed(p) => json!({ "Disputed": format!("{p:?}") }),
        JobState::Escalated(p) => json!({ "Escalated": format!("{p:?}") }),
        JobState::Completed(h) => json!({ "Completed": hex_hash(h) }),
        JobState::Refunded(r) => json!({ "Refunded": format!("{r:?}") }),
        JobState::Expired => json!("Expired"),
    }
}

/// The name of a state's variant (what `jobs_list`'s `state` filter matches).
fn state_name(state: &JobState) -> &'static str {
    match state {
        JobState::Pending(_) => "Pending",
        JobState::Assigned => "Assigned",
        JobState::Committed => "Committed",
        JobState::Revealed => "Revealed",
        JobState::SpotCheck(_) => "SpotCheck",
        JobState::Disputed(_) => "Disputed",
        JobState::Escalated(_) => "Escalated",
        JobState::Completed(_) => "Completed",
        JobState::Refunded(_) => "Refunded",
        JobState::Expired => "Expired",
    }
}

/// A job as `jobs_list` and the subscription show it.
fn job_json(id: JobId, job: &Job, prefix: u16) -> Value {
    let assignments: Vec<Value> = job
        .assignments
        .iter()
        .map(|a| {
            json!({
                "provider": address(&a.provider, prefix),
                "role": format!("{:?}", a.role),
                "committed": a.commitment.is_some(),
                "result": a.result.as_ref().map(hex_hash),
                "active": a.active,
            })
        })
        .collect();
    json!({
        "id": id,
        "client": address(&job.client, prefix),
        "program": job.program,
        "replicas": job.replicas,
        "price": job.price.to_string(),
        "state": state_json(&job.state),
        "submittedAt": job.submitted_at,
        "deadline": job.deadline,
        "assignments": assignments,
    })
}

/// `jobs_list`'s filter.
struct Filter {
    state: Option<String>,
    client: Option<AccountId>,
    provider: Option<AccountId>,
    program: Option<u32>,
}

impl Filter {
    fn parse(value: &Value) -> Result<Self, ErrorObjectOwned> {
        let field = |name: &str| value.get(name).cloned().unwrap_or(Value::Null);
        if !value.is_null() && !value.is_object() {
            return Err(invalid_params("filter: expected an object or null"));
        }
        let opt_account = |v: Value| match v {
            Value::Null => Ok(None),
            v => account(&v).map(Some),
        };
        Ok(Filter {
            state: match field("state") {
                Value::Null => None,
                Value::String(s) => Some(s),
                _ => return Err(invalid_params("filter.state: expected a state name")),
            },
            client: opt_account(field("client"))?,
            provider: opt_account(field("provider"))?,
            program: opt_u64(&field("program"), "filter.program")?
                .map(|p| u32::try_from(p).map_err(|_| invalid_params("filter.program: too large")))
                .transpose()?,
        })
    }

    fn matches(&self, job: &Job) -> bool {
        self.state
            .as_deref()
            .is_none_or(|s| s == state_name(&job.state))
            && self.client.as_ref().is_none_or(|c| *c == job.client)
            && self
                .provider
                .as_ref()
                .is_none_or(|p| job.assignments.iter().any(|a| a.provider == *p))
            && self.program.is_none_or(|p| p == job.program)
    }
}

fn get_result(ctx: &RpcContext, args: &[Value]) -> RpcResult {
    let job = u64_param(arg(args, 0), "job")?;
    let offset = opt_u64(arg(args, 1), "offset")?.unwrap_or(0);
    let length = opt_u64(arg(args, 2), "length")?
        .unwrap_or(u64::from(MAX_OUTPUT_CHUNK))
        .min(u64::from(MAX_OUTPUT_CHUNK)) as u32;
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
        "resultHash": hex_hash(&chunk.result_hash),
    }))
}

fn list(ctx: &RpcContext, args: &[Value]) -> RpcResult {
    let filter = Filter::parse(arg(args, 0))?;
    let page = arg(args, 1);
    if !page.is_null() && !page.is_object() {
        return Err(invalid_params("page: expected an object or null"));
    }
    let field = |name: &str| page.get(name).cloned().unwrap_or(Value::Null);
    let start = opt_u64(&field("start"), "page.start")?;
    let limit = opt_u64(&field("limit"), "page.limit")?
        .unwrap_or(MAX_PAGE)
        .clamp(1, MAX_PAGE);
    let prefix = ss58_prefix(ctx);
    let best = ctx.client.info().best_hash;
    ctx.client
        .call_at(best, || {
            let end = pallet_jobs::NextJobId::get();
            let mut id = start.map_or(end, |s| s.saturating_add(1).min(end));
            let (mut jobs, mut scanned) = (Vec::new(), 0u64);
            while id > 0 && (jobs.len() as u64) < limit && scanned < MAX_SCAN {
                id -= 1;
                scanned += 1;
                if let Some(job) = pallet_jobs::Jobs::get(id) {
                    if filter.matches(&job) {
                        jobs.push(job_json(id, &job, prefix));
                    }
                }
            }
            let next = (id > 0).then(|| id - 1);
            json!({ "jobs": jobs, "next": next })
        })
        .map_err(node_error)
}

fn provider(ctx: &RpcContext, args: &[Value]) -> RpcResult {
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
        .map_err(node_error)?;
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
}

/// The median of `values` (the lower middle one), if any.
fn median<T: Ord + Copy>(values: &mut [T]) -> Option<T> {
    values.sort_unstable();
    values.get(values.len().saturating_sub(1) / 2).copied()
}

fn estimate(ctx: &RpcContext, args: &[Value]) -> RpcResult {
    let program_id = u32::try_from(u64_param(arg(args, 0), "program")?)
        .map_err(|_| invalid_params("program: too large"))?;
    let input = bytes(arg(args, 1), "input")?;
    let replicas = u8::try_from(u64_param(arg(args, 2), "replicas")?)
        .map_err(|_| invalid_params("replicas: too large"))?;
    let best = ctx.client.info().best_hash;
    let (program, mut prices, mut blocks) = ctx
        .client
        .call_at(best, || {
            let program = pallet_jobs::Programs::get(program_id);
            let end = pallet_jobs::NextJobId::get();
            let (mut prices, mut blocks) = (Vec::new(), Vec::new());
            for id in (end.saturating_sub(ESTIMATE_WINDOW)..end).rev() {
                let Some(job) = pallet_jobs::Jobs::get(id) else {
                    continue;
                };
                let same_kind = (job.replicas == 1) == (replicas == 1);
                if job.program == program_id
                    && same_kind
                    && matches!(job.state, JobState::Completed(_))
                {
                    prices.push(job.price);
                    blocks.push(job.deadline.saturating_sub(job.submitted_at));
                }
            }
            (program, prices, blocks)
        })
        .map_err(node_error)?;
    let program = program.ok_or_else(|| {
        error(
            JOBS_UNKNOWN_PROGRAM,
            format!("no program {program_id}"),
            None,
        )
    })?;
    let ops = match program.kind {
        ProgramKind::Kernel(id) => {
            let kernel = basalt_kernels::Kernel::from_id(id)
                .ok_or_else(|| node_error(format!("unknown kernel {id}")))?;
            let work = basalt_kernels::check_input(kernel, &input)
                .map_err(|e| invalid_params(format!("input: {e:?}")))?;
            Some(work.ops)
        }
        _ => None,
    };
    let basis = prices.len();
    let min_price = <Runtime as pallet_jobs::Config>::MIN_PRICE;
    let price: Balance = median(&mut prices).unwrap_or(min_price).max(min_price);
    // The model's usage fee is read from state, as submission would.
    let escrow = ctx
        .client
        .call_at(best, || JobsPallet::escrow_for(&program, price, replicas))
        .map_err(node_error)?
        .ok_or_else(|| invalid_params("price x replicas overflows"))?;
    Ok(json!({
        "price": price.to_string(),
        "held": escrow.held.to_string(),
        "protocolFee": escrow.protocol_fee.to_string(),
        "verificationFee": escrow.verification_fee.to_string(),
        "modelFee": escrow.model_fee.to_string(),
        "blocks": median(&mut blocks),
        "ops": ops,
        "basis": basis,
    }))
}

/// The job's JSON at the best block (`None` once unknown).
fn current_job(ctx: &RpcContext, id: JobId) -> Option<(Value, bool)> {
    let best = ctx.client.info().best_hash;
    let job = ctx
        .client
        .call_at(best, || pallet_jobs::Jobs::get(id))
        .ok()??;
    Some((job_json(id, &job, ss58_prefix(ctx)), job.state.is_final()))
}

/// Runs one `jobs_subscribeJobState` subscription until the job is settled, the client
/// unsubscribes, or the node stops.
async fn job_state(
    params: jsonrpsee::types::Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
) {
    let id = match positional(&params, &["job"]).and_then(|args| u64_param(arg(&args, 0), "job")) {
        Ok(id) => id,
        Err(e) => {
            pending.reject(e).await;
            return;
        }
    };
    let mut imports = ctx.client.import_notifications();
    let read = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            async move {
                tokio::task::spawn_blocking(move || current_job(&ctx, id))
                    .await
                    .ok()
                    .flatten()
            }
        }
    };
    let Some((first, done)) = read().await else {
        pending
            .reject(error(JOBS_UNKNOWN_JOB, format!("no job {id}"), None))
            .await;
        return;
    };
    let Ok(sink) = pending.accept().await else {
        return;
    };
    if !send_json(&sink, &first).await || done {
        return;
    }
    let mut last = first;
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            n = imports.recv() => match n {
                Ok(n) if !n.is_new_best => continue,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
        }
        let Some((now, done)) = read().await else {
            return;
        };
        if now != last {
            if !send_json(&sink, &now).await || done {
                return;
            }
            last = now;
        }
    }
}

pub(crate) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    blocking(
        module,
        "jobs_getResult",
        &["job", "offset", "length"],
        false,
        get_result,
    )?;
    blocking(module, "jobs_list", &["filter", "page"], false, list)?;
    blocking(module, "jobs_provider", &["account"], false, provider)?;
    blocking(
        module,
        "jobs_estimate",
        &["program", "input", "replicas"],
        false,
        estimate,
    )?;
    module.register_subscription(
        "jobs_subscribeJobState",
        "jobs_jobState",
        "jobs_unsubscribeJobState",
        |params, pending, ctx, _| async move { job_state(params, pending, ctx).await },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_render_as_stock_clients_decode_them() {
        use pallet_jobs::{PendingReason, Phase, RefundReason};
        assert_eq!(
            state_json(&JobState::Pending(PendingReason::TooFewProviders)),
            json!({"Pending": "TooFewProviders"})
        );
        assert_eq!(state_json(&JobState::Assigned), json!("Assigned"));
        assert_eq!(
            state_json(&JobState::Disputed(Phase::Reveal)),
            json!({"Disputed": "Reveal"})
        );
        assert_eq!(
            state_json(&JobState::Refunded(RefundReason::NoResult)),
            json!({"Refunded": "NoResult"})
        );
        assert_eq!(state_name(&JobState::Expired), "Expired");
    }

    #[test]
    fn median_takes_the_lower_middle() {
        assert_eq!(median(&mut [5u32, 1, 3]), Some(3));
        assert_eq!(median(&mut [4u32, 1, 3, 2]), Some(2));
        assert_eq!(median::<u32>(&mut []), None);
    }
}
