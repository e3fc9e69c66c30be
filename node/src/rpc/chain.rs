//! `chain_*`: block hashes, headers, blocks, the finalized head, and head subscriptions.
//!
//! Unknown blocks answer `null` (as Substrate). Head subscriptions send the current head at
//! once, then every new one; a subscriber that falls behind the client's notification buffer
//! is brought up to date with the current head instead of being dropped.

use std::sync::Arc;

use basalt_support::generic::Header;
use basalt_support::H256;
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::error::hex_hash;
use super::params::{arg, block_hash_query, opt_hash, positional, BlockHashQuery};
use super::{alias, blocking, immediate, send_json, RpcContext};

/// Registers the `chain_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    blocking(module, "chain_getHeader", &["hash"], false, |ctx, args| {
        let hash = opt_hash(arg(args, 0), "hash")?.unwrap_or_else(|| ctx.client.info().best_hash);
        Ok(header_json(ctx.client.header(hash)))
    })?;
    blocking(module, "chain_getBlock", &["hash"], false, |ctx, args| {
        let hash = opt_hash(arg(args, 0), "hash")?.unwrap_or_else(|| ctx.client.info().best_hash);
        match ctx.client.block(hash) {
            Some(block) => serde_json::to_value(&block).map_err(|e| {
                super::error::state_client(format!("could not serialise the block: {e}"))
            }),
            None => Ok(Value::Null),
        }
    })?;
    blocking(
        module,
        "chain_getBlockHash",
        &["blockNumber"],
        false,
        |ctx, args| {
            let hash_of = |n| match ctx.client.hash_at(n) {
                Some(h) => json!(hex_hash(&h)),
                None => Value::Null,
            };
            Ok(match block_hash_query(arg(args, 0))? {
                BlockHashQuery::Best => json!(hex_hash(&ctx.client.info().best_hash)),
                BlockHashQuery::One(n) => hash_of(n),
                BlockHashQuery::Many(list) => Value::Array(list.into_iter().map(hash_of).collect()),
            })
        },
    )?;
    alias(module, "chain_getHead", "chain_getBlockHash")?;
    immediate(module, "chain_getFinalizedHead", &[], false, |ctx, _| {
        Ok(json!(hex_hash(&ctx.client.info().finalized_hash)))
    })?;
    alias(module, "chain_getFinalisedHead", "chain_getFinalizedHead")?;

    module.register_subscription(
        "chain_subscribeNewHeads",
        "chain_newHead",
        "chain_unsubscribeNewHeads",
        |params, pending, ctx, _| async move { heads(params, pending, ctx, Heads::Best).await },
    )?;
    alias(module, "chain_subscribeNewHead", "chain_subscribeNewHeads")?;
    alias(
        module,
        "chain_unsubscribeNewHead",
        "chain_unsubscribeNewHeads",
    )?;
    alias(module, "subscribe_newHead", "chain_subscribeNewHeads")?;
    alias(module, "unsubscribe_newHead", "chain_unsubscribeNewHeads")?;
    module.register_subscription(
        "chain_subscribeAllHeads",
        "chain_allHead",
        "chain_unsubscribeAllHeads",
        |params, pending, ctx, _| async move { heads(params, pending, ctx, Heads::All).await },
    )?;
    module.register_subscription(
        "chain_subscribeFinalizedHeads",
        "chain_finalizedHead",
        "chain_unsubscribeFinalizedHeads",
        |params, pending, ctx, _| async move { heads(params, pending, ctx, Heads::Finalized).await },
    )?;
    alias(
        module,
        "chain_subscribeFinalisedHeads",
        "chain_subscribeFinalizedHeads",
    )?;
    alias(
        module,
        "chain_unsubscribeFinalisedHeads",
        "chain_unsubscribeFinalizedHeads",
    )?;
    Ok(())
}

/// A header as JSON (`null` when unknown).
pub(super) fn header_json(header: Option<Header>) -> Value {
    match header.map(|h| serde_json::to_value(&h)) {
        Some(Ok(value)) => value,
        Some(Err(e)) => {
            tracing::error!(target: "rpc", error = %e, "could not serialise a header");
            Value::Null
        }
        None => Value::Null,
    }
}

/// Which heads a subscription follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Heads {
    /// New best blocks (`chain_newHead`).
    Best,
    /// Every imported block (`chain_allHead`).
    All,
    /// Finalized blocks (`chain_finalizedHead`).
    Finalized,
}

/// Runs one head subscription until the client unsubscribes or the node stops.
async fn heads(
    params: jsonrpsee::types::Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
    which: Heads,
) {
    if let Err(e) = positional(&params, &[]) {
        pending.reject(e).await;
        return;
    }
    // Subscribe before reading the current head so that nothing falls in between.
    let mut imports = ctx.client.import_notifications();
    let mut finality = ctx.client.finality_notifications();
    let Ok(sink) = pending.accept().await else {
        return;
    };
    let current = |ctx: &RpcContext| -> Option<(H256, Header)> {
        let info = ctx.client.info();
        let hash = match which {
            Heads::Finalized => info.finalized_hash,
            Heads::Best | Heads::All => info.best_hash,
        };
        ctx.client.header(hash).map(|h| (hash, h))
    };
    let mut last_sent: Option<H256> = None;
    if let Some((hash, header)) = current(&ctx) {
        if !send_json(&sink, &header).await {
            return;
        }
        last_sent = Some(hash);
    }
    loop {
        let next: Option<(H256, Header)> = match which {
            Heads::Best | Heads::All => tokio::select! {
                _ = sink.closed() => return,
                n = imports.recv() => match n {
                    Ok(n) if which == Heads::All || n.is_new_best => Some((n.hash, n.header.clone())),
                    Ok(_) => None,
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::debug!(target: "rpc", skipped, "head subscriber lagged");
                        current(&ctx)
                    }
                    Err(RecvError::Closed) => return,
                },
            },
            Heads::Finalized => tokio::select! {
                _ = sink.closed() => return,
                n = finality.recv() => match n {
                    Ok(n) => Some((n.hash, n.header.clone())),
                    Err(RecvError::Lagged(_)) => current(&ctx),
                    Err(RecvError::Closed) => return,
                },
            },
        };
        if let Some((hash, header)) = next {
            if last_sent == Some(hash) {
                continue;
            }
            if !send_json(&sink, &header).await {
                return;
            }
            last_sent = Some(hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_support::generic::{Digest, DigestItem};

    #[test]
    fn header_json_shape() {
        let header = Header {
            parent_hash: H256::repeat_byte(1),
            number: 0x1a,
            state_root: H256::repeat_byte(2),
            extrinsics_root: H256::repeat_byte(3),
            digest: Digest {
                logs: vec![DigestItem::PreRuntime(
                    *b"aura",
                    vec![1, 0, 0, 0, 0, 0, 0, 0],
                )],
            },
        };
        let json = header_json(Some(header));
        assert_eq!(json["parentHash"], format!("0x{}", "01".repeat(32)));
        assert_eq!(json["number"], "0x1a");
        assert_eq!(json["stateRoot"], format!("0x{}", "02".repeat(32)));
        assert_eq!(json["extrinsicsRoot"], format!("0x{}", "03".repeat(32)));
        assert_eq!(json["digest"]["logs"][0], "0x0661757261200100000000000000");
        assert_eq!(header_json(None), Value::Null);
    }

    #[test]
    fn block_json_shape() {
        use basalt_support::generic::{Block, OpaqueExtrinsic, SignedBlock};
        let block = SignedBlock {
            block: Block {
                header: Header::default(),
                extrinsics: vec![OpaqueExtrinsic::from_body(vec![4, 1, 0])],
            },
            justifications: None,
        };
        let json = serde_json::to_value(&block).unwrap();
        assert_eq!(json["block"]["extrinsics"][0], "0x0c040100");
        assert_eq!(json["block"]["header"]["number"], "0x0");
        assert_eq!(json["justifications"], Value::Null);
    }
}
