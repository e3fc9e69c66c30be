//! Network configuration and the node key.
//!
//! The node key is the ed25519 identity from which the libp2p peer id (`12D3KooW...`) is
//! derived; it must survive restarts so that other nodes' `--bootnodes` entries stay valid.
//! It is stored as Substrate stores `secret_ed25519`: the 32 raw secret bytes in a file only
//! its owner can read (mode 0600). Files holding 64 hex characters are read too, as Substrate
//! does for `--node-key-file`.
//!
//! Guarantees: a key file is written whole or not at all (written to a temporary file, synced,
//! then renamed), and never with wider permissions than 0600; a malformed key file or hex
//! string is an error, never a panic, and is never overwritten.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use basalt_support::H256;
use libp2p::identity::{ed25519, Keypair};
use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};

use crate::protocol::Roles;
use crate::NetworkError;

/// Default TCP port for peer-to-peer connections, as Substrate's.
pub const DEFAULT_PORT: u16 = 30333;

/// Everything [`crate::NetworkService::start`] needs to know.
#[derive(Clone, Debug)]
pub struct NetworkConfig {
    /// Addresses to listen on, e.g. `/ip4/0.0.0.0/tcp/30333` (from `--port`).
    pub listen_addrs: Vec<Multiaddr>,
    /// Nodes to connect to at startup and whenever disconnected from them; each must end with
    /// `/p2p/<peer id>` (from `--bootnodes` and the chain spec).
    pub boot_nodes: Vec<Multiaddr>,
    /// Whether to find peers on the local network by mDNS (off with `--no-mdns`).
    pub enable_mdns: bool,
    /// The node's ed25519 identity; see [`load_or_generate_node_key`].
    pub node_key: Keypair,
    /// At most this many connections that peers opened to us (`--in-peers`).
    pub max_inbound: u32,
    /// At most this many connections that we opened (`--out-peers`); discovery stops dialing
    /// when it is reached.
    pub max_outbound: u32,
    /// The chain-spec `protocolId`; shown to peers in identify.
    pub protocol_id: String,
    /// The genesis hash: peers with another one are refused, and every protocol and gossip
    /// topic name carries it.
    pub genesis_hash: H256,
    /// What this node does (`Roles::AUTHORITY` with `--validator`).
    pub roles: Roles,
    /// The node name (`--name`), shown to peers as identify's agent version.
    pub node_name: String,
    /// How long a peer whose reputation fell below the ban threshold is refused.
    pub ban_duration: Duration,
}

impl NetworkConfig {
    /// A configuration with Substrate's defaults (25 inbound and 8 outbound peers, mDNS on, no
    /// boot nodes, no listen address) for the chain with `genesis_hash`.
    pub fn new(node_key: Keypair, protocol_id: impl Into<String>, genesis_hash: H256) -> Self {
        NetworkConfig {
            listen_addrs: Vec::new(),
            boot_nodes: Vec::new(),
            enable_mdns: true,
            node_key,
            max_inbound: 25,
            max_outbound: 8,
            protocol_id: protocol_id.into(),
            genesis_hash,
            roles: Roles::FULL,
            node_name: "basalt".into(),
            ban_duration: Duration::from_secs(300),
        }
    }
}

/// The listen address `--port` means: all IPv4 interfaces on that TCP port.
pub fn listen_addr_for_port(port: u16) -> Multiaddr {
    Multiaddr::empty()
        .with(Protocol::Ip4(std::net::Ipv4Addr::UNSPECIFIED))
        .with(Protocol::Tcp(port))
}

/// Parses a boot node address, which must end with `/p2p/<peer id>`, into the peer id and the
/// address without that suffix.
pub fn parse_boot_node(addr: &Multiaddr) -> Result<(PeerId, Multiaddr), NetworkError> {
    let mut transport = addr.clone();
    match transport.pop() {
        Some(Protocol::P2p(peer)) => Ok((peer, transport)),
        _ => Err(NetworkError::InvalidBootNode(format!(
            "{addr}: a boot node address must end with /p2p/<peer id>"
        ))),
    }
}

/// The peer id other nodes know this key by (`12D3KooW...` for ed25519 keys).
pub fn peer_id_of(key: &Keypair) -> PeerId {
    key.public().to_peer_id()
}

/// A fresh random ed25519 node key (`basalt key generate-node-key`).
pub fn generate_node_key() -> Keypair {
    Keypair::generate_ed25519()
}

/// Parses a node key given as 64 hex characters, with or without `0x` (`--node-key`).
pub fn node_key_from_hex(hex_str: &str) -> Result<Keypair, NetworkError> {
    let trimmed = hex_str.trim();
    let digits = trimmed.strip_prefix("0x").unwrap_or(trimmed);
    let bytes =
        hex::decode(digits).map_err(|e| NetworkError::InvalidNodeKey(format!("not hex: {e}")))?;
    node_key_from_secret(bytes)
}

/// The 32 secret bytes of an ed25519 node key as 64 hex characters (no `0x`), as
/// `subkey generate-node-key` prints them; `None` for keys of other types.
pub fn node_key_to_hex(key: &Keypair) -> Option<String> {
    secret_bytes(key).map(hex::encode)
}

/// The 32 secret bytes of an ed25519 key.
fn secret_bytes(key: &Keypair) -> Option<[u8; 32]> {
    let ed = key.clone().try_into_ed25519().ok()?;
    let mut out = [0u8; 32];
    out.copy_from_slice(ed.secret().as_ref());
    Some(out)
}

/// Builds a key from its 32 secret bytes.
fn node_key_from_secret(mut bytes: Vec<u8>) -> Result<Keypair, NetworkError> {
    if bytes.len() != 32 {
        return Err(NetworkError::InvalidNodeKey(format!(
            "an ed25519 secret is 32 bytes, got {}",
            bytes.len()
        )));
    }
    let secret = ed25519::SecretKey::try_from_bytes(&mut bytes)
        .map_err(|e| NetworkError::InvalidNodeKey(e.to_string()))?;
    Ok(Keypair::from(ed25519::Keypair::from(secret)))
}

/// Loads the node key from `path`, or generates one and stores it there (with mode 0600,
/// creating parent directories) if the file does not exist. The file holds the 32 raw secret
/// bytes, or 64 hex characters. A file that exists but is malformed is an error and is left
/// untouched, so a typo never silently changes the node's identity.
pub fn load_or_generate_node_key(path: &Path) -> Result<Keypair, NetworkError> {
    match fs::read(path) {
        Ok(bytes) => parse_key_file(&bytes)
            .map_err(|e| NetworkError::InvalidNodeKey(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = generate_node_key();
            write_key_file(path, &key)?;
            Ok(key)
        }
        Err(e) => Err(NetworkError::Io(format!("reading {}: {e}", path.display()))),
    }
}

/// Reads an existing node key file (32 raw bytes or 64 hex characters), for
/// `basalt key inspect-node-key`; unlike [`load_or_generate_node_key`] it never creates one.
pub fn read_node_key(path: &Path) -> Result<Keypair, NetworkError> {
    let bytes =
        fs::read(path).map_err(|e| NetworkError::Io(format!("reading {}: {e}", path.display())))?;
    parse_key_file(&bytes)
        .map_err(|e| NetworkError::InvalidNodeKey(format!("{}: {e}", path.display())))
}

/// Parses a key file's contents: 32 raw bytes or 64 hex characters.
fn parse_key_file(bytes: &[u8]) -> Result<Keypair, NetworkError> {
    if bytes.len() == 32 {
        return node_key_from_secret(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| NetworkError::InvalidNodeKey("neither 32 raw bytes nor hex".into()))?;
    node_key_from_hex(text)
}

/// Stores `key`'s secret at `path` atomically with mode 0600.
pub fn write_key_file(path: &Path, key: &Keypair) -> Result<(), NetworkError> {
    let secret = secret_bytes(key)
        .ok_or_else(|| NetworkError::InvalidNodeKey("only ed25519 node keys are stored".into()))?;
    let io =
        |what: &str, e: std::io::Error| NetworkError::Io(format!("{what} {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| io("creating the directory of", e))?;
    }
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| io("creating", e))?;
    file.write_all(&secret).map_err(|e| io("writing", e))?;
    file.sync_all().map_err(|e| io("syncing", e))?;
    drop(file);
    fs::rename(&tmp, path).map_err(|e| io("renaming into", e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_once_and_reloaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("network").join("secret_ed25519");
        let first = load_or_generate_node_key(&path).expect("generated");
        let again = load_or_generate_node_key(&path).expect("loaded");
        assert_eq!(peer_id_of(&first), peer_id_of(&again));
        assert_eq!(fs::read(&path).expect("file").len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(peer_id_of(&first).to_string().starts_with("12D3KooW"));
    }

    #[test]
    fn malformed_key_file_is_an_error_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret_ed25519");
        fs::write(&path, b"not a key").expect("write");
        assert!(load_or_generate_node_key(&path).is_err());
        assert_eq!(fs::read(&path).expect("file"), b"not a key");
    }

    #[test]
    fn hex_keys_roundtrip() {
        let key = generate_node_key();
        let hex = node_key_to_hex(&key).expect("ed25519");
        assert_eq!(hex.len(), 64);
        let back = node_key_from_hex(&format!("0x{hex}\n")).expect("parses");
        assert_eq!(peer_id_of(&key), peer_id_of(&back));
        // A hex key file is read too.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key");
        fs::write(&path, &hex).expect("write");
        let loaded = load_or_generate_node_key(&path).expect("loads");
        assert_eq!(peer_id_of(&key), peer_id_of(&loaded));
        assert!(node_key_from_hex("zz").is_err());
        assert!(node_key_from_hex("00").is_err());
    }

    #[test]
    fn known_key_gives_known_peer_id() {
        // Substrate's well-known dev node key for Alice's boot node.
        let key =
            node_key_from_hex("0000000000000000000000000000000000000000000000000000000000000001")
                .expect("parses");
        assert_eq!(
            peer_id_of(&key).to_string(),
            "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"
        );
    }

    #[test]
    fn boot_nodes_need_a_peer_id() {
        let key = generate_node_key();
        let id = peer_id_of(&key);
        let addr: Multiaddr = format!("/ip4/127.0.0.1/tcp/30333/p2p/{id}")
            .parse()
            .expect("multiaddr");
        let (peer, transport) = parse_boot_node(&addr).expect("valid");
        assert_eq!(peer, id);
        assert_eq!(transport.to_string(), "/ip4/127.0.0.1/tcp/30333");
        let bare: Multiaddr = "/ip4/127.0.0.1/tcp/30333".parse().expect("multiaddr");
        assert!(parse_boot_node(&bare).is_err());
        assert_eq!(
            listen_addr_for_port(30333).to_string(),
            "/ip4/0.0.0.0/tcp/30333"
        );
    }
}
