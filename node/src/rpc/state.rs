//! `state_*`: storage reads, key listings, read proofs, metadata, the runtime version,
//! `state_call`, and storage and runtime-version subscriptions; the legacy listings explorers
//! still call (`state_getKeys`, and the unsafe `state_getPairs` and `state_queryStorage`),
//! bounded.
//!
//! Every read is against one block's state (the best block unless `at` is given); a block whose
//! state is unknown is error 4003, a listing over the maximum count 4002. `state_subscribeStorage`
//! pushes the current values at once, then the keys whose values changed at each new best
//! block (`state_storage` notifications of `{block, changes: [[key, value|null]]}`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use basalt_support::primitives::hashing::blake2_256;
use basalt_support::state::Backend;
use basalt_support::H256;
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::error::{hex0x, hex_hash, invalid_count, invalid_params, state_client, unknown_block};
use super::params::{arg, bytes, key_list, opt_bytes, opt_hash, positional, string, u32_param};
use super::{alias, blocking, send_json, RpcContext, RpcResult};

/// Most keys `state_getKeysPaged` returns per call (Substrate's limit).
pub const MAX_KEYS_PAGED: u32 = 1000;
/// Most keys one storage query or subscription may name.
pub const MAX_KEYS_PER_QUERY: usize = 1000;
/// Most keys the unpaged listings (`state_getKeys`, `state_getPairs`) return: a prefix with more
/// is refused (4002) and must be read with `state_getKeysPaged`.
pub const MAX_KEYS_UNPAGED: u32 = 10_000;
/// Most blocks one `state_queryStorage` walks.
pub const MAX_QUERY_RANGE: u32 = 1000;

/// The block a query is about and whether it is known.
fn at_or_best(ctx: &RpcContext, at: Option<H256>) -> H256 {
    at.unwrap_or_else(|| ctx.client.info().best_hash)
}

/// Reads `keys` at block `at`; fails if the state is unknown or corrupt.
fn read_values(
    ctx: &RpcContext,
    at: H256,
    keys: &[Vec<u8>],
) -> Result<Vec<Option<Vec<u8>>>, jsonrpsee::types::ErrorObjectOwned> {
    let state = ctx.client.state_at(at).ok_or_else(|| unknown_block(&at))?;
    let values: Vec<Option<Vec<u8>>> = keys.iter().map(|k| state.storage(k)).collect();
    if state.is_corrupt() {
        tracing::error!(target: "rpc", block = ?at, "state database is corrupt");
        return Err(state_client("state database is corrupt"));
    }
    Ok(values)
}

/// One value at the block named by `args[at_index]`.
fn read_one(
    ctx: &RpcContext,
    args: &[Value],
    at_index: usize,
) -> Result<Option<Vec<u8>>, jsonrpsee::types::ErrorObjectOwned> {
    let key = bytes(arg(args, 0), "key")?;
    let at = at_or_best(ctx, opt_hash(arg(args, at_index), "at")?);
    Ok(read_values(ctx, at, &[key])?.pop().flatten())
}

/// The hex of the V14 metadata, computed once.
fn metadata_hex() -> &'static str {
    static HEX: OnceLock<String> = OnceLock::new();
    HEX.get_or_init(|| hex0x(&basalt_runtime::api::metadata()))
}

/// Checks that `at` (if given) is a known block.
fn known_block(
    ctx: &RpcContext,
    at: Option<H256>,
) -> Result<H256, jsonrpsee::types::ErrorObjectOwned> {
    let hash = at_or_best(ctx, at);
    if ctx.client.header(hash).is_none() {
        return Err(unknown_block(&hash));
    }
    Ok(hash)
}

/// `{block, changes}` as `state_queryStorageAt` and `state_storage` notifications send it.
fn change_set(block: &H256, changes: &[(&Vec<u8>, &Option<Vec<u8>>)]) -> Value {
    let changes: Vec<Value> = changes
        .iter()
        .map(|(key, value)| json!([hex0x(key), value.as_ref().map(|v| hex0x(v))]))
        .collect();
    json!({ "block": hex_hash(block), "changes": changes })
}

/// Registers the `state_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    blocking(
        module,
        "state_getStorage",
        &["key", "at"],
        false,
        |ctx, args| Ok(json!(read_one(ctx, args, 1)?.map(|v| hex0x(&v)))),
    )?;
    alias(module, "state_getStorageAt", "state_getStorage")?;
    blocking(
        module,
        "state_getStorageHash",
        &["key", "at"],
        false,
        |ctx, args| {
            Ok(json!(
                read_one(ctx, args, 1)?.map(|v| hex0x(&blake2_256(&v)))
            ))
        },
    )?;
    alias(module, "state_getStorageHashAt", "state_getStorageHash")?;
    blocking(
        module,
        "state_getStorageSize",
        &["key", "at"],
        false,
        |ctx, args| Ok(json!(read_one(ctx, args, 1)?.map(|v| v.len() as u64))),
    )?;
    alias(module, "state_getStorageSizeAt", "state_getStorageSize")?;
    blocking(
        module,
        "state_getKeysPaged",
        &["prefix", "count", "startKey", "at"],
        false,
        keys_paged,
    )?;
    alias(module, "state_getKeysPagedAt", "state_getKeysPaged")?;
    blocking(
        module,
        "state_queryStorageAt",
        &["keys", "at"],
        false,
        |ctx, args| {
            let keys = key_list(arg(args, 0), "keys")?;
            if keys.len() > MAX_KEYS_PER_QUERY {
                return Err(invalid_params(format!(
                    "at most {MAX_KEYS_PER_QUERY} keys per query"
                )));
            }
            let at = at_or_best(ctx, opt_hash(arg(args, 1), "at")?);
            let values = read_values(ctx, at, &keys)?;
            let pairs: Vec<_> = keys.iter().zip(values.iter()).collect();
            Ok(json!([change_set(&at, &pairs)]))
        },
    )?;
    blocking(
        module,
        "state_getKeys",
        &["prefix", "at"],
        false,
        |ctx, args| {
            let (_, keys) = unpaged(ctx, args)?;
            Ok(json!(keys.iter().map(|k| hex0x(k)).collect::<Vec<_>>()))
        },
    )?;
    blocking(
        module,
        "state_getPairs",
        &["prefix", "at"],
        true,
        |ctx, args| {
            let (at, keys) = unpaged(ctx, args)?;
            let values = read_values(ctx, at, &keys)?;
            let pairs: Vec<Value> = keys
                .iter()
                .zip(values)
                .filter_map(|(k, v)| v.map(|v| json!([hex0x(k), hex0x(&v)])))
                .collect();
            Ok(Value::Array(pairs))
        },
    )?;
    blocking(
        module,
        "state_queryStorage",
        &["keys", "fromBlock", "toBlock"],
        true,
        query_storage,
    )?;
    blocking(
        module,
        "state_getReadProof",
        &["keys", "at"],
        false,
        |ctx, args| {
            let keys = key_list(arg(args, 0), "keys")?;
            if keys.len() > MAX_KEYS_PER_QUERY {
                return Err(invalid_params(format!(
                    "at most {MAX_KEYS_PER_QUERY} keys per proof"
                )));
            }
            let at = at_or_best(ctx, opt_hash(arg(args, 1), "at")?);
            let state = ctx.client.state_at(at).ok_or_else(|| unknown_block(&at))?;
            let refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
            let proof = state.read_proof(&refs);
            if state.is_corrupt() {
                return Err(state_client("state database is corrupt"));
            }
            let proof: Vec<String> = proof.iter().map(|node| hex0x(node)).collect();
            Ok(json!({ "at": hex_hash(&at), "proof": proof }))
        },
    )?;
    blocking(module, "state_getMetadata", &["at"], false, |ctx, args| {
        known_block(ctx, opt_hash(arg(args, 0), "at")?)?;
        Ok(json!(metadata_hex()))
    })?;
    blocking(
        module,
        "state_getRuntimeVersion",
        &["at"],
        false,
        |ctx, args| {
            known_block(ctx, opt_hash(arg(args, 0), "at")?)?;
            Ok(basalt_runtime::api::version().to_json())
        },
    )?;
    alias(module, "chain_getRuntimeVersion", "state_getRuntimeVersion")?;
    blocking(
        module,
        "state_call",
        &["name", "bytes", "hash"],
        false,
        |ctx, args| {
            let method = string(arg(args, 0), "name")?;
            let data = bytes(arg(args, 1), "bytes")?;
            let at = known_block(ctx, opt_hash(arg(args, 2), "hash")?)?;
            let outcome = ctx
                .client
                .runtime_call(at, &method, &data)
                .map_err(state_client)?;
            match outcome {
                Ok(out) => Ok(json!(hex0x(&out))),
                Err(reason) => Err(state_client(format!("Execution failed: {reason}"))),
            }
        },
    )?;
    alias(module, "state_callAt", "state_call")?;

    module.register_subscription(
        "state_subscribeStorage",
        "state_storage",
        "state_unsubscribeStorage",
        |params, pending, ctx, _| async move { storage_subscription(params, pending, ctx).await },
    )?;
    module.register_subscription(
        "state_subscribeRuntimeVersion",
        "state_runtimeVersion",
        "state_unsubscribeRuntimeVersion",
        |params, pending, _ctx, _| async move {
            if let Err(e) = positional(&params, &[]) {
                pending.reject(e).await;
                return;
            }
            let Ok(sink) = pending.accept().await else {
                return;
            };
            // The native runtime's version changes only with the binary, so the first
            // notification is the only one.
            if send_json(&sink, &basalt_runtime::api::version().to_json()).await {
                sink.closed().await;
            }
        },
    )?;
    alias(
        module,
        "chain_subscribeRuntimeVersion",
        "state_subscribeRuntimeVersion",
    )?;
    alias(
        module,
        "chain_unsubscribeRuntimeVersion",
        "state_unsubscribeRuntimeVersion",
    )?;
    Ok(())
}

/// `state_getKeysPaged(prefix, count, startKey?, at?)`.
fn keys_paged(ctx: &RpcContext, args: &[Value]) -> RpcResult {
    let prefix = opt_bytes(arg(args, 0), "prefix")?.unwrap_or_default();
    let count = u32_param(arg(args, 1), "count")?;
    if count > MAX_KEYS_PAGED {
        return Err(invalid_count(count, MAX_KEYS_PAGED));
    }
    let start = opt_bytes(arg(args, 2), "startKey")?;
    let at = at_or_best(ctx, opt_hash(arg(args, 3), "at")?);
    let state = ctx.client.state_at(at).ok_or_else(|| unknown_block(&at))?;
    let keys = state.keys_paged(&prefix, count as usize, start.as_deref());
    if state.is_corrupt() {
        return Err(state_client("state database is corrupt"));
    }
    Ok(json!(keys.iter().map(|k| hex0x(k)).collect::<Vec<_>>()))
}

/// The keys under `args[0]` (a prefix) at block `args[1]`, at most [`MAX_KEYS_UNPAGED`] of
/// them (4002 when there are more: `state_getKeysPaged` pages through any number).
fn unpaged(
    ctx: &RpcContext,
    args: &[Value],
) -> Result<(H256, Vec<Vec<u8>>), jsonrpsee::types::ErrorObjectOwned> {
    let prefix = opt_bytes(arg(args, 0), "prefix")?.unwrap_or_default();
    let at = at_or_best(ctx, opt_hash(arg(args, 1), "at")?);
    let state = ctx.client.state_at(at).ok_or_else(|| unknown_block(&at))?;
    let keys = state.keys_paged(&prefix, MAX_KEYS_UNPAGED as usize + 1, None);
    if state.is_corrupt() {
        return Err(state_client("state database is corrupt"));
    }
    if keys.len() > MAX_KEYS_UNPAGED as usize {
        return Err(invalid_count(keys.len() as u32, MAX_KEYS_UNPAGED));
    }
    Ok((at, keys))
}

/// `state_queryStorage(keys, fromBlock, toBlock)`: for each block from `fromBlock` to `toBlock`
/// (default: the best block) on one chain, the keys whose values differ from the block before
/// (every key at `fromBlock`), as Substrate answers it. At most [`MAX_QUERY_RANGE`] blocks and
/// [`MAX_KEYS_PER_QUERY`] keys; `fromBlock` must be an ancestor of `toBlock`.
fn query_storage(ctx: &RpcContext, args: &[Value]) -> RpcResult {
    let keys = key_list(arg(args, 0), "keys")?;
    if keys.len() > MAX_KEYS_PER_QUERY {
        return Err(invalid_params(format!(
            "at most {MAX_KEYS_PER_QUERY} keys per query"
        )));
    }
    let from = opt_hash(arg(args, 1), "fromBlock")?
        .ok_or_else(|| invalid_params("fromBlock is required"))?;
    let to = at_or_best(ctx, opt_hash(arg(args, 2), "toBlock")?);
    let from_header = ctx
        .client
        .header(from)
        .ok_or_else(|| unknown_block(&from))?;
    let mut blocks = vec![to];
    let mut cursor = ctx.client.header(to).ok_or_else(|| unknown_block(&to))?;
    while blocks.last() != Some(&from) {
        if cursor.number <= from_header.number {
            return Err(invalid_params("fromBlock is not an ancestor of toBlock"));
        }
        if blocks.len() > MAX_QUERY_RANGE as usize {
            return Err(invalid_params(format!(
                "at most {MAX_QUERY_RANGE} blocks per query"
            )));
        }
        let parent = cursor.parent_hash;
        cursor = ctx
            .client
            .header(parent)
            .ok_or_else(|| unknown_block(&parent))?;
        blocks.push(parent);
    }
    blocks.reverse();
    let mut previous: Option<Vec<Option<Vec<u8>>>> = None;
    let mut sets = Vec::with_capacity(blocks.len());
    for block in &blocks {
        let values = read_values(ctx, *block, &keys)?;
        let changed: Vec<_> = keys
            .iter()
            .zip(values.iter())
            .enumerate()
            .filter(|(i, (_, v))| previous.as_ref().is_none_or(|p| p[*i] != **v))
            .map(|(_, kv)| kv)
            .collect();
        if previous.is_none() || !changed.is_empty() {
            sets.push(change_set(block, &changed));
        }
        previous = Some(values);
    }
    Ok(Value::Array(sets))
}

/// Runs one `state_subscribeStorage` subscription.
async fn storage_subscription(
    params: jsonrpsee::types::Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
) {
    let keys = match positional(&params, &["keys"]).and_then(|args| match arg(&args, 0) {
        Value::Null => Err(invalid_params(
            "state_subscribeStorage needs a list of keys; subscribing to every change is not supported",
        )),
        keys => key_list(keys, "keys"),
    }) {
        Ok(keys) if keys.len() <= MAX_KEYS_PER_QUERY => keys,
        Ok(_) => {
            pending
                .reject(invalid_params(format!("at most {MAX_KEYS_PER_QUERY} keys per subscription")))
                .await;
            return;
        }
        Err(e) => {
            pending.reject(e).await;
            return;
        }
    };
    let keys = Arc::new(keys);
    let mut imports = ctx.client.import_notifications();
    let read = |ctx: Arc<RpcContext>, at: H256, keys: Arc<Vec<Vec<u8>>>| async move {
        tokio::task::spawn_blocking(move || read_values(&ctx, at, &keys))
            .await
            .ok()
            .and_then(Result::ok)
    };
    let best = ctx.client.info().best_hash;
    let Some(initial) = read(ctx.clone(), best, keys.clone()).await else {
        pending.reject(unknown_block(&best)).await;
        return;
    };
    let Ok(sink) = pending.accept().await else {
        return;
    };
    let pairs: Vec<_> = keys.iter().zip(initial.iter()).collect();
    if !send_json(&sink, &change_set(&best, &pairs)).await {
        return;
    }
    let mut last: HashMap<Vec<u8>, Option<Vec<u8>>> = keys.iter().cloned().zip(initial).collect();
    let mut last_block = best;
    loop {
        let block = tokio::select! {
            _ = sink.closed() => return,
            n = imports.recv() => match n {
                Ok(n) if n.is_new_best => n.hash,
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => ctx.client.info().best_hash,
                Err(RecvError::Closed) => return,
            },
        };
        if block == last_block {
            continue;
        }
        let Some(values) = read(ctx.clone(), block, keys.clone()).await else {
            continue;
        };
        last_block = block;
        let changed: Vec<(&Vec<u8>, &Option<Vec<u8>>)> = keys
            .iter()
            .zip(values.iter())
            .filter(|(k, v)| last.get(*k) != Some(*v))
            .collect();
        if changed.is_empty() {
            continue;
        }
        if !send_json(&sink, &change_set(&block, &changed)).await {
            return;
        }
        for (k, v) in keys.iter().zip(values) {
            last.insert(k.clone(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_set_shape() {
        let k1 = vec![1u8, 2];
        let k2 = vec![3u8];
        let v1 = Some(vec![0xffu8]);
        let v2: Option<Vec<u8>> = None;
        let value = change_set(&H256::repeat_byte(9), &[(&k1, &v1), (&k2, &v2)]);
        assert_eq!(
            value,
            json!({
                "block": format!("0x{}", "09".repeat(32)),
                "changes": [["0x0102", "0xff"], ["0x03", null]],
            })
        );
    }

    #[test]
    fn runtime_version_json() {
        let v = basalt_runtime::api::version().to_json();
        for field in [
            "specName",
            "implName",
            "authoringVersion",
            "specVersion",
            "implVersion",
            "apis",
            "transactionVersion",
            "stateVersion",
        ] {
            assert!(v.get(field).is_some(), "{field}");
        }
        assert_eq!(v["specName"], "basalt");
        assert!(v["apis"][0][0].as_str().is_some_and(|id| id.len() == 18));
    }

    #[test]
    fn metadata_is_v14_prefixed() {
        let hex = metadata_hex();
        // "meta" then version 14.
        assert!(hex.starts_with("0x6d6574610e"), "{}", &hex[..12]);
    }
}
