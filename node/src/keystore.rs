//! The node's keystore: the secret keys this node signs with (block authoring, finality), and the
//! node's network identity key.
//!
//! Keys are laid out as a Substrate node lays them out, so keys inserted by Substrate tooling
//! (`subkey`, `author_insertKey`, a copied keystore directory) work here and vice versa: one file
//! per key under `<base>/chains/<id>/keystore`, named `hex(key_type ++ public)`, holding the
//! JSON-quoted secret URI. Files are created with mode 0600 in a 0700 directory, because
//! anyone who reads them can sign as this validator.
//!
//! Guarantees: a secret URI that does not derive to the public key it is filed under is refused
//! on insertion and skipped with a warning on load; nothing here panics on a malformed file.

use parking_lot::RwLock;
use sp_core::crypto::{Pair as _, Ss58AddressFormat, Ss58Codec};
use sp_core::{ecdsa, ed25519, sr25519};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A four-byte key type: `aura` for block authoring, `gran` for GRANDPA, as in Substrate.
pub type KeyTypeId = [u8; 4];

/// The signature schemes keys may use.
///
/// It lives with the keys it describes; the command line takes it as it is (`--scheme sr25519`,
/// hence the `ValueEnum` derive), so the keystore does not depend on the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheme {
    /// Schnorrkel over Ristretto25519: Substrate's default for accounts and Aura.
    Sr25519,
    /// Ed25519: GRANDPA's scheme.
    Ed25519,
    /// ECDSA over secp256k1 (Ethereum-style keys).
    Ecdsa,
}

/// Aura's key type: the key that seals blocks.
pub const AURA: KeyTypeId = *b"aura";
/// GRANDPA's key type: the key that votes on finality.
pub const GRANDPA: KeyTypeId = *b"gran";
/// A compute provider's key type: the sr25519 account key (the provider's stash) its worker
/// signs commits and reveals with (`crate::provider`).
pub const PROVIDER: KeyTypeId = *b"prov";

/// Why a keystore operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The secret URI is not a phrase, seed or derivation path the scheme understands.
    #[error("invalid secret URI for {scheme:?}: {reason}")]
    InvalidSuri {
        /// The scheme that was tried.
        scheme: Scheme,
        /// What was wrong.
        reason: String,
    },
    /// The key type is not four ASCII characters.
    #[error("invalid key type `{0}`: expected four ASCII characters such as `aura` or `gran`")]
    InvalidKeyType(String),
    /// The public key given does not belong to the secret URI.
    #[error("the public key 0x{public} does not match the secret URI")]
    PublicKeyMismatch {
        /// Hex of the given public key.
        public: String,
    },
    /// A file system operation failed.
    #[error("keystore I/O error on {path}: {error}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
}

/// Parse a key type given on the command line or over RPC (`"aura"`).
pub fn parse_key_type(s: &str) -> Result<KeyTypeId, KeystoreError> {
    let bytes = s.as_bytes();
    if bytes.len() != 4 || !bytes.iter().all(|b| b.is_ascii_graphic()) {
        return Err(KeystoreError::InvalidKeyType(s.to_string()));
    }
    Ok([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// The default scheme of a key type: ed25519 for GRANDPA, sr25519 for everything else.
pub fn default_scheme(key_type: KeyTypeId) -> Scheme {
    if key_type == GRANDPA {
        Scheme::Ed25519
    } else {
        Scheme::Sr25519
    }
}

/// The public key a secret URI derives to under `scheme` (32 bytes, or 33 for ecdsa).
pub fn public_of(suri: &str, scheme: Scheme) -> Result<Vec<u8>, KeystoreError> {
    let invalid = |e: sp_core::crypto::SecretStringError| KeystoreError::InvalidSuri {
        scheme,
        reason: format!("{e:?}"),
    };
    Ok(match scheme {
        Scheme::Sr25519 => sr25519::Pair::from_string(suri, None)
            .map_err(invalid)?
            .public()
            .0
            .to_vec(),
        Scheme::Ed25519 => ed25519::Pair::from_string(suri, None)
            .map_err(invalid)?
            .public()
            .0
            .to_vec(),
        Scheme::Ecdsa => ecdsa::Pair::from_string(suri, None)
            .map_err(invalid)?
            .public()
            .0
            .to_vec(),
    })
}

/// A key as the keystore holds it in memory.
#[derive(Clone)]
struct StoredKey {
    /// The sr25519 pair, derived once on load (deriving costs far more than signing).
    sr25519: Option<sr25519::Pair>,
    /// The ed25519 pair (GRANDPA keys), derived once on load.
    ed25519: Option<ed25519::Pair>,
}

/// The secret keys of this node, on disk (or in memory for tests and benchmarks).
pub struct Keystore {
    dir: Option<PathBuf>,
    keys: RwLock<BTreeMap<(KeyTypeId, Vec<u8>), StoredKey>>,
}

impl std::fmt::Debug for Keystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        f.debug_struct("Keystore")
            .field("dir", &self.dir)
            .field("keys", &self.keys.read().len())
            .finish()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> KeystoreError + '_ {
    move |error| KeystoreError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Create `dir` (and parents) and restrict it to its owner.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), KeystoreError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_err(dir))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))
}

/// Write `bytes` to `path` with mode 0600, atomically (temporary file, fsync, rename).
pub(crate) fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), KeystoreError> {
    let tmp = path.with_extension("tmp");
    {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io_err(&tmp))?;
        file.write_all(bytes).map_err(io_err(&tmp))?;
        file.sync_all().map_err(io_err(&tmp))?;
    }
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600)).map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

impl Keystore {
    /// Open (creating if needed) the keystore directory and load every key in it. Files that
    /// are not keys, or whose secret does not derive to the public key in their name, are
    /// skipped with a warning.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, KeystoreError> {
        let dir = dir.into();
        create_private_dir(&dir)?;
        let mut keys = BTreeMap::new();
        for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let entry = entry.map_err(io_err(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((key_type, public)) = parse_key_file_name(&name) else {
                continue;
            };
            let path = entry.path();
            let content = match fs::read_to_string(&path) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(target: "keystore", "skipping unreadable key file {}: {e}", path.display());
                    continue;
                }
            };
            let Ok(suri) = serde_json::from_str::<String>(&content) else {
                tracing::warn!(target: "keystore", "skipping key file {}: not a JSON string", path.display());
                continue;
            };
            match Self::derive(&suri, &public) {
                Some(key) => {
                    keys.insert((key_type, public), key);
                }
                None => tracing::warn!(
                    target: "keystore",
                    "skipping key file {}: its secret does not derive to the public key in its name",
                    path.display()
                ),
            }
        }
        Ok(Keystore {
            dir: Some(dir),
            keys: RwLock::new(keys),
        })
    }

    /// A keystore that lives in memory only (benchmarks, tests).
    pub fn in_memory() -> Self {
        Keystore {
            dir: None,
            keys: RwLock::new(BTreeMap::new()),
        }
    }

    /// The directory keys are stored in, if on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Check that `suri` derives to `public` under some scheme, and prepare the stored key.
    fn derive(suri: &str, public: &[u8]) -> Option<StoredKey> {
        let schemes: &[Scheme] = match public.len() {
            32 => &[Scheme::Sr25519, Scheme::Ed25519],
            33 => &[Scheme::Ecdsa],
            _ => &[],
        };
        for scheme in schemes {
            if public_of(suri, *scheme).ok().as_deref() == Some(public) {
                let sr25519 = (*scheme == Scheme::Sr25519)
                    .then(|| sr25519::Pair::from_string(suri, None).ok())
                    .flatten();
                let ed25519 = (*scheme == Scheme::Ed25519)
                    .then(|| ed25519::Pair::from_string(suri, None).ok())
                    .flatten();
                return Some(StoredKey { sr25519, ed25519 });
            }
        }
        None
    }

    /// Store `suri` as a key of `key_type` whose public key is `public` (what
    /// `author_insertKey` does). Refused if `suri` does not derive to `public` under sr25519,
    /// ed25519 or ecdsa.
    pub fn insert(
        &self,
        key_type: KeyTypeId,
        suri: &str,
        public: &[u8],
    ) -> Result<(), KeystoreError> {
        let key = Self::derive(suri, public).ok_or_else(|| KeystoreError::PublicKeyMismatch {
            public: hex::encode(public),
        })?;
        if let Some(dir) = &self.dir {
            let path = dir.join(key_file_name(key_type, public));
            let content = serde_json::to_string(suri).unwrap_or_default();
            write_private_file(&path, content.as_bytes())?;
        }
        self.keys.write().insert((key_type, public.to_vec()), key);
        Ok(())
    }

    /// Store `suri` as a key of `key_type` under `scheme`; returns its public key.
    pub fn insert_suri(
        &self,
        key_type: KeyTypeId,
        scheme: Scheme,
        suri: &str,
    ) -> Result<Vec<u8>, KeystoreError> {
        let public = public_of(suri, scheme)?;
        self.insert(key_type, suri, &public)?;
        Ok(public)
    }

    /// Generate a fresh key of `key_type` under `scheme`, store its phrase, and return its
    /// public key (what `author_rotateKeys` needs).
    pub fn generate(&self, key_type: KeyTypeId, scheme: Scheme) -> Result<Vec<u8>, KeystoreError> {
        let phrase = match scheme {
            Scheme::Sr25519 => sr25519::Pair::generate_with_phrase(None).1,
            Scheme::Ed25519 => ed25519::Pair::generate_with_phrase(None).1,
            Scheme::Ecdsa => ecdsa::Pair::generate_with_phrase(None).1,
        };
        self.insert_suri(key_type, scheme, &phrase)
    }

    /// Whether every `(public, key_type)` pair is in the keystore (`author_hasKey`,
    /// `author_hasSessionKeys`).
    pub fn has_keys(&self, keys: &[(Vec<u8>, KeyTypeId)]) -> bool {
        let map = self.keys.read();
        keys.iter()
            .all(|(public, key_type)| map.contains_key(&(*key_type, public.clone())))
    }

    /// The public keys of `key_type` held here.
    pub fn public_keys(&self, key_type: KeyTypeId) -> Vec<Vec<u8>> {
        self.keys
            .read()
            .keys()
            .filter(|(t, _)| *t == key_type)
            .map(|(_, p)| p.clone())
            .collect()
    }

    /// The sr25519 pair of `key_type` whose public key is `public`, if held (the block author
    /// seals with it through basalt-consensus's `aura::seal_header`).
    pub fn sr25519_pair(
        &self,
        key_type: KeyTypeId,
        public: &sr25519::Public,
    ) -> Option<sr25519::Pair> {
        let map = self.keys.read();
        map.get(&(key_type, public.0.to_vec()))?.sr25519.clone()
    }

    /// The ed25519 pair of `key_type` whose public key is `public`, if held (the GRANDPA
    /// voter signs its votes with it).
    pub fn ed25519_pair(&self, key_type: KeyTypeId, public: &[u8]) -> Option<ed25519::Pair> {
        let map = self.keys.read();
        map.get(&(key_type, public.to_vec()))?.ed25519.clone()
    }
}

/// `hex(key_type ++ public)`: the file name Substrate gives a key.
pub fn key_file_name(key_type: KeyTypeId, public: &[u8]) -> String {
    let mut bytes = key_type.to_vec();
    bytes.extend_from_slice(public);
    hex::encode(bytes)
}

/// The key type and public key encoded in a key file's name.
fn parse_key_file_name(name: &str) -> Option<(KeyTypeId, Vec<u8>)> {
    let bytes = hex::decode(name).ok()?;
    if bytes.len() < 4 + 32 {
        return None;
    }
    let key_type = [bytes[0], bytes[1], bytes[2], bytes[3]];
    Some((key_type, bytes[4..].to_vec()))
}

/// The SS58 address of a 32-byte account under `prefix`.
pub fn ss58(account: &[u8; 32], prefix: u16) -> String {
    sp_core::crypto::AccountId32::new(*account)
        .to_ss58check_with_version(Ss58AddressFormat::custom(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_private_and_named_like_substrate() {
        let dir = tempfile::tempdir().unwrap();
        let ks_dir = dir.path().join("keystore");
        let ks = Keystore::open(&ks_dir).unwrap();
        let public = ks.insert_suri(AURA, Scheme::Sr25519, "//Alice").unwrap();
        // Alice's well-known sr25519 public key.
        assert_eq!(
            hex::encode(&public),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
        let file = ks_dir.join(format!("61757261{}", hex::encode(&public)));
        assert_eq!(fs::read_to_string(&file).unwrap(), "\"//Alice\"");
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = fs::metadata(&ks_dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700);

        // Reloaded from disk, the key signs and verifies.
        let ks = Keystore::open(&ks_dir).unwrap();
        let pk = sr25519::Public::from_raw(public.clone().try_into().unwrap());
        assert!(ks.has_keys(&[(public.clone(), AURA)]));
        assert!(!ks.has_keys(&[(public.clone(), GRANDPA)]));
        let sig = ks.sr25519_pair(AURA, &pk).unwrap().sign(b"msg");
        assert!(sr25519::Pair::verify(&sig, b"msg", &pk));
    }

    #[test]
    fn mismatched_and_garbage_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ks = Keystore::open(dir.path()).unwrap();
        let bob = public_of("//Bob", Scheme::Sr25519).unwrap();
        assert!(matches!(
            ks.insert(AURA, "//Alice", &bob),
            Err(KeystoreError::PublicKeyMismatch { .. })
        ));
        assert!(ks
            .insert_suri(AURA, Scheme::Sr25519, "not a phrase")
            .is_err());
        assert!(parse_key_type("aur").is_err());
        assert_eq!(parse_key_type("gran").unwrap(), GRANDPA);
        // A file with a lying name is skipped on load.
        fs::write(dir.path().join(key_file_name(AURA, &bob)), "\"//Alice\"").unwrap();
        fs::write(dir.path().join("garbage"), "xx").unwrap();
        let ks = Keystore::open(dir.path()).unwrap();
        assert!(ks.public_keys(AURA).is_empty());
    }

    #[test]
    fn generated_and_ed25519_keys() {
        let ks = Keystore::in_memory();
        let public = ks.generate(GRANDPA, Scheme::Ed25519).unwrap();
        assert!(ks.has_keys(&[(public, GRANDPA)]));
        let public = ks.insert_suri(GRANDPA, Scheme::Ed25519, "//Alice").unwrap();
        assert_eq!(
            hex::encode(public),
            "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee"
        );
    }
}
