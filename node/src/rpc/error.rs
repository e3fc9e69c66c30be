//! JSON-RPC errors with Substrate's codes and messages.
//!
//! Stock clients branch on these codes (py-substrate-interface raises on any error of the submit
//! request, @polkadot/api shows the message and data), so every refusal maps to the code and text
//! a Substrate node would send: author errors from 1000 (1010 "Invalid Transaction" with the
//! reason as data, 1012 banned, 1013 already imported, 1014 priority too low, ...), state errors
//! from 4000, payment errors 1 and 2, and -32601 for unsafe methods called on a safe server.

use basalt_support::validity::{InvalidTransaction, TransactionValidityError};
use basalt_support::H256;
use jsonrpsee::types::error::{ErrorObjectOwned, INVALID_PARAMS_CODE, METHOD_NOT_FOUND_CODE};

use crate::pool::PoolError;

/// Base of the author API's error codes.
const AUTHOR: i32 = 1000;
/// Base of the state API's error codes.
const STATE: i32 = 4000;
/// Base of the system API's error codes.
const SYSTEM: i32 = 2000;

/// Base of the jobs API's error codes (Basalt's own).
const JOBS: i32 = 6000;
/// `jobs_*`: the node failed (client or database).
pub const JOBS_OTHER: i32 = JOBS;
/// `jobs_*`: no job has this id.
pub const JOBS_UNKNOWN_JOB: i32 = JOBS + 1;
/// `jobs_getResult`: the job has no accepted result (not completed, or refunded).
pub const JOBS_NOT_COMPLETED: i32 = JOBS + 2;
/// `jobs_getResult`: no peer served an output matching the chain's result hash.
pub const JOBS_OUTPUT_UNAVAILABLE: i32 = JOBS + 3;
/// `jobs_estimate`: no program has this id.
pub const JOBS_UNKNOWN_PROGRAM: i32 = JOBS + 4;

/// `author_*`: the extrinsic could not be verified at all (undecodable, runtime failure).
pub const VERIFICATION_ERROR: i32 = AUTHOR + 2;
/// `author_*`: the runtime found the transaction invalid.
pub const POOL_INVALID_TX: i32 = AUTHOR + 10;
/// `author_*`: the runtime could not decide the transaction's validity.
pub const POOL_UNKNOWN_VALIDITY: i32 = POOL_INVALID_TX + 1;
/// `author_*`: the transaction was refused recently.
pub const POOL_TEMPORARILY_BANNED: i32 = POOL_INVALID_TX + 2;
/// `author_*`: the transaction is in the pool already.
pub const POOL_ALREADY_IMPORTED: i32 = POOL_INVALID_TX + 3;
/// `author_*`: a queued transaction with the same tag has at least this priority.
pub const POOL_TOO_LOW_PRIORITY: i32 = POOL_INVALID_TX + 4;
/// `author_*`: the pool's limits refused the transaction.
pub const POOL_IMMEDIATELY_DROPPED: i32 = POOL_INVALID_TX + 6;
/// `author_*`: the transaction provides no tag.
pub const POOL_NO_TAGS: i32 = POOL_INVALID_TX + 9;
/// `author_*`: a key type that is not four characters, or a key that does not match.
pub const UNSUPPORTED_KEY_TYPE: i32 = POOL_INVALID_TX + 12;
/// `author_*`: any other failure.
pub const AUTHOR_OTHER: i32 = AUTHOR + 40;
/// `state_getKeysPaged`: count above the maximum.
pub const STATE_INVALID_COUNT: i32 = STATE + 2;
/// `state_*`: the client failed (unknown block, execution failure, ...).
pub const STATE_CLIENT: i32 = STATE + 3;
/// `system_*`: any failure.
pub const SYSTEM_OTHER: i32 = SYSTEM;
/// `payment_*`: the runtime call failed.
pub const PAYMENT_RUNTIME_ERROR: i32 = 1;
/// `payment_*`: the extrinsic does not decode.
pub const PAYMENT_DECODE_ERROR: i32 = 2;

/// A JSON-RPC error object with optional string data.
pub fn error(code: i32, message: impl Into<String>, data: Option<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), data)
}

/// -32602 "Invalid params" with the reason, as jsonrpsee reports a parameter it cannot parse.
pub fn invalid_params(reason: impl Into<String>) -> ErrorObjectOwned {
    error(INVALID_PARAMS_CODE, "Invalid params", Some(reason.into()))
}

/// -32601 "RPC call is unsafe to be called externally": an unsafe method on a server started
/// with `--rpc-methods safe` (or `auto` on a public interface).
pub fn unsafe_denied() -> ErrorObjectOwned {
    error(
        METHOD_NOT_FOUND_CODE,
        "RPC call is unsafe to be called externally",
        None,
    )
}

/// 1002 for an extrinsic that could not be verified: the message Substrate clients see for an
/// undecodable extrinsic, with the detail as data.
pub fn verification(detail: impl Into<String>) -> ErrorObjectOwned {
    error(
        VERIFICATION_ERROR,
        "Verification Error: Execution failed",
        Some(detail.into()),
    )
}

/// Substrate's JSON-RPC error for a refused transaction.
pub fn pool_error(e: &PoolError) -> ErrorObjectOwned {
    match e {
        PoolError::Invalid(InvalidTransaction::Custom(code)) => error(
            POOL_INVALID_TX,
            "Invalid Transaction",
            Some(format!("Custom error: {code}")),
        ),
        PoolError::Invalid(reason) => error(
            POOL_INVALID_TX,
            "Invalid Transaction",
            Some(TransactionValidityError::Invalid(*reason).message().to_string()),
        ),
        PoolError::Unknown(reason) => error(
            POOL_UNKNOWN_VALIDITY,
            "Unknown Transaction Validity",
            Some(format!("{reason:?}")),
        ),
        PoolError::TemporarilyBanned => error(
            POOL_TEMPORARILY_BANNED,
            "Transaction is temporarily banned",
            None,
        ),
        PoolError::AlreadyImported(hash) => error(
            POOL_ALREADY_IMPORTED,
            "Transaction Already Imported",
            Some(hex_hash(hash)),
        ),
        PoolError::TooLowPriority { old, new } => error(
            POOL_TOO_LOW_PRIORITY,
            format!("Priority is too low: ({old} vs {new})"),
            Some(
                "The transaction has too low priority to replace another transaction already in the pool."
                    .to_string(),
            ),
        ),
        PoolError::ImmediatelyDropped(why) => error(
            POOL_IMMEDIATELY_DROPPED,
            "Immediately Dropped",
            Some(format!(
                "The transaction couldn't enter the pool because of the limit: {why}"
            )),
        ),
        PoolError::NoTagsProvided => error(
            POOL_NO_TAGS,
            "No tags provided",
            Some(
                "Transaction does not provide any tags, so the pool can't identify it".to_string(),
            ),
        ),
        PoolError::Verification(detail) => verification(detail.clone()),
    }
}

/// 4003 "Client error: ..." for a state query that failed in the client.
pub fn state_client(detail: impl std::fmt::Display) -> ErrorObjectOwned {
    error(STATE_CLIENT, format!("Client error: {detail}"), None)
}

/// 4003 for a block whose state is not available.
pub fn unknown_block(hash: &H256) -> ErrorObjectOwned {
    state_client(format!(
        "UnknownBlock: State already discarded for {}",
        hex_hash(hash)
    ))
}

/// 4002 "count exceeds maximum value" for `state_getKeysPaged`.
pub fn invalid_count(value: u32, max: u32) -> ErrorObjectOwned {
    error(
        STATE_INVALID_COUNT,
        format!("count exceeds maximum value. value: {value}, max: {max}"),
        None,
    )
}

/// `0x` + 64 lowercase hex digits.
pub fn hex_hash(hash: &H256) -> String {
    hex0x(hash.as_bytes())
}

/// `0x` + lowercase hex: how every byte string goes out in JSON.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_support::validity::UnknownTransaction;

    fn parts(e: ErrorObjectOwned) -> (i32, String, Option<String>) {
        let data = e
            .data()
            .map(|d| serde_json::from_str::<String>(d.get()).expect("string data"));
        (e.code(), e.message().to_string(), data)
    }

    #[test]
    fn every_invalid_reason_is_1010_with_substrates_text() {
        let cases = [
            (InvalidTransaction::Call, "Transaction call is not expected"),
            (
                InvalidTransaction::Payment,
                "Inability to pay some fees (e.g. account balance too low)",
            ),
            (
                InvalidTransaction::Future,
                "Transaction will be valid in the future",
            ),
            (InvalidTransaction::Stale, "Transaction is outdated"),
            (
                InvalidTransaction::BadProof,
                "Transaction has a bad signature",
            ),
            (
                InvalidTransaction::AncientBirthBlock,
                "Transaction has an ancient birth block",
            ),
            (
                InvalidTransaction::ExhaustsResources,
                "Transaction would exhaust the block limits",
            ),
            (
                InvalidTransaction::BadMandatory,
                "A call was labelled as mandatory, but resulted in an Error.",
            ),
            (
                InvalidTransaction::MandatoryValidation,
                "Transaction dispatch is mandatory; transactions must not be validated.",
            ),
            (InvalidTransaction::BadSigner, "Invalid signing address"),
            (
                InvalidTransaction::IndeterminateImplicit,
                "The implicit data was unable to be calculated",
            ),
            (InvalidTransaction::UnknownOrigin, "The origin is unknown"),
        ];
        for (reason, text) in cases {
            assert_eq!(
                parts(pool_error(&PoolError::Invalid(reason))),
                (1010, "Invalid Transaction".into(), Some(text.into())),
                "{reason:?}"
            );
        }
        assert_eq!(
            parts(pool_error(&PoolError::Invalid(InvalidTransaction::Custom(
                7
            )))),
            (
                1010,
                "Invalid Transaction".into(),
                Some("Custom error: 7".into())
            )
        );
    }

    #[test]
    fn other_pool_errors() {
        assert_eq!(
            parts(pool_error(&PoolError::Unknown(
                UnknownTransaction::CannotLookup
            ))),
            (
                1011,
                "Unknown Transaction Validity".into(),
                Some("CannotLookup".into())
            )
        );
        assert_eq!(
            parts(pool_error(&PoolError::TemporarilyBanned)),
            (1012, "Transaction is temporarily banned".into(), None)
        );
        let hash = H256::repeat_byte(0x11);
        assert_eq!(
            parts(pool_error(&PoolError::AlreadyImported(hash))),
            (
                1013,
                "Transaction Already Imported".into(),
                Some(format!("0x{}", "11".repeat(32)))
            )
        );
        let (code, message, _) = parts(pool_error(&PoolError::TooLowPriority { old: 5, new: 3 }));
        assert_eq!(
            (code, message.as_str()),
            (1014, "Priority is too low: (5 vs 3)")
        );
        assert_eq!(
            parts(pool_error(&PoolError::ImmediatelyDropped("full"))).0,
            1016
        );
        assert_eq!(parts(pool_error(&PoolError::NoTagsProvided)).0, 1019);
        assert_eq!(
            parts(pool_error(&PoolError::Verification(
                "Could not decode extrinsic".into()
            ))),
            (
                1002,
                "Verification Error: Execution failed".into(),
                Some("Could not decode extrinsic".into())
            )
        );
    }

    #[test]
    fn state_and_policy_errors() {
        assert_eq!(
            parts(invalid_count(1001, 1000)),
            (
                4002,
                "count exceeds maximum value. value: 1001, max: 1000".into(),
                None
            )
        );
        let (code, message, _) = parts(unknown_block(&H256::zero()));
        assert_eq!(code, 4003);
        assert!(message.starts_with("Client error: UnknownBlock"));
        assert_eq!(
            parts(unsafe_denied()),
            (
                -32601,
                "RPC call is unsafe to be called externally".into(),
                None
            )
        );
        assert_eq!(parts(invalid_params("bad")).0, -32602);
    }
}
