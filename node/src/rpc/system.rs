//! `system_*`: who this node is, how it is doing, and the next nonce of an account.
//!
//! `system_accountNextIndex` is pool-aware as Substrate's: it starts from the account's nonce
//! on the best state and skips every nonce a ready transaction in the pool already uses, so a
//! wallet sending several transactions in a row gets consecutive nonces.
//!
//! `system_dryRun` (unsafe, as Substrate's) applies an extrinsic to a block built on `at` (the
//! best block by default) and discards the block: the answer is the SCALE-encoded
//! `ApplyExtrinsicResult`, so a wallet learns whether a call would fail, and why, without
//! paying for it.

use basalt_support::{AccountId, Nonce};
use codec::Encode;
use jsonrpsee::RpcModule;
use serde_json::{json, Value};

use basalt_support::generic::Header;
use basalt_support::H256;

use super::author::decode_extrinsic;
use super::error::{error, hex0x, state_client, unknown_block, SYSTEM_OTHER};
use super::params::{account, arg, bytes, opt_hash};
use super::{alias, blocking, immediate, RpcContext, RpcResult};

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
    blocking(module, "system_dryRun", &["extrinsic", "at"], true, dry_run)?;
    alias(module, "system_dryRunAt", "system_dryRun")?;
    Ok(())
}

/// Applies `args[0]` to a block on top of `args[1]` (or the best block), without inherents, in
/// externalities whose writes are discarded; the hex of the SCALE-encoded result.
fn dry_run(ctx: &RpcContext, args: &[Value]) -> RpcResult {
    let xt = decode_extrinsic(&bytes(arg(args, 0), "extrinsic")?)?;
    let at = opt_hash(arg(args, 1), "at")?.unwrap_or_else(|| ctx.client.info().best_hash);
    let parent = ctx.client.header(at).ok_or_else(|| unknown_block(&at))?;
    let header = Header {
        parent_hash: at,
        number: parent.number.saturating_add(1),
        state_root: H256::zero(),
        extrinsics_root: H256::zero(),
        digest: Default::default(),
    };
    let result = ctx
        .client
        .call_at(at, || {
            basalt_runtime::api::initialize_block(&header);
            basalt_runtime::api::apply_extrinsic(&xt)
        })
        .map_err(|e| state_client(e))?;
    Ok(json!(hex0x(&result.encode())))
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
