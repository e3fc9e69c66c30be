//! Chain specifications: which chain a node runs, in Substrate's JSON format.
//!
//! A chain spec names the chain (`name`, `id`, `chainType`), carries what clients show
//! (`properties`: SS58 format, token decimals and symbol) and defines the genesis state, either
//! as the runtime's genesis configuration (`{"genesis":{"runtime":{..}}}`, readable and editable)
//! or as raw storage (`{"genesis":{"raw":{"top":{"0xkey":"0xvalue"}}}}`, what `build-spec --raw`
//! prints and what every node of a network must share byte for byte).
//!
//! Guarantees: a spec that is not JSON, misses a field, has a field of the wrong type or an
//! unknown top-level field, a malformed id, non-hex raw storage, or a genesis configuration the
//! runtime refuses is rejected with an error that names the problem; nothing here panics on a
//! malformed file.

use basalt_runtime::genesis::{self, GenesisConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The genesis state of a chain spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Genesis {
    /// The runtime's genesis configuration, built into storage by the runtime.
    Runtime(serde_json::Value),
    /// The genesis storage itself.
    Raw(RawGenesis),
}

/// Raw genesis storage: hex keys to hex values, as `build-spec --raw` prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawGenesis {
    /// The main trie.
    pub top: BTreeMap<String, String>,
    /// Child tries (Basalt has none; accepted empty for compatibility with Substrate's format).
    #[serde(default)]
    pub children_default: BTreeMap<String, serde_json::Value>,
}

/// A chain spec, as the JSON file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainSpecJson {
    /// Human-readable name; `system_chain` returns it.
    pub name: String,
    /// Short id; names the chain's directory under the base path.
    pub id: String,
    /// The kind of chain.
    #[serde(default = "default_chain_type")]
    pub chain_type: ChainType,
    /// Multiaddresses of the network's boot nodes.
    #[serde(default)]
    pub boot_nodes: Vec<String>,
    /// Telemetry servers (unused; kept for the format).
    #[serde(default)]
    pub telemetry_endpoints: Option<serde_json::Value>,
    /// The network protocol id.
    #[serde(default)]
    pub protocol_id: Option<String>,
    /// A fork id distinguishing networks that share a genesis (unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fork_id: Option<String>,
    /// What clients show: `ss58Format`, `tokenDecimals`, `tokenSymbol`.
    #[serde(default)]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
    /// Substrate's code substitutes (meaningless without wasm; accepted when empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_substitutes: Option<BTreeMap<String, serde_json::Value>>,
    /// The genesis state.
    pub genesis: Genesis,
}

/// The kind of chain, as Substrate's `ChainType`: clients and tools show it (`system_chainType`),
/// and the node uses it for defaults. JSON: a plain string, or `{"Custom": "name"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainType {
    /// A development chain.
    Development,
    /// A local test network.
    Local,
    /// A live network.
    Live,
    /// Another kind.
    Custom(String),
}

fn default_chain_type() -> ChainType {
    ChainType::Live
}

/// A loaded, checked chain spec.
#[derive(Debug, Clone)]
pub struct ChainSpec {
    json: ChainSpecJson,
}

/// Why a chain spec cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ChainSpecError {
    /// The file could not be read.
    #[error("cannot read chain spec {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file is not valid JSON or not a chain spec.
    #[error("invalid chain spec {origin}: {message}")]
    Json {
        /// Where the spec came from.
        origin: String,
        /// serde's message, with line and column.
        message: String,
    },
    /// A field has a value the node cannot use.
    #[error("invalid chain spec {origin}: {message}")]
    Invalid {
        /// Where the spec came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// The peer id of node key `0x0000…0001`, the local testnet's boot node (Alice).
pub const LOCAL_BOOT_NODE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";

impl ChainSpec {
    /// The built-in development chain: Alice authors alone with 2 s slots, is sudo, and the
    /// well-known dev accounts are funded.
    pub fn dev() -> Self {
        Self::builtin(
            "Basalt Development",
            "basalt_dev",
            ChainType::Development,
            genesis::dev_genesis(),
        )
    }

    /// The built-in local testnet: Alice, Bob, Charlie and Dave are the validators. Its boot
    /// node is Alice as `scripts/testnet.sh` runs her: p2p port 30333 on this machine, node key
    /// `0x00…01` (peer id [`LOCAL_BOOT_NODE_PEER_ID`]).
    pub fn local() -> Self {
        let mut spec = Self::builtin(
            "Basalt Local Testnet",
            "basalt_local",
            ChainType::Local,
            genesis::local_genesis(),
        );
        spec.json.boot_nodes = vec![format!(
            "/ip4/127.0.0.1/tcp/30333/p2p/{LOCAL_BOOT_NODE_PEER_ID}"
        )];
        spec
    }

    fn builtin(name: &str, id: &str, chain_type: ChainType, config: GenesisConfig) -> Self {
        let runtime = serde_json::to_value(&config).unwrap_or(serde_json::Value::Null);
        ChainSpec {
            json: ChainSpecJson {
                name: name.into(),
                id: id.into(),
                chain_type,
                boot_nodes: Vec::new(),
                telemetry_endpoints: None,
                protocol_id: Some("bslt".into()),
                fork_id: None,
                properties: Some(default_properties()),
                code_substitutes: None,
                genesis: Genesis::Runtime(runtime),
            },
        }
    }

    /// `dev`, `local`, or the path of a JSON file.
    pub fn load(chain: &str) -> Result<Self, ChainSpecError> {
        match chain {
            "dev" => Ok(Self::dev()),
            "local" | "" => Ok(Self::local()),
            path => Self::from_file(Path::new(path)),
        }
    }

    /// Read and check a JSON chain spec file.
    pub fn from_file(path: &Path) -> Result<Self, ChainSpecError> {
        let bytes = std::fs::read(path).map_err(|error| ChainSpecError::Read {
            path: path.display().to_string(),
            error,
        })?;
        Self::from_json_bytes(&bytes, &path.display().to_string())
    }

    /// Parse and check a chain spec; `origin` names it in errors.
    pub fn from_json_bytes(bytes: &[u8], origin: &str) -> Result<Self, ChainSpecError> {
        let json: ChainSpecJson =
            serde_json::from_slice(bytes).map_err(|e| ChainSpecError::Json {
                origin: origin.to_string(),
                message: e.to_string(),
            })?;
        let spec = ChainSpec { json };
        spec.check().map_err(|message| ChainSpecError::Invalid {
            origin: origin.to_string(),
            message,
        })?;
        Ok(spec)
    }

    /// Check everything serde cannot: the id, the properties, and the genesis.
    fn check(&self) -> Result<(), String> {
        let id = &self.json.id;
        if id.is_empty()
            || id.len() > 64
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "`id` must be 1 to 64 characters of [A-Za-z0-9_-] (it names a directory), got {id:?}"
            ));
        }
        if self.json.name.trim().is_empty() {
            return Err("`name` is empty".into());
        }
        if let Some(props) = &self.json.properties {
            if let Some(v) = props.get("ss58Format") {
                match v.as_u64() {
                    Some(f) if f == u64::from(basalt_support::SS58_PREFIX) => {}
                    Some(f) => {
                        return Err(format!(
                            "`properties.ss58Format` is {f} but the runtime's SS58 prefix is {}",
                            basalt_support::SS58_PREFIX
                        ))
                    }
                    None => return Err("`properties.ss58Format` must be a number".into()),
                }
            }
            if let Some(v) = props.get("tokenDecimals") {
                match v.as_u64() {
                    Some(d) if d == u64::from(basalt_support::TOKEN_DECIMALS) => {}
                    Some(d) => {
                        return Err(format!(
                        "`properties.tokenDecimals` is {d} but the runtime's token has {} decimals",
                        basalt_support::TOKEN_DECIMALS
                    ))
                    }
                    None => return Err("`properties.tokenDecimals` must be a number".into()),
                }
            }
            if let Some(v) = props.get("tokenSymbol") {
                if !v.is_string() {
                    return Err("`properties.tokenSymbol` must be a string".into());
                }
            }
        }
        if let Some(subs) = &self.json.code_substitutes {
            if !subs.is_empty() {
                return Err(
                    "`codeSubstitutes` is not supported: Basalt's runtime is native, not wasm"
                        .into(),
                );
            }
        }
        match &self.json.genesis {
            Genesis::Runtime(_) => {
                self.genesis_config()?;
            }
            Genesis::Raw(raw) => {
                if !raw.children_default.is_empty() {
                    return Err(
                        "`genesis.raw.childrenDefault` must be empty: Basalt has no child tries"
                            .into(),
                    );
                }
                decode_raw(&raw.top)?;
            }
        }
        // Building the storage checks the configuration as the runtime sees it.
        self.genesis_storage()?;
        Ok(())
    }

    /// The runtime genesis configuration, if this spec is not raw.
    fn genesis_config(&self) -> Result<Option<GenesisConfig>, String> {
        match &self.json.genesis {
            Genesis::Runtime(value) => serde_json::from_value::<GenesisConfig>(value.clone())
                .map(Some)
                .map_err(|e| {
                    format!("`genesis.runtime` is not a valid genesis configuration: {e}")
                }),
            Genesis::Raw(_) => Ok(None),
        }
    }

    /// The genesis storage: built by the runtime from the configuration, or decoded from raw.
    pub fn genesis_storage(&self) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, String> {
        match &self.json.genesis {
            Genesis::Runtime(_) => {
                let config = self.genesis_config()?.ok_or("no genesis configuration")?;
                genesis::build(&config).map_err(|e| format!("genesis configuration refused: {e}"))
            }
            Genesis::Raw(raw) => decode_raw(&raw.top),
        }
    }

    /// The spec with its genesis turned into raw storage (`build-spec --raw`).
    pub fn to_raw(&self) -> Result<Self, String> {
        let storage = self.genesis_storage()?;
        let top = storage
            .iter()
            .map(|(k, v)| {
                (
                    format!("0x{}", hex::encode(k)),
                    format!("0x{}", hex::encode(v)),
                )
            })
            .collect();
        let mut json = self.json.clone();
        json.genesis = Genesis::Raw(RawGenesis {
            top,
            children_default: BTreeMap::new(),
        });
        Ok(ChainSpec { json })
    }

    /// The spec as pretty JSON.
    pub fn to_json_string(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(&self.json)
    }

    /// The chain's name (`system_chain`).
    pub fn name(&self) -> &str {
        &self.json.name
    }

    /// The chain's id (directory name under the base path).
    pub fn id(&self) -> &str {
        &self.json.id
    }

    /// The kind of chain, as `system_chainType` names it.
    pub fn chain_type(&self) -> String {
        match &self.json.chain_type {
            ChainType::Development => "Development".into(),
            ChainType::Local => "Local".into(),
            ChainType::Live => "Live".into(),
            ChainType::Custom(s) => s.clone(),
        }
    }

    /// Whether this is a development chain.
    pub fn is_dev(&self) -> bool {
        self.json.chain_type == ChainType::Development
    }

    /// `system_properties`: the spec's properties, defaulting each missing one to Basalt's.
    pub fn properties(&self) -> serde_json::Value {
        let mut props = default_properties();
        if let Some(given) = &self.json.properties {
            for (k, v) in given {
                props.insert(k.clone(), v.clone());
            }
        }
        serde_json::Value::Object(props)
    }

    /// The boot nodes every node of this chain dials at start.
    pub fn boot_nodes(&self) -> &[String] {
        &self.json.boot_nodes
    }

    /// The network protocol id (shown to peers; defaults to the chain id).
    pub fn protocol_id(&self) -> Option<&str> {
        self.json.protocol_id.as_deref()
    }

    /// Whether the genesis is raw storage.
    pub fn is_raw(&self) -> bool {
        matches!(self.json.genesis, Genesis::Raw(_))
    }
}

/// Basalt's token properties as clients expect them.
fn default_properties() -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("ss58Format".into(), basalt_support::SS58_PREFIX.into());
    m.insert(
        "tokenDecimals".into(),
        basalt_support::TOKEN_DECIMALS.into(),
    );
    m.insert("tokenSymbol".into(), basalt_support::TOKEN_SYMBOL.into());
    m
}

/// Decode raw storage, naming the first bad key or value.
fn decode_raw(top: &BTreeMap<String, String>) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, String> {
    let decode = |s: &str| -> Option<Vec<u8>> { hex::decode(s.strip_prefix("0x")?).ok() };
    let mut out = BTreeMap::new();
    for (k, v) in top {
        let key = decode(k)
            .ok_or_else(|| format!("`genesis.raw.top` key {k:?} is not 0x-prefixed hex"))?;
        if key.is_empty() {
            return Err("`genesis.raw.top` has an empty key".into());
        }
        let value = decode(v)
            .ok_or_else(|| format!("`genesis.raw.top` value of key {k} is not 0x-prefixed hex"))?;
        if out.insert(key, value).is_some() {
            return Err(format!(
                "`genesis.raw.top` has key {k} twice (in different case)"
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        match ChainSpec::from_json_bytes(json.as_bytes(), "test.json") {
            Ok(_) => panic!("spec should be refused: {json}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn builtin_specs_roundtrip_through_json() {
        for spec in [ChainSpec::dev(), ChainSpec::local()] {
            let text = spec.to_json_string().unwrap();
            let back = ChainSpec::from_json_bytes(text.as_bytes(), "builtin").unwrap();
            assert_eq!(back.json, spec.json);
            assert_eq!(
                back.genesis_storage().unwrap(),
                spec.genesis_storage().unwrap()
            );
        }
        let dev = ChainSpec::dev();
        assert_eq!(dev.name(), "Basalt Development");
        assert_eq!(dev.id(), "basalt_dev");
        assert_eq!(dev.chain_type(), "Development");
        let json: serde_json::Value = serde_json::from_str(&dev.to_json_string().unwrap()).unwrap();
        assert_eq!(json["chainType"], "Development");
        assert_eq!(json["properties"]["ss58Format"], 42);
        assert_eq!(json["properties"]["tokenDecimals"], 12);
        assert_eq!(json["properties"]["tokenSymbol"], "BSLT");
        assert!(json["genesis"]["runtime"].is_object());
        assert!(json["telemetryEndpoints"].is_null());
    }

    #[test]
    fn raw_roundtrip_gives_same_storage() {
        let spec = ChainSpec::local();
        let raw = spec.to_raw().unwrap();
        assert!(raw.is_raw());
        let text = raw.to_json_string().unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let top = json["genesis"]["raw"]["top"].as_object().unwrap();
        assert!(!top.is_empty());
        assert!(top.keys().all(|k| k.starts_with("0x")));
        let back = ChainSpec::from_json_bytes(text.as_bytes(), "raw").unwrap();
        assert_eq!(
            back.genesis_storage().unwrap(),
            spec.genesis_storage().unwrap()
        );
        // Raw of raw is the same.
        assert_eq!(back.to_raw().unwrap().json, raw.json);
    }

    #[test]
    fn corrupt_specs_are_refused_with_the_reason() {
        assert!(err("{not json").contains("test.json"));
        assert!(err(r#"{"name":"x","id":"x"}"#).contains("genesis"));
        let good = ChainSpec::dev().to_json_string().unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();

        let mut bad = v.clone();
        bad["id"] = "../etc".into();
        assert!(err(&bad.to_string()).contains("`id`"));

        let mut bad = v.clone();
        bad["chainType"] = "Sideways".into();
        assert!(err(&bad.to_string()).contains("Sideways"));

        let mut bad = v.clone();
        bad["extra"] = 1.into();
        assert!(err(&bad.to_string()).contains("extra"));

        let mut bad = v.clone();
        bad["properties"]["ss58Format"] = 0.into();
        assert!(err(&bad.to_string()).contains("ss58Format"));

        let mut bad = v.clone();
        bad["genesis"]["runtime"] = serde_json::json!({"bogus": true});
        assert!(err(&bad.to_string()).contains("genesis"));

        let mut bad = v.clone();
        bad["genesis"] = serde_json::json!({"raw": {"top": {"0xzz": "0x00"}}});
        assert!(err(&bad.to_string()).contains("0xzz"));

        let mut bad = v.clone();
        bad["genesis"] = serde_json::json!({"raw": {"top": {"0x00": "12"}}});
        assert!(err(&bad.to_string()).contains("not 0x-prefixed hex"));

        bad["genesis"] = serde_json::json!({"runtime": {}, "raw": {"top": {}}});
        assert!(!err(&bad.to_string()).is_empty());

        // Properties default when absent.
        v.as_object_mut().unwrap().remove("properties");
        let spec = ChainSpec::from_json_bytes(v.to_string().as_bytes(), "x").unwrap();
        assert_eq!(spec.properties()["tokenSymbol"], "BSLT");
    }
}
