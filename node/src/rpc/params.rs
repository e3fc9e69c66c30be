//! Parsing of JSON-RPC parameters in the forms stock clients send.
//!
//! Parameters arrive positionally (`[key, at]`), by name (`{"key": .., "at": ..}`), or not at
//! all; an optional trailing parameter may be missing, `null`, or the whole list may be `[]`,
//! `null` or `[null]`. Block numbers come as JSON numbers or `0x` hex strings
//! (Substrate's `NumberOrHex`), and `chain_getBlockHash` also takes a list of them. Every parser
//! here returns -32602 "Invalid params" with a reason instead of failing the connection.

use basalt_support::{AccountId, BlockNumber, H256};
use jsonrpsee::types::error::ErrorObjectOwned;
use jsonrpsee::types::Params;
use serde_json::Value;
use sp_core::crypto::Ss58Codec;

use super::error::invalid_params;

/// The parameters of a call as a positional list: `names` gives the order in which a by-name
/// call's fields are read. Missing parameters are absent from the end of the list (read them
/// with [`arg`], which gives `Value::Null`).
pub fn positional(params: &Params, names: &[&str]) -> Result<Vec<Value>, ErrorObjectOwned> {
    let Some(raw) = params.as_str() else {
        return Ok(Vec::new());
    };
    let value: Value = serde_json::from_str(raw).map_err(|e| invalid_params(e.to_string()))?;
    from_value(value, names)
}

/// [`positional`] over an already parsed value.
pub fn from_value(value: Value, names: &[&str]) -> Result<Vec<Value>, ErrorObjectOwned> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => {
            let mut out: Vec<Value> = names
                .iter()
                .map(|name| map.remove(*name).unwrap_or(Value::Null))
                .collect();
            while out.last() == Some(&Value::Null) {
                out.pop();
            }
            Ok(out)
        }
        other => Err(invalid_params(format!(
            "parameters must be an array or an object, got {other}"
        ))),
    }
}

/// The `index`th parameter, `Null` when missing.
pub fn arg(args: &[Value], index: usize) -> &Value {
    args.get(index).unwrap_or(&Value::Null)
}

/// A required `0x`-prefixed hex byte string.
pub fn bytes(value: &Value, what: &str) -> Result<Vec<u8>, ErrorObjectOwned> {
    let Value::String(s) = value else {
        return Err(invalid_params(format!(
            "{what}: expected a 0x-prefixed hex string"
        )));
    };
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| invalid_params(format!("{what}: expected a 0x-prefixed hex string")))?;
    hex::decode(digits).map_err(|e| invalid_params(format!("{what}: invalid hex: {e}")))
}

/// A runtime call's SCALE input as the new JSON-RPC interface sends it: hex, where clients
/// (polkadot-api) send an empty string rather than `0x` for no input.
pub fn call_parameters(value: &Value) -> Result<Vec<u8>, ErrorObjectOwned> {
    match value {
        Value::String(s) if s.is_empty() => Ok(Vec::new()),
        other => bytes(other, "callParameters"),
    }
}

/// An optional hex byte string (`null` or missing: `None`).
pub fn opt_bytes(value: &Value, what: &str) -> Result<Option<Vec<u8>>, ErrorObjectOwned> {
    match value {
        Value::Null => Ok(None),
        other => bytes(other, what).map(Some),
    }
}

/// A required block or extrinsic hash: `0x` and 64 hex digits.
pub fn hash(value: &Value, what: &str) -> Result<H256, ErrorObjectOwned> {
    let raw = bytes(value, what)?;
    if raw.len() != 32 {
        return Err(invalid_params(format!(
            "{what}: a hash is 32 bytes, got {}",
            raw.len()
        )));
    }
    Ok(H256::from_slice(&raw))
}

/// An optional block hash: missing, `null` or `[null]`-style absence mean "the best block".
pub fn opt_hash(value: &Value, what: &str) -> Result<Option<H256>, ErrorObjectOwned> {
    match value {
        Value::Null => Ok(None),
        other => hash(other, what).map(Some),
    }
}

/// A block number as Substrate's `NumberOrHex`: a JSON integer or a `0x` hex string; it must fit
/// a `u32` block number.
pub fn block_number(value: &Value) -> Result<BlockNumber, ErrorObjectOwned> {
    let wide: u128 = match value {
        Value::Number(n) => n.as_u64().map(u128::from).ok_or_else(|| {
            invalid_params(format!(
                "block number must be a non-negative integer, got {n}"
            ))
        })?,
        Value::String(s) => {
            let digits = s.strip_prefix("0x").ok_or_else(|| {
                invalid_params(format!(
                    "block number must be an integer or 0x-prefixed hex, got {s:?}"
                ))
            })?;
            if digits.is_empty()
                || digits.len() > 64
                || !digits.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err(invalid_params(format!("invalid hex block number {s:?}")));
            }
            let trimmed = digits.trim_start_matches('0');
            if trimmed.len() > 32 {
                return Err(invalid_params(format!(
                    "`{s}` > u32::MAX, the max block number is u32."
                )));
            }
            u128::from_str_radix(if trimmed.is_empty() { "0" } else { trimmed }, 16)
                .map_err(|e| invalid_params(format!("invalid hex block number {s:?}: {e}")))?
        }
        other => {
            return Err(invalid_params(format!(
                "block number must be an integer or 0x-prefixed hex, got {other}"
            )))
        }
    };
    BlockNumber::try_from(wide)
        .map_err(|_| invalid_params(format!("`{wide}` > u32::MAX, the max block number is u32.")))
}

/// What `chain_getBlockHash` was asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum BlockHashQuery {
    /// No parameter: the best block.
    Best,
    /// One block number.
    One(BlockNumber),
    /// A list of block numbers; the answer is a list.
    Many(Vec<BlockNumber>),
}

/// Parses `chain_getBlockHash`'s parameter: missing/`null`, a number, a hex string, or a list.
pub fn block_hash_query(value: &Value) -> Result<BlockHashQuery, ErrorObjectOwned> {
    match value {
        Value::Null => Ok(BlockHashQuery::Best),
        Value::Array(items) => {
            if items.len() > MAX_BLOCK_HASH_LIST {
                return Err(invalid_params(format!(
                    "at most {MAX_BLOCK_HASH_LIST} block numbers per call"
                )));
            }
            items
                .iter()
                .map(block_number)
                .collect::<Result<Vec<_>, _>>()
                .map(BlockHashQuery::Many)
        }
        other => block_number(other).map(BlockHashQuery::One),
    }
}

/// Most block numbers one `chain_getBlockHash` call may ask for.
pub const MAX_BLOCK_HASH_LIST: usize = 1024;

/// A list of storage keys (each hex).
pub fn key_list(value: &Value, what: &str) -> Result<Vec<Vec<u8>>, ErrorObjectOwned> {
    let Value::Array(items) = value else {
        return Err(invalid_params(format!(
            "{what}: expected a list of hex keys"
        )));
    };
    items.iter().map(|item| bytes(item, what)).collect()
}

/// An account as SS58 (any network prefix) or as `0x` and 64 hex digits.
pub fn account(value: &Value) -> Result<AccountId, ErrorObjectOwned> {
    let Value::String(s) = value else {
        return Err(invalid_params(
            "account: expected an SS58 address or 0x hex",
        ));
    };
    if let Some(digits) = s.strip_prefix("0x") {
        let raw = hex::decode(digits)
            .map_err(|e| invalid_params(format!("account: invalid hex: {e}")))?;
        let array: [u8; 32] = raw
            .try_into()
            .map_err(|_| invalid_params("account: expected 32 bytes"))?;
        return Ok(AccountId::new(array));
    }
    AccountId::from_ss58check_with_version(s)
        .map(|(account, _)| account)
        .map_err(|e| invalid_params(format!("account: invalid SS58 address: {e:?}")))
}

/// A string parameter.
pub fn string(value: &Value, what: &str) -> Result<String, ErrorObjectOwned> {
    match value {
        Value::String(s) => Ok(s.clone()),
        _ => Err(invalid_params(format!("{what}: expected a string"))),
    }
}

/// A non-negative integer that fits `u32`.
pub fn u32_param(value: &Value, what: &str) -> Result<u32, ErrorObjectOwned> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| invalid_params(format!("{what}: expected an integer up to {}", u32::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(raw: Option<&str>) -> Params<'_> {
        Params::new(raw)
    }

    #[test]
    fn optional_hash_forms() {
        let h = format!("0x{}", "ab".repeat(32));
        for raw in [None, Some("[]"), Some("null"), Some("[null]")] {
            let args = positional(&params(raw), &["hash"]).unwrap();
            assert_eq!(opt_hash(arg(&args, 0), "hash").unwrap(), None, "{raw:?}");
        }
        let list = format!("[\"{h}\"]");
        let args = positional(&params(Some(&list)), &["hash"]).unwrap();
        assert_eq!(
            opt_hash(arg(&args, 0), "hash").unwrap(),
            Some(H256::repeat_byte(0xab))
        );
        let named = format!("{{\"hash\":\"{h}\"}}");
        let args = positional(&params(Some(&named)), &["hash"]).unwrap();
        assert_eq!(
            opt_hash(arg(&args, 0), "hash").unwrap(),
            Some(H256::repeat_byte(0xab))
        );
        // Wrong lengths, missing prefix and non-strings are refused with -32602.
        for bad in [
            json!("0xabcd"),
            json!("ab".repeat(32)),
            json!(12),
            json!("0xzz"),
        ] {
            assert_eq!(opt_hash(&bad, "hash").unwrap_err().code(), -32602, "{bad}");
        }
        assert!(positional(&params(Some("5")), &["x"]).is_err());
        assert!(positional(&params(Some("[1,")), &["x"]).is_err());
    }

    #[test]
    fn named_parameters_keep_positions() {
        let args = positional(
            &params(Some(r#"{"at":"0x00","key":"0x01"}"#)),
            &["key", "at"],
        )
        .unwrap();
        assert_eq!(args, vec![json!("0x01"), json!("0x00")]);
        let args = positional(&params(Some(r#"{"key":"0x01"}"#)), &["key", "at"]).unwrap();
        assert_eq!(args, vec![json!("0x01")]);
    }

    #[test]
    fn block_numbers_as_number_or_hex() {
        assert_eq!(block_number(&json!(0)).unwrap(), 0);
        assert_eq!(block_number(&json!(26)).unwrap(), 26);
        assert_eq!(block_number(&json!("0x1a")).unwrap(), 26);
        assert_eq!(block_number(&json!("0x0")).unwrap(), 0);
        assert_eq!(
            block_number(&json!(
                "0x00000000000000000000000000000000000000000000000000000000000001"
            ))
            .unwrap(),
            1
        );
        assert_eq!(block_number(&json!(u32::MAX)).unwrap(), u32::MAX);
        for bad in [
            json!(-1),
            json!(1.5),
            json!(u64::from(u32::MAX) + 1),
            json!("0x100000000"),
            json!("26"),
            json!("0x"),
            json!("0xg1"),
            json!(true),
            json!({}),
        ] {
            assert_eq!(block_number(&bad).unwrap_err().code(), -32602, "{bad}");
        }
    }

    #[test]
    fn block_hash_query_forms() {
        assert_eq!(
            block_hash_query(&Value::Null).unwrap(),
            BlockHashQuery::Best
        );
        assert_eq!(block_hash_query(&json!(3)).unwrap(), BlockHashQuery::One(3));
        assert_eq!(
            block_hash_query(&json!("0x3")).unwrap(),
            BlockHashQuery::One(3)
        );
        assert_eq!(
            block_hash_query(&json!([0, "0x1", 2])).unwrap(),
            BlockHashQuery::Many(vec![0, 1, 2])
        );
        assert!(block_hash_query(&json!([0, "x"])).is_err());
        let too_many: Vec<u32> = (0..(MAX_BLOCK_HASH_LIST as u32 + 1)).collect();
        assert!(block_hash_query(&json!(too_many)).is_err());
    }

    #[test]
    fn accounts_in_ss58_or_hex() {
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let account = account(&json!(alice)).unwrap();
        let expected = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
        assert_eq!(
            hex::encode(<AccountId as AsRef<[u8]>>::as_ref(&account)),
            expected
        );
        assert_eq!(
            super::account(&json!(format!("0x{expected}"))).unwrap(),
            account
        );
        assert!(super::account(&json!("5Grwva")).is_err());
        assert!(super::account(&json!("0x1234")).is_err());
        assert!(super::account(&json!(5)).is_err());
    }

    #[test]
    fn bytes_and_keys() {
        assert_eq!(bytes(&json!("0x0102"), "k").unwrap(), vec![1, 2]);
        assert_eq!(bytes(&json!("0x"), "k").unwrap(), Vec::<u8>::new());
        assert!(bytes(&json!("0x123"), "k").is_err());
        assert!(bytes(&json!("0102"), "k").is_err());
        assert_eq!(opt_bytes(&Value::Null, "k").unwrap(), None);
        assert_eq!(
            key_list(&json!(["0x01", "0x"]), "keys").unwrap(),
            vec![vec![1], vec![]]
        );
        assert!(key_list(&json!("0x01"), "keys").is_err());
        assert_eq!(u32_param(&json!(1000), "count").unwrap(), 1000);
        assert!(u32_param(&json!(-1), "count").is_err());
        assert!(u32_param(&json!("10"), "count").is_err());
    }
}
