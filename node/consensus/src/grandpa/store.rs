//! Durable voter state: what this node voted, so a restart never votes differently.
//!
//! The state holds the authority set, the last completed round (its votes restart the voter)
//! and, per round of the current set, the primary proposal, prevote and precommit this node
//! cast. It is written through [`VoterStateStore::store`] inside the voter's callbacks, before the
//! vote is signed and sent; `store` must be durable when it returns `Ok`.
//!
//! [`FileVoterStateStore`] writes a checksummed file atomically (temp file, fsync, rename, fsync
//! of the directory). A torn or corrupt file is an error, never "no state": starting from empty
//! state after a crash is exactly how a validator double-votes. [`MemoryVoterStateStore`] keeps
//! the encoded bytes in memory; the simulation shares one between a crashed actor and its
//! restart, modelling the disk.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use basalt_support::{hashing::blake2_256, BlockNumber, H256};
use codec::{Decode, DecodeAll, Encode};
use parking_lot::Mutex;

use super::{AuthoritySetState, Precommit, Prevote, PrimaryPropose, RoundNumber, SignedMessage};

/// The votes this node cast in one round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct RoundVotes {
    /// Our primary proposal, if we were primary.
    pub propose: Option<PrimaryPropose>,
    /// Our prevote.
    pub prevote: Option<Prevote>,
    /// Our precommit.
    pub precommit: Option<Precommit>,
}

/// The last round the voter completed, enough to restart it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct CompletedRound {
    /// The round number.
    pub round: RoundNumber,
    /// The round's base block.
    pub base: (H256, BlockNumber),
    /// Every vote seen in the round (also answers catch-up requests).
    pub votes: Vec<SignedMessage>,
}

/// Everything GRANDPA must remember across restarts.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PersistedState {
    /// The authority set in force.
    pub set: AuthoritySetState,
    /// The last completed round of that set, if any.
    pub completed: Option<CompletedRound>,
    /// Our votes per round of that set (rounds before the completed one are pruned).
    pub votes: BTreeMap<RoundNumber, RoundVotes>,
}

/// Why the voter state could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// An I/O error, with its description.
    Io(String),
    /// The stored bytes are damaged or of an unknown format.
    Corrupt(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Io(e) => write!(f, "I/O error: {e}"),
            StoreError::Corrupt(e) => write!(f, "corrupt voter state: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Where the voter state lives.
///
/// Contract: `store` returns `Ok` only once the state is durable (survives a crash or power
/// loss); `load` returns `Ok(None)` only if nothing was ever stored, and an error if the stored
/// state cannot be read back intact.
pub trait VoterStateStore: Send + Sync {
    /// Reads the last stored state.
    fn load(&self) -> Result<Option<PersistedState>, StoreError>;
    /// Durably replaces the stored state.
    fn store(&self, state: &PersistedState) -> Result<(), StoreError>;
}

const MAGIC: &[u8; 8] = b"BSLTGPA1";

fn encode_file(state: &PersistedState) -> Vec<u8> {
    let payload = state.encode();
    let mut out = Vec::with_capacity(payload.len() + 40);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&blake2_256(&payload));
    out.extend_from_slice(&payload);
    out
}

fn decode_file(bytes: &[u8]) -> Result<PersistedState, StoreError> {
    if bytes.len() < 40 || &bytes[..8] != MAGIC {
        return Err(StoreError::Corrupt("bad header".into()));
    }
    let (checksum, payload) = bytes[8..].split_at(32);
    if blake2_256(payload) != checksum {
        return Err(StoreError::Corrupt("checksum mismatch".into()));
    }
    let mut input = payload;
    PersistedState::decode_all(&mut input).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The voter state in a file, replaced atomically and fsync'd on every write.
pub struct FileVoterStateStore {
    path: PathBuf,
    write_lock: Mutex<()>,
}

impl FileVoterStateStore {
    /// A store at `path` (for example `<base-path>/grandpa/voter-state`); the directory must
    /// exist.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileVoterStateStore {
            path: path.into(),
            write_lock: Mutex::new(()),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

impl VoterStateStore for FileVoterStateStore {
    fn load(&self) -> Result<Option<PersistedState>, StoreError> {
        match fs::read(&self.path) {
            Ok(bytes) => decode_file(&bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    fn store(&self, state: &PersistedState) -> Result<(), StoreError> {
        let _guard = self.write_lock.lock();
        let bytes = encode_file(state);
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        {
            let mut file = fs::File::create(&tmp).map_err(io)?;
            file.write_all(&bytes).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        fs::rename(&tmp, &self.path).map_err(io)?;
        if let Some(dir) = self.path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Ok(())
    }
}

/// The voter state as encoded bytes in memory: the simulation's "disk", shared between a crashed
/// actor and its restart. Can be told to fail writes, to test that a failed write stops the vote.
#[derive(Default)]
pub struct MemoryVoterStateStore {
    inner: Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    bytes: Option<Vec<u8>>,
    writes: u64,
    failing: bool,
}

impl MemoryVoterStateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many successful writes happened.
    pub fn writes(&self) -> u64 {
        self.inner.lock().writes
    }

    /// Makes subsequent writes fail (`true`) or succeed again (`false`).
    pub fn set_failing(&self, failing: bool) {
        self.inner.lock().failing = failing;
    }
}

impl VoterStateStore for MemoryVoterStateStore {
    fn load(&self) -> Result<Option<PersistedState>, StoreError> {
        match &self.inner.lock().bytes {
            Some(bytes) => decode_file(bytes).map(Some),
            None => Ok(None),
        }
    }

    fn store(&self, state: &PersistedState) -> Result<(), StoreError> {
        let mut inner = self.inner.lock();
        if inner.failing {
            return Err(StoreError::Io("simulated write failure".into()));
        }
        inner.bytes = Some(encode_file(state));
        inner.writes += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_core::{ed25519, Pair as _};

    fn state() -> PersistedState {
        let mut votes = BTreeMap::new();
        votes.insert(
            3,
            RoundVotes {
                propose: None,
                prevote: Some(Prevote::new(H256::repeat_byte(1), 4)),
                precommit: None,
            },
        );
        PersistedState {
            set: AuthoritySetState::new(
                2,
                vec![(ed25519::Pair::from_seed(&[1; 32]).public(), 1)],
                (H256::repeat_byte(9), 7),
            ),
            completed: None,
            votes,
        }
    }

    #[test]
    fn file_store_roundtrip_and_corruption() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("voter-state");
        let store = FileVoterStateStore::new(&path);
        assert_eq!(store.load(), Ok(None));
        store.store(&state()).expect("stores");
        assert_eq!(store.load(), Ok(Some(state())));
        let mut changed = state();
        changed.set.set_id = 3;
        store.store(&changed).expect("stores");
        assert_eq!(store.load(), Ok(Some(changed)));

        // Flip a byte: the store refuses to load rather than pretending nothing was stored.
        let mut bytes = fs::read(&path).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).expect("write");
        assert!(matches!(store.load(), Err(StoreError::Corrupt(_))));
        fs::write(&path, b"short").expect("write");
        assert!(matches!(store.load(), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn memory_store_can_fail() {
        let store = MemoryVoterStateStore::new();
        store.store(&state()).expect("stores");
        store.set_failing(true);
        assert!(store.store(&state()).is_err());
        assert_eq!(store.writes(), 1);
        assert_eq!(store.load(), Ok(Some(state())));
    }
}
