//! The runtime's identity: which chain it belongs to and which runtime APIs it serves.
//!
//! Wallets sign `spec_version` and `transaction_version` into every extrinsic
//! (`CheckSpecVersion`, `CheckTxVersion`), and clients read `apis` to learn which `state_call`
//! methods exist: @polkadot/api asks for metadata V15 only when the `Metadata` API is listed at
//! version 2 or more. Only the APIs [`crate::api`] really serves are listed.

use basalt_support::version::{api_id, RuntimeVersion};

/// The runtime family; a different name means a different chain. Not one of the stock clients'
/// built-in preset names.
pub const SPEC_NAME: &str = "basalt";
/// The implementation's name.
pub const IMPL_NAME: &str = "basalt-node";
/// Version of the block authorship interface.
pub const AUTHORING_VERSION: u32 = 1;
/// Version of the runtime's behaviour; bumped on every change that can alter a state transition.
pub const SPEC_VERSION: u32 = 104;
/// Version of the implementation of the same behaviour.
pub const IMPL_VERSION: u32 = 1;
/// Version of the extrinsic format and call indices; bumped when an old signed extrinsic would
/// mean something else.
pub const TRANSACTION_VERSION: u32 = 3;
/// The state trie version (1: values over 32 bytes are hashed into their own trie node).
pub const SYSTEM_VERSION: u8 = 1;

/// The runtime APIs served by [`crate::api::state_call`], by Substrate trait name, with the
/// version whose method signatures Basalt implements.
pub const APIS: [(&str, u32); 7] = [
    ("Core", 5),
    ("Metadata", 2),
    ("BlockBuilder", 6),
    ("TaggedTransactionQueue", 3),
    ("AccountNonceApi", 1),
    ("TransactionPaymentApi", 4),
    ("JobsApi", 1),
];

/// The runtime version served by `state_getRuntimeVersion` and `Core_version`.
pub fn version() -> RuntimeVersion {
    RuntimeVersion {
        spec_name: SPEC_NAME.into(),
        impl_name: IMPL_NAME.into(),
        authoring_version: AUTHORING_VERSION,
        spec_version: SPEC_VERSION,
        impl_version: IMPL_VERSION,
        apis: APIS.iter().map(|(name, v)| (api_id(name), *v)).collect(),
        transaction_version: TRANSACTION_VERSION,
        system_version: SYSTEM_VERSION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn api_ids_are_substrates() {
        // The ids live Substrate runtimes publish; clients look these exact bytes up. Basalt's own
        // APIs use the same rule (blake2_64 of the trait name).
        let v = version();
        let ids: Vec<(String, u32)> = v.apis.iter().map(|(id, ver)| (hex(id), *ver)).collect();
        assert_eq!(
            ids,
            vec![
                ("df6acb689907609b".to_string(), 5),
                ("37e397fc7c91f5e4".to_string(), 2),
                ("40fe3ad401f8959a".to_string(), 6),
                ("d2bc9897eed08f15".to_string(), 3),
                ("bc9d89904f5b923f".to_string(), 1),
                ("37c8bb1350a9a2a8".to_string(), 4),
                // Basalt's own: blake2_64("JobsApi").
                ("b18f582993e030f4".to_string(), 1),
            ]
        );
    }

    #[test]
    fn json_has_the_fields_clients_read() {
        let json = version().to_json();
        assert_eq!(json["specName"], "basalt");
        assert_eq!(json["specVersion"], 104);
        assert_eq!(json["transactionVersion"], 3);
        assert_eq!(json["stateVersion"], 1);
    }
}
