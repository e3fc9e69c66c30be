//! `system_*`: who this node is, how it is doing, and the next nonce of an account.
//!
//! `system_accountNextIndex` is pool-aware as Substrate's: it starts from the account's nonce
//! on the best state and skips every nonce a ready transaction in the pool already uses, so a
//! wallet sending several transactions in a row gets consecutive nonces.

use basalt_support::{AccountId, Nonce};
use codec::Encode;
use jsonrpsee::RpcModule;
use serde_json::{json, Value};

use super::error::{error, SYSTEM_OTHER};
use super::params::{account, arg};
use super::{alias, blocking, immediate, RpcContext};

/// Registers the `system_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    immediate(module, "system_name", &[], false, |ctx, _| {
        Ok(json!(ctx.system.name))
    })?;
    immediate(module, "system_version", &[], false, |ctx, _| {
        Ok(json!(ctx.system.version))
    })?;
    immediate(module, "system_chain", &[], false, |ctx, _| {
        Ok(json!(ctx.system.chain))
    })?;
    immediate(module, "system_chainType", &[], false, |ctx, _| {
        Ok(json!(ctx.system.chain_type))
    })?;
    immediate(module, "system_properties", &[], false, |ctx, _| {
        Ok(ctx.system.properties.clone())
    })?;
    immediate(module, "system_health", &[], false, |ctx, _| {
        Ok(health(ctx))
    })?;
    immediate(module, "system_localPeerId", &[], false, |ctx, _| {
        Ok(json!(ctx.system.peer_id))
    })?;
    immediate(
        module,
        "system_localListenAddresses",
        &[],
        false,
        |ctx, _| {
            let Some(net) = &ctx.network else {
                return Ok(json!([]));
            };
            let addresses: Vec<String> = net
                .network
                .listen_addresses()
                .iter()
                .map(ToString::to_string)
                .collect();
            Ok(json!(addresses))
        },
    )?;
    immediate(module, "system_nodeRoles", &[], false, |ctx, _| {
        Ok(json!([if ctx.system.is_validator {
            "Authority"
        } else {
            "Full"
        }]))
    })?;
    // Substrate treats the peer list as unsafe (it reveals the node's connections).
    immediate(module, "system_peers", &[], true, |ctx, _| Ok(peers(ctx)))?;
    immediate(module, "system_syncState", &[], false, |ctx, _| {
        let best = ctx.client.info().best_number;
        Ok(match &ctx.network {
            Some(net) => {
                let state = net.sync.state();
                json!({
                    "startingBlock": state.starting_block,
                    "currentBlock": best,
                    "highestBlock": state.highest_block.max(best),
                })
            }
            None => json!({ "startingBlock": 0, "currentBlock": best, "highestBlock": best }),
        })
    })?;
    blocking(
        module,
        "system_accountNextIndex",
        &["account"],
        false,
        |ctx, args| {
            let who = account(arg(args, 0))?;
            next_index(ctx, &who).map(|n| json!(n))
        },
    )?;
    alias(module, "account_nextIndex", "system_accountNextIndex")?;
    Ok(())
}

/// `{peers, isSyncing, shouldHavePeers}`; a development chain is not expected to have peers.
fn health(ctx: &RpcContext) -> Value {
    let (peers, syncing) = match &ctx.network {
        Some(net) => (
            net.network.num_connected(),
            net.sync.state().is_major_syncing,
        ),
        None => (0, false),
    };
    json!({
        "peers": peers,
        "isSyncing": syncing,
        "shouldHavePeers": ctx.system.chain_type != "Development",
    })
}

/// `[{peerId, roles, bestHash, bestNumber}]`, as Substrate's `system_peers`.
fn peers(ctx: &RpcContext) -> Value {
    let Some(net) = &ctx.network else {
        return json!([]);
    };
    let list: Vec<Value> = net
        .network
        .peers()
        .iter()
        .map(|p| {
            json!({
                "peerId": p.peer_id.to_string(),
                "roles": p.roles.as_substrate_str(),
                "bestHash": p.best_hash,
                "bestNumber": p.best_number,
            })
        })
        .collect();
    json!(list)
}

/// The account's nonce on the best state, then past every nonce a ready pooled transaction of
/// the account provides (`(account, nonce)` tags, as the runtime's `CheckNonce` makes them).
fn next_index(
    ctx: &RpcContext,
    who: &AccountId,
) -> Result<Nonce, jsonrpsee::types::ErrorObjectOwned> {
    let best = ctx.client.info().best_hash;
    let mut nonce = ctx
        .client
        .call_at(best, || basalt_runtime::api::account_nonce(who))
        .map_err(|e| error(SYSTEM_OTHER, format!("Client error: {e}"), None))?;
    // Bounded by the pool's per-sender limit.
    while ctx.pool.ready_provides(&(who, nonce).encode()) {
        match nonce.checked_add(1) {
            Some(next) => nonce = next,
            None => break,
        }
    }
    Ok(nonce)
}
