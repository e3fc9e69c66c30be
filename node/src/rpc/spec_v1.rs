//! The new JSON-RPC interface's stateless groups (paritytech/json-rpc-interface-spec):
//! `chainSpec_v1_*` (the chain's name, genesis hash and properties) and the `archive_v1_*`
//! getters explorers use (genesis hash, finalized height, hashes by height, headers, bodies,
//! runtime calls). Unknown blocks answer `null`, as the specification says.
//!
//! `archive_v1_hashByHeight` above the finalized height answers the best chain's block: the
//! node indexes blocks by number along its best chain only. `archive_v1_storage` is a
//! subscription: one `storage` event per result, then `storageDone` (or `storageError`); a
//! descendants query is read a page at a time and each event waits for the client to take it,
//! so a huge query costs the node only what the client consumes. `paginationStartKey` resumes
//! after that key. `archive_v1_storageDiff` is not served yet.

use codec::Encode;
use jsonrpsee::RpcModule;
use serde_json::{json, Value};

use std::sync::Arc;

use basalt_support::state::Backend;
use jsonrpsee::PendingSubscriptionSink;

use super::error::{hex0x, hex_hash, invalid_params};
use super::params::{arg, call_parameters, hash, positional, string, u32_param};
use super::storage_query::{self, StorageQuery};
use super::{blocking, immediate, send_json, RpcContext, RpcResult};

/// Registers the `chainSpec_v1_*` and `archive_v1_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    immediate(module, "chainSpec_v1_chainName", &[], false, |ctx, _| {
        Ok(json!(ctx.system.chain))
    })?;
    immediate(module, "chainSpec_v1_genesisHash", &[], false, genesis_hash)?;
    immediate(module, "chainSpec_v1_properties", &[], false, |ctx, _| {
        Ok(ctx.system.properties.clone())
    })?;
    immediate(module, "archive_v1_genesisHash", &[], false, genesis_hash)?;
    immediate(
        module,
        "archive_v1_finalizedHeight",
        &[],
        false,
        |ctx, _| Ok(json!(ctx.client.info().finalized_number)),
    )?;
    blocking(
        module,
        "archive_v1_hashByHeight",
        &["height"],
        false,
        |ctx, args| {
            let height = u32_param(arg(args, 0), "height")?;
            Ok(match ctx.client.hash_at(height) {
                Some(hash) => json!([hex_hash(&hash)]),
                None => json!([]),
            })
        },
    )?;
    blocking(
        module,
        "archive_v1_header",
        &["hash"],
        false,
        |ctx, args| {
            let hash = hash(arg(args, 0), "hash")?;
            Ok(ctx
                .client
                .header(hash)
                .map_or(Value::Null, |h| json!(hex0x(&h.encode()))))
        },
    )?;
    blocking(module, "archive_v1_body", &["hash"], false, |ctx, args| {
        let hash = hash(arg(args, 0), "hash")?;
        Ok(ctx.client.body(hash).map_or(Value::Null, |body| {
            json!(body
                .iter()
                .map(|xt| hex0x(&xt.encode()))
                .collect::<Vec<_>>())
        }))
    })?;
    blocking(
        module,
        "archive_v1_call",
        &["hash", "function", "callParameters"],
        false,
        call,
    )?;
    module.register_subscription(
        "archive_v1_storage",
        "archive_v1_storageEvent",
        "archive_v1_stopStorage",
        |params, pending, ctx, _| async move { archive_storage(params, pending, ctx).await },
    )?;
    Ok(())
}

/// `archive_v1_storage(hash, items, childTrie)`: every item's results as `storage` events, then
/// `storageDone`; `storageError` for an unknown block or an unreadable state. Basalt has no
/// child tries: a `childTrie` query finds nothing.
async fn archive_storage(
    params: jsonrpsee::types::Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
) {
    let parsed = positional(&params, &["hash", "items", "childTrie"]).and_then(|args| {
        let at = hash(arg(&args, 0), "hash")?;
        let items = storage_query::parse_items(arg(&args, 1))?;
        let child = arg(&args, 2);
        if !child.is_null() && !child.is_string() {
            return Err(invalid_params("childTrie must be a hex string or null"));
        }
        Ok((at, if child.is_null() { items } else { Vec::new() }))
    });
    let (at, items) = match parsed {
        Ok(p) => p,
        Err(e) => {
            pending.reject(e).await;
            return;
        }
    };
    let Ok(sink) = pending.accept().await else {
        return;
    };
    if ctx.client.header(at).is_none() {
        let _ = send_json(
            &sink,
            &json!({ "event": "storageError", "error": "unknown block" }),
        )
        .await;
        return;
    }
    for item in items {
        let mut query = StorageQuery {
            at,
            items: vec![(item.key, item.kind)],
            resume_after: item.pagination_start_key,
        };
        loop {
            let ctx = ctx.clone();
            let page = tokio::task::spawn_blocking(move || {
                let state = ctx.client.state_at(query.at)?;
                let (found, more) = storage_query::collect(&state, &mut query, storage_query::PAGE);
                (!state.is_corrupt()).then_some((found, more, query))
            })
            .await;
            let Ok(Some((found, more, rest))) = page else {
                let error =
                    json!({ "event": "storageError", "error": "the state could not be read" });
                let _ = send_json(&sink, &error).await;
                return;
            };
            for mut result in found {
                result["event"] = json!("storage");
                if !send_json(&sink, &result).await {
                    return;
                }
            }
            if !more {
                break;
            }
            query = rest;
        }
    }
    let _ = send_json(&sink, &json!({ "event": "storageDone" })).await;
}

fn genesis_hash(ctx: &RpcContext, _: &[Value]) -> RpcResult {
    Ok(json!(hex_hash(&ctx.client.info().genesis_hash)))
}

/// `{success: true, value}` with the runtime function's SCALE output, or `{success: false,
/// error}`; `null` for an unknown block.
fn call(ctx: &RpcContext, args: &[Value]) -> RpcResult {
    let hash = hash(arg(args, 0), "hash")?;
    let function = string(arg(args, 1), "function")?;
    let input = call_parameters(arg(args, 2))?;
    if ctx.client.header(hash).is_none() {
        return Ok(Value::Null);
    }
    Ok(match ctx.client.runtime_call(hash, &function, &input) {
        Ok(Ok(out)) => json!({ "success": true, "value": hex0x(&out) }),
        Ok(Err(reason)) => json!({ "success": false, "error": reason.to_string() }),
        Err(e) => json!({ "success": false, "error": e.to_string() }),
    })
}
