//! The new JSON-RPC interface's transaction groups (paritytech/json-rpc-interface-spec):
//! `transactionWatch_v1_submitAndWatch` / `_unwatch`, and `transaction_v1_broadcast` / `_stop`.
//!
//! A watched transaction's pool statuses become the specification's events: `validated` when
//! the pool accepts it, `bestChainBlockIncluded` with its block and index (or `null` when that
//! block leaves the best chain), then one final `finalized`, `invalid` or `dropped`. Bytes that
//! do not decode, or that the runtime refuses, are an `invalid` event, not an RPC error.
//!
//! `transaction_v1_broadcast` puts the transaction in the pool, which gossips it, and answers an
//! operation id; at most [`MAX_BROADCASTS`] are open at once (further calls answer `null`).
//! `transaction_v1_stop` forgets the operation; the node does not re-gossip on its own, so
//! stopping only frees its slot.

use std::collections::BTreeMap;
use std::sync::Arc;

use basalt_support::H256;
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use serde_json::{json, Value};

use super::author::decode_extrinsic;
use super::error::{hex_hash, invalid_params};
use super::params::{arg, bytes, positional, string};
use super::{send_json, RpcContext, RpcResult};
use crate::pool::TxStatus;
use basalt_support::validity::TransactionSource;

/// Most `transaction_v1_broadcast` operations open at once on one server.
pub const MAX_BROADCASTS: usize = 256;

/// The open `transaction_v1_broadcast` operations: id to transaction hash.
#[derive(Default)]
pub(crate) struct Broadcasts {
    next: u64,
    open: BTreeMap<u64, H256>,
}

/// Registers the `transaction_v1_*` and `transactionWatch_v1_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    module.register_subscription(
        "transactionWatch_v1_submitAndWatch",
        "transactionWatch_v1_watchEvent",
        "transactionWatch_v1_unwatch",
        |params, pending, ctx, _| async move { watch(params, pending, ctx).await },
    )?;
    module.register_async_method("transaction_v1_broadcast", |params, ctx, _| async move {
        let args = positional(&params, &["transaction"])?;
        let raw = bytes(arg(&args, 0), "transaction")?;
        let id = {
            let mut b = ctx.broadcasts.lock();
            if b.open.len() >= MAX_BROADCASTS {
                return RpcResult::Ok(Value::Null);
            }
            b.next = b.next.wrapping_add(1);
            let id = b.next;
            b.open.insert(id, H256::zero());
            id
        };
        // As the specification asks, an invalid transaction is silently not broadcast (and
        // still holds its slot until stopped).
        if let Ok(xt) = decode_extrinsic(&raw) {
            if let Ok(hash) = ctx
                .pool
                .submit_one_async(TransactionSource::External, xt)
                .await
            {
                ctx.broadcasts.lock().open.insert(id, hash);
            }
        }
        RpcResult::Ok(json!(id.to_string()))
    })?;
    module.register_method("transaction_v1_stop", |params, ctx, _| {
        let args = positional(&params, &["operationId"])?;
        let id = string(arg(&args, 0), "operationId")?;
        let removed = id
            .parse::<u64>()
            .ok()
            .and_then(|id| ctx.broadcasts.lock().open.remove(&id));
        match removed {
            Some(_) => RpcResult::Ok(Value::Null),
            None => Err(invalid_params("no such broadcast operation")),
        }
    })?;
    Ok(())
}

/// Runs one `transactionWatch_v1_submitAndWatch` subscription.
async fn watch(
    params: jsonrpsee::types::Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
) {
    let raw = match positional(&params, &["transaction"])
        .and_then(|a| bytes(arg(&a, 0), "transaction"))
    {
        Ok(raw) => raw,
        Err(e) => {
            pending.reject(e).await;
            return;
        }
    };
    let Ok(sink) = pending.accept().await else {
        return;
    };
    let xt = match decode_extrinsic(&raw) {
        Ok(xt) => xt,
        Err(e) => {
            send_json(&sink, &json!({"event": "invalid", "error": e.message()})).await;
            return;
        }
    };
    let mut watcher = match ctx
        .pool
        .submit_and_watch_async(TransactionSource::External, xt)
        .await
    {
        Ok(watcher) => watcher,
        Err(e) => {
            send_json(&sink, &json!({"event": "invalid", "error": e.to_string()})).await;
            return;
        }
    };
    let hash = watcher.hash;
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            status = watcher.next() => {
                let Some(status) = status else { return };
                let last = status.is_final();
                if let Some(event) = event_of(&ctx, &hash, &status) {
                    if !send_json(&sink, &event).await {
                        return;
                    }
                }
                if last {
                    return;
                }
            }
        }
    }
}

/// The specification's event for a pool status (`None`: nothing to report).
fn event_of(ctx: &RpcContext, tx: &H256, status: &TxStatus) -> Option<Value> {
    let block = |h: &H256| {
        let index = ctx
            .client
            .body(*h)
            .and_then(|body| body.iter().position(|xt| xt.hash() == *tx));
        json!({ "hash": hex_hash(h), "index": index })
    };
    Some(match status {
        TxStatus::Future | TxStatus::Ready => json!({ "event": "validated" }),
        TxStatus::Broadcast(_) => return None,
        TxStatus::InBlock(h) => json!({ "event": "bestChainBlockIncluded", "block": block(h) }),
        TxStatus::Retracted(_) => json!({ "event": "bestChainBlockIncluded", "block": null }),
        TxStatus::Finalized(h) => json!({ "event": "finalized", "block": block(h) }),
        TxStatus::FinalityTimeout(_) => {
            json!({ "event": "dropped", "error": "its block was not finalized in time" })
        }
        TxStatus::Usurped(_) => json!({
            "event": "invalid",
            "error": "replaced by a transaction with the same nonce and a higher priority",
        }),
        TxStatus::Dropped => json!({ "event": "dropped", "error": "evicted from the pool" }),
        TxStatus::Invalid => json!({ "event": "invalid", "error": "found invalid by the runtime" }),
    })
}
