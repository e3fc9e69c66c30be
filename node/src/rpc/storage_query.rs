//! Storage queries of the new JSON-RPC interface, shared by `chainHead_v1_storage` and
//! `archive_v1_storage`: the five item types (`value`, `hash`, `closestDescendantMerkleValue`,
//! `descendantsValues`, `descendantsHashes`), parsed once and answered in pages, so that a query
//! over a large prefix is served a page at a time rather than built whole in memory.

use basalt_support::primitives::hashing::blake2_256;
use basalt_support::state::Backend;
use basalt_support::H256;
use codec::Encode;
use jsonrpsee::types::ErrorObjectOwned;
use serde_json::{json, Value};

use super::error::{hex0x, invalid_params};
use super::params::bytes;
use crate::client::State;

/// Most results read from the state at a time: one `operationStorageItems` event of
/// `chainHead_v1_storage` (then `continue`), one page of `archive_v1_storage`.
pub(super) const PAGE: usize = 256;

/// What a storage query still has to do.
pub(super) struct StorageQuery {
    /// The block whose state is read.
    pub at: H256,
    /// The items left, in order.
    pub items: Vec<(Vec<u8>, ItemKind)>,
    /// The key after which the first item's descendants resume.
    pub resume_after: Option<Vec<u8>>,
}

/// `type` of a storage item.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemKind {
    Value,
    Hash,
    ClosestDescendantMerkleValue,
    DescendantsValues,
    DescendantsHashes,
}

/// One requested item: its key, its type, and (archive only) the key after which its
/// descendants start.
pub(super) struct Item {
    pub key: Vec<u8>,
    pub kind: ItemKind,
    pub pagination_start_key: Option<Vec<u8>>,
}

/// Parses a list of `{ key, type, paginationStartKey? }`.
pub(super) fn parse_items(value: &Value) -> Result<Vec<Item>, ErrorObjectOwned> {
    let Value::Array(items) = value else {
        return Err(invalid_params("items must be a list"));
    };
    items
        .iter()
        .map(|item| {
            let key = bytes(item.get("key").unwrap_or(&Value::Null), "key")?;
            let kind = match item.get("type").and_then(Value::as_str) {
                Some("value") => ItemKind::Value,
                Some("hash") => ItemKind::Hash,
                Some("closestDescendantMerkleValue") => ItemKind::ClosestDescendantMerkleValue,
                Some("descendantsValues") => ItemKind::DescendantsValues,
                Some("descendantsHashes") => ItemKind::DescendantsHashes,
                _ => return Err(invalid_params("an item's type is not one of the five")),
            };
            let pagination_start_key = match item.get("paginationStartKey") {
                None | Some(Value::Null) => None,
                Some(v) => Some(bytes(v, "paginationStartKey")?),
            };
            Ok(Item {
                key,
                kind,
                pagination_start_key,
            })
        })
        .collect()
}

/// The results of `query` that fit in `room` descendants, in order, as `{ key, value | hash |
/// closestDescendantMerkleValue }`; `true` when some are left (the query then holds what
/// remains, resuming after the last key given). Absent keys give nothing.
pub(super) fn collect(state: &State, query: &mut StorageQuery, room: usize) -> (Vec<Value>, bool) {
    let mut found: Vec<Value> = Vec::new();
    while let Some((key, kind)) = query.items.first().cloned() {
        match kind {
            ItemKind::Hash if key == CODE_KEY && state.storage(&key).is_none() => {
                found.push(json!({ "key": hex0x(&key), "hash": hex0x(&native_code_hash()) }));
            }
            ItemKind::Value | ItemKind::Hash => {
                if let Some(v) = state.storage(&key) {
                    found.push(if kind == ItemKind::Value {
                        json!({ "key": hex0x(&key), "value": hex0x(&v) })
                    } else {
                        json!({ "key": hex0x(&key), "hash": hex0x(&blake2_256(&v)) })
                    });
                }
            }
            ItemKind::ClosestDescendantMerkleValue => {
                if let Some(merkle) = state.closest_descendant_merkle_value(&key) {
                    found.push(json!({
                        "key": hex0x(&key),
                        "closestDescendantMerkleValue": hex0x(&merkle),
                    }));
                }
            }
            ItemKind::DescendantsValues | ItemKind::DescendantsHashes => {
                let left = room.saturating_sub(found.len());
                let keys = state.keys_paged(&key, left + 1, query.resume_after.as_deref());
                let more = keys.len() > left;
                for k in keys.iter().take(left) {
                    if let Some(v) = state.storage(k) {
                        found.push(if kind == ItemKind::DescendantsValues {
                            json!({ "key": hex0x(k), "value": hex0x(&v) })
                        } else {
                            json!({ "key": hex0x(k), "hash": hex0x(&blake2_256(&v)) })
                        });
                    }
                }
                if more {
                    query.resume_after = keys.get(left.saturating_sub(1)).cloned();
                    return (found, true);
                }
                query.resume_after = None;
            }
        }
        query.items.remove(0);
    }
    (found, false)
}

/// `:code`, where a Substrate chain keeps its runtime's Wasm.
const CODE_KEY: &[u8] = b":code";

/// What the hash of `:code` answers on Basalt, whose runtime is native and so has no Wasm in its
/// state: the hash of the runtime's version, which, like a code hash, changes exactly when the
/// runtime does. Clients (polkadot-api) tell runtimes apart by the hash of `:code`.
pub(super) fn native_code_hash() -> [u8; 32] {
    blake2_256(&basalt_runtime::api::version().encode())
}
