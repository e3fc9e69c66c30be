//! [`RuntimeVersion`]: which runtime a node runs, as `sp_version::RuntimeVersion`. Clients sign
//! `spec_version` and `transaction_version` into every extrinsic, and read `apis` to learn which
//! runtime APIs (`state_call` methods) exist.

use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// The runtime's identity and API versions. (`Default`, all empty, for mock runtimes.)
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct RuntimeVersion {
    /// The chain's runtime family ("basalt"); a change means a different chain.
    pub spec_name: String,
    /// The implementation's name.
    pub impl_name: String,
    /// Version of the authorship interface.
    pub authoring_version: u32,
    /// Version of the runtime's logic; bumped on every change of behaviour.
    pub spec_version: u32,
    /// Version of the implementation with the same behaviour.
    pub impl_version: u32,
    /// Runtime APIs: blake2_64 of the API trait name, and its version.
    pub apis: Vec<([u8; 8], u32)>,
    /// Version of the extrinsic format and call indices; bumped when old signed extrinsics
    /// would mean something else.
    pub transaction_version: u32,
    /// The state trie version (1: values over 32 bytes are hashed in the trie).
    pub system_version: u8,
}

/// Described as `sp_version::RuntimeVersion` (the path written by hand: the derive would add
/// this module's name), as `System.Version` publishes it.
impl TypeInfo for RuntimeVersion {
    type Identity = Self;
    fn type_info() -> scale_info::Type {
        use scale_info::build::Fields;
        scale_info::Type::builder()
            .path(scale_info::Path::new("RuntimeVersion", "sp_version"))
            .composite(
                Fields::named()
                    .field(|f| f.ty::<String>().name("spec_name").type_name("String"))
                    .field(|f| f.ty::<String>().name("impl_name").type_name("String"))
                    .field(|f| f.ty::<u32>().name("authoring_version").type_name("u32"))
                    .field(|f| f.ty::<u32>().name("spec_version").type_name("u32"))
                    .field(|f| f.ty::<u32>().name("impl_version").type_name("u32"))
                    .field(|f| {
                        f.ty::<Vec<([u8; 8], u32)>>()
                            .name("apis")
                            .type_name("ApisVec")
                    })
                    .field(|f| f.ty::<u32>().name("transaction_version").type_name("u32"))
                    .field(|f| f.ty::<u8>().name("system_version").type_name("u8")),
            )
    }
}

impl RuntimeVersion {
    /// The JSON object `state_getRuntimeVersion` returns.
    pub fn to_json(&self) -> serde_json::Value {
        let apis: Vec<serde_json::Value> = self
            .apis
            .iter()
            .map(|(id, v)| serde_json::json!([format!("0x{}", hex_lower(id)), v]))
            .collect();
        serde_json::json!({
            "specName": self.spec_name,
            "implName": self.impl_name,
            "authoringVersion": self.authoring_version,
            "specVersion": self.spec_version,
            "implVersion": self.impl_version,
            "apis": apis,
            "transactionVersion": self.transaction_version,
            "stateVersion": self.system_version,
            "systemVersion": self.system_version,
        })
    }
}

/// The id of a runtime API as `RuntimeVersion.apis` lists it: blake2_64 of its trait name.
pub fn api_id(name: &str) -> [u8; 8] {
    let mut out = [0u8; 8];
    let hash = sp_crypto_hashing::blake2_64(name.as_bytes());
    out.copy_from_slice(&hash);
    out
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn metadata_api_id_matches_substrate() {
        // @polkadot/api looks for this id to ask for metadata V15.
        assert_eq!(
            super::api_id("Metadata"),
            [0x37, 0xe3, 0x97, 0xfc, 0x7c, 0x91, 0xf5, 0xe4]
        );
    }
}
