//! The new JSON-RPC interface's stateless groups (paritytech/json-rpc-interface-spec):
//! `chainSpec_v1_*` (the chain's name, genesis hash and properties) and the `archive_v1_*`
//! getters explorers use (genesis hash, finalized height, hashes by height, headers, bodies,
//! runtime calls). Unknown blocks answer `null`, as the specification says.
//!
//! `archive_v1_hashByHeight` above the finalized height answers the best chain's block: the
//! node indexes blocks by number along its best chain only. `archive_v1_storage` and
//! `archive_v1_storageDiff` (subscriptions) and the `chainHead_v1_*` group are not served yet.

use codec::Encode;
use jsonrpsee::RpcModule;
use serde_json::{json, Value};

use super::error::{hex0x, hex_hash};
use super::params::{arg, call_parameters, hash, string, u32_param};
use super::{blocking, immediate, RpcContext, RpcResult};

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
    Ok(())
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
