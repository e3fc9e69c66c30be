//! `author_*`: submitting and watching extrinsics, the pending set, and session keys.
//!
//! A submission is validated on the request itself: an invalid extrinsic is answered with an
//! error (1010 and the reason, 1012 banned, 1002 undecodable, ...) and never with a
//! subscription that would only later report "invalid" (py-substrate-interface would wait for
//! ever). A watched extrinsic's statuses go out as `author_extrinsicUpdate` notifications;
//! the subscription ends after a final status.
//!
//! Key methods (`author_insertKey`, `author_rotateKeys`, `author_hasKey`,
//! `author_hasSessionKeys`, `author_removeExtrinsic`) are unsafe.

use basalt_support::generic::OpaqueExtrinsic;
use basalt_support::validity::TransactionSource;
use jsonrpsee::RpcModule;
use serde_json::{json, Value};

use super::error::{
    error, hex_hash, invalid_params, pool_error, verification, AUTHOR_OTHER, UNSUPPORTED_KEY_TYPE,
};
use super::params::{arg, bytes, hash, positional, string};
use super::{blocking, immediate, send_json, RpcContext, RpcResult};
use crate::keystore::{parse_key_type, Scheme, AURA, GRANDPA};

/// Submissions over RPC are treated as coming from outside, as Substrate does.
const SOURCE: TransactionSource = TransactionSource::External;

/// Decodes the submitted bytes as a length-prefixed extrinsic.
pub(super) fn decode_extrinsic(
    raw: &[u8],
) -> Result<OpaqueExtrinsic, jsonrpsee::types::ErrorObjectOwned> {
    OpaqueExtrinsic::from_bytes(raw)
        .map_err(|e| verification(format!("Could not decode extrinsic: {e}")))
}

/// The session keys `author_rotateKeys` makes, in order: Aura (sr25519), GRANDPA (ed25519).
const SESSION_KEYS: [([u8; 4], Scheme); 2] = [(AURA, Scheme::Sr25519), (GRANDPA, Scheme::Ed25519)];

/// Registers the `author_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    module.register_async_method("author_submitExtrinsic", |params, ctx, _| async move {
        let args = positional(&params, &["extrinsic"])?;
        let xt = decode_extrinsic(&bytes(arg(&args, 0), "extrinsic")?)?;
        let hash = ctx
            .pool
            .submit_one_async(SOURCE, xt)
            .await
            .map_err(|e| pool_error(&e))?;
        RpcResult::Ok(json!(hex_hash(&hash)))
    })?;

    module.register_subscription(
        "author_submitAndWatchExtrinsic",
        "author_extrinsicUpdate",
        "author_unwatchExtrinsic",
        |params, pending, ctx, _| async move {
            let xt = match positional(&params, &["bytes"])
                .and_then(|args| bytes(arg(&args, 0), "bytes"))
                .and_then(|raw| decode_extrinsic(&raw))
            {
                Ok(xt) => xt,
                Err(e) => {
                    pending.reject(e).await;
                    return;
                }
            };
            let mut watcher = match ctx.pool.submit_and_watch_async(SOURCE, xt).await {
                Ok(watcher) => watcher,
                Err(e) => {
                    pending.reject(pool_error(&e)).await;
                    return;
                }
            };
            let Ok(sink) = pending.accept().await else {
                return;
            };
            loop {
                tokio::select! {
                    _ = sink.closed() => return,
                    status = watcher.next() => match status {
                        Some(status) => {
                            let last = status.is_final();
                            if !send_json(&sink, &status).await || last {
                                return;
                            }
                        }
                        None => return,
                    },
                }
            }
        },
    )?;

    immediate(module, "author_pendingExtrinsics", &[], false, |ctx, _| {
        let pending: Vec<String> = ctx
            .pool
            .ready()
            .iter()
            .map(|tx| format!("0x{}", hex::encode(tx.data.to_full_bytes())))
            .collect();
        Ok(json!(pending))
    })?;

    immediate(
        module,
        "author_removeExtrinsic",
        &["bytesOrHash"],
        true,
        |ctx, args| {
            let Value::Array(items) = arg(args, 0) else {
                return Err(invalid_params(
                    "expected a list of {\"hash\": ..} or {\"extrinsic\": ..}",
                ));
            };
            let mut hashes = Vec::with_capacity(items.len());
            for item in items {
                if let Some(h) = item.get("hash") {
                    hashes.push(hash(h, "hash")?);
                } else if let Some(x) = item.get("extrinsic") {
                    hashes.push(decode_extrinsic(&bytes(x, "extrinsic")?)?.hash());
                } else {
                    return Err(invalid_params(
                        "expected {\"hash\": ..} or {\"extrinsic\": ..}",
                    ));
                }
            }
            let removed = ctx.pool.report_invalid(&hashes);
            Ok(json!(removed.iter().map(hex_hash).collect::<Vec<_>>()))
        },
    )?;

    blocking(
        module,
        "author_insertKey",
        &["keyType", "suri", "publicKey"],
        true,
        |ctx, args| {
            let key_type = parse_key_type(&string(arg(args, 0), "keyType")?)
                .map_err(|e| error(UNSUPPORTED_KEY_TYPE, e.to_string(), None))?;
            let suri = string(arg(args, 1), "suri")?;
            let public = bytes(arg(args, 2), "publicKey")?;
            ctx.keystore
                .insert(key_type, &suri, &public)
                .map_err(|e| error(AUTHOR_OTHER, e.to_string(), None))?;
            tracing::info!(target: "rpc", key_type = %String::from_utf8_lossy(&key_type), "key inserted over RPC");
            Ok(Value::Null)
        },
    )?;

    blocking(module, "author_rotateKeys", &[], true, |ctx, _| {
        let mut keys = Vec::new();
        for (key_type, scheme) in SESSION_KEYS {
            let public = ctx
                .keystore
                .generate(key_type, scheme)
                .map_err(|e| error(AUTHOR_OTHER, e.to_string(), None))?;
            keys.extend(public);
        }
        tracing::info!(target: "rpc", "session keys rotated over RPC");
        Ok(json!(format!("0x{}", hex::encode(keys))))
    })?;

    immediate(
        module,
        "author_hasKey",
        &["publicKey", "keyType"],
        true,
        |ctx, args| {
            let public = bytes(arg(args, 0), "publicKey")?;
            let key_type = parse_key_type(&string(arg(args, 1), "keyType")?)
                .map_err(|e| error(UNSUPPORTED_KEY_TYPE, e.to_string(), None))?;
            Ok(json!(ctx.keystore.has_keys(&[(public, key_type)])))
        },
    )?;

    immediate(
        module,
        "author_hasSessionKeys",
        &["sessionKeys"],
        true,
        |ctx, args| {
            let raw = bytes(arg(args, 0), "sessionKeys")?;
            // As author_rotateKeys returns them: Aura's 32 bytes, then GRANDPA's 32 bytes.
            if raw.len() != 64 {
                return Err(error(
                    AUTHOR_OTHER,
                    "Session keys are not encoded correctly",
                    None,
                ));
            }
            let keys = vec![(raw[..32].to_vec(), AURA), (raw[32..].to_vec(), GRANDPA)];
            Ok(json!(ctx.keystore.has_keys(&keys)))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undecodable_submissions_are_1002() {
        // A length prefix that promises more bytes than there are, and trailing bytes.
        for raw in [vec![0xde, 0xad, 0xbe, 0xef], vec![4, 1, 2], vec![]] {
            let e = decode_extrinsic(&raw).unwrap_err();
            assert_eq!(e.code(), 1002, "{raw:?}");
            assert_eq!(e.message(), "Verification Error: Execution failed");
        }
        assert!(decode_extrinsic(&[8, 4, 0]).is_ok());
    }
}
