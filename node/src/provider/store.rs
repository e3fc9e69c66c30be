//! Where a node keeps job outputs and its provider worker's journal: two RocksDB column
//! families of the node's database (`job_outputs`, `job_work`), so they survive restarts and
//! are written with the same durability as blocks.
//!
//! - Outputs, by job id: those this node's providers computed and those it fetched from a
//!   provider peer and checked against the chain's result hash. The store keeps at most
//!   `max_bytes` of them; beyond that the oldest jobs (lowest ids) are evicted first.
//! - The journal, by job and provider: what the worker decided for each assignment (its
//!   result hash and salt, or why it declined) and which transactions it sent. Written before
//!   the transaction is sent, so a node killed at any moment resumes with the same commitment
//!   and never commits twice.

use crate::db::{Database, DbError, WorkerColumn};
use basalt_support::primitives::hashing::blake2_256;
use basalt_support::{AccountId, BlockNumber, H256};
use codec::{Decode, Encode};
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A job id (the Jobs pallet's).
pub type JobId = pallet_jobs::JobId;

/// What the worker decided for one assignment.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Outcome {
    /// It ran: the hash it commits to (the output's, or a wrong one under
    /// `--test-cheat-rate`) and the commitment's salt.
    Result {
        /// The result hash committed to and revealed.
        hash: H256,
        /// The salt of the commitment.
        salt: H256,
    },
    /// It could not run the job, for this reason; the worker declines it.
    Failed(String),
}

/// A transaction the worker sent for an assignment: which, when, and its pool hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Sent {
    /// The best block when it was sent.
    pub at: BlockNumber,
    /// Its hash in the pool.
    pub tx: H256,
}

/// The worker's journal entry for one (job, provider) assignment.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct WorkRecord {
    /// What the execution gave.
    pub outcome: Outcome,
    /// The commit (or decline) transaction, once sent.
    pub commit: Option<Sent>,
    /// The reveal transaction, once sent.
    pub reveal: Option<Sent>,
}

/// Job outputs and the worker's journal, on the node's database.
pub struct OutputStore {
    db: Arc<Database>,
    max_bytes: u64,
    /// Stored outputs' sizes by job id (the eviction order), loaded at open.
    sizes: Mutex<BTreeMap<JobId, u64>>,
    /// Jobs whose stored output was found to hash to this: a large output is served in many
    /// chunks, and is hashed once, not once per chunk. Dropped whenever the output changes.
    verified: Mutex<lru::LruCache<JobId, H256>>,
}

/// Outputs whose verified hash is remembered.
const VERIFIED_MEMORY: std::num::NonZeroUsize = std::num::NonZeroUsize::MIN.saturating_add(1023);

fn output_key(job: JobId) -> [u8; 8] {
    job.to_be_bytes()
}

fn work_key(job: JobId, provider: &AccountId) -> Vec<u8> {
    let mut key = job.to_be_bytes().to_vec();
    key.extend_from_slice(provider.as_ref());
    key
}

impl OutputStore {
    /// Opens the store on `db`, keeping at most `max_bytes` of outputs.
    pub fn open(db: Arc<Database>, max_bytes: u64) -> Result<Arc<Self>, DbError> {
        let mut sizes = BTreeMap::new();
        for (key, len) in db.worker_entries(WorkerColumn::Outputs)? {
            let id = <[u8; 8]>::try_from(key.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| DbError::Corrupt("an output key is not 8 bytes".into()))?;
            sizes.insert(id, len as u64);
        }
        Ok(Arc::new(OutputStore {
            db,
            max_bytes,
            sizes: Mutex::new(sizes),
            verified: Mutex::new(lru::LruCache::new(VERIFIED_MEMORY)),
        }))
    }

    /// The stored output of `job`.
    pub fn output(&self, job: JobId) -> Result<Option<Vec<u8>>, DbError> {
        self.db.worker_get(WorkerColumn::Outputs, &output_key(job))
    }

    /// The stored output of `job` if `blake2_256` of it is `hash` (the chain's result).
    pub fn output_matching(&self, job: JobId, hash: &H256) -> Option<Vec<u8>> {
        let output = self.output(job).ok()??;
        if self.verified.lock().get(&job) == Some(hash) {
            return Some(output);
        }
        let matches = H256(blake2_256(&output)) == *hash;
        if matches {
            self.verified.lock().put(job, *hash);
        }
        matches.then_some(output)
    }

    /// Stores `output` for `job`, evicting the oldest outputs beyond the limit (never the one
    /// just stored) in the same write. An output larger than the whole limit is not kept.
    pub fn put_output(&self, job: JobId, output: &[u8]) -> Result<bool, DbError> {
        let len = output.len() as u64;
        if len > self.max_bytes {
            return Ok(false);
        }
        let mut sizes = self.sizes.lock();
        let mut total: u64 = sizes
            .iter()
            .filter(|(id, _)| **id != job)
            .map(|(_, n)| *n)
            .sum();
        let mut evict = Vec::new();
        for (id, n) in sizes.iter() {
            if total.saturating_add(len) <= self.max_bytes {
                break;
            }
            if *id != job {
                evict.push(*id);
                total = total.saturating_sub(*n);
            }
        }
        let key = output_key(job);
        let evict_keys: Vec<[u8; 8]> = evict.iter().map(|id| output_key(*id)).collect();
        let deletes: Vec<(WorkerColumn, &[u8])> = evict_keys
            .iter()
            .map(|k| (WorkerColumn::Outputs, k.as_slice()))
            .collect();
        self.db
            .worker_write(&[(WorkerColumn::Outputs, &key, output)], &deletes)?;
        let mut verified = self.verified.lock();
        for id in evict {
            sizes.remove(&id);
            verified.pop(&id);
        }
        verified.pop(&job);
        sizes.insert(job, len);
        Ok(true)
    }

    /// The journal entry of `provider`'s assignment to `job`.
    pub fn work(&self, job: JobId, provider: &AccountId) -> Result<Option<WorkRecord>, DbError> {
        let Some(bytes) = self
            .db
            .worker_get(WorkerColumn::Work, &work_key(job, provider))?
        else {
            return Ok(None);
        };
        WorkRecord::decode(&mut bytes.as_slice())
            .map(Some)
            .map_err(|e| DbError::Corrupt(format!("work record of job {job}: {e}")))
    }

    /// Writes the journal entry of `provider`'s assignment to `job` (durable on return).
    pub fn set_work(
        &self,
        job: JobId,
        provider: &AccountId,
        record: &WorkRecord,
    ) -> Result<(), DbError> {
        self.db.worker_write(
            &[(
                WorkerColumn::Work,
                &work_key(job, provider),
                &record.encode(),
            )],
            &[],
        )
    }

    /// Drops the journal entries of jobs for which `settled` holds (the chain is done with
    /// them), looking at most at `limit` entries; returns how many were dropped.
    pub fn prune_work(
        &self,
        settled: impl Fn(JobId) -> bool,
        limit: usize,
    ) -> Result<usize, DbError> {
        let old: Vec<Vec<u8>> = self
            .db
            .worker_entries(WorkerColumn::Work)?
            .into_iter()
            .take(limit)
            .map(|(k, _)| k)
            .filter(|k| {
                <[u8; 8]>::try_from(k.get(..8).unwrap_or_default())
                    .map(|id| settled(u64::from_be_bytes(id)))
                    .unwrap_or(true)
            })
            .collect();
        let deletes: Vec<(WorkerColumn, &[u8])> = old
            .iter()
            .map(|k| (WorkerColumn::Work, k.as_slice()))
            .collect();
        self.db.worker_write(&[], &deletes)?;
        Ok(old.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dir: &std::path::Path, max: u64) -> Arc<OutputStore> {
        OutputStore::open(Arc::new(Database::open(dir).unwrap()), max).unwrap()
    }

    #[test]
    fn outputs_survive_a_restart_and_the_oldest_are_evicted_beyond_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = open(dir.path(), 10);
            assert!(store.put_output(1, b"aaaa").unwrap());
            assert!(store.put_output(2, b"bbbb").unwrap());
            // Job 3 does not fit beside both: job 1 goes.
            assert!(store.put_output(3, b"cccc").unwrap());
            assert_eq!(store.output(1).unwrap(), None);
            // Larger than the whole limit: refused, nothing evicted.
            assert!(!store.put_output(4, &[0; 11]).unwrap());
            assert_eq!(store.output(2).unwrap().as_deref(), Some(&b"bbbb"[..]));
        }
        let store = open(dir.path(), 10);
        assert_eq!(store.output(3).unwrap().as_deref(), Some(&b"cccc"[..]));
        assert_eq!(store.output(2).unwrap().as_deref(), Some(&b"bbbb"[..]));
        assert_eq!(store.output(1).unwrap(), None);
    }

    #[test]
    fn an_output_is_served_only_while_it_matches_the_hash_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path(), 100);
        let (good, other) = (b"output".to_vec(), b"another".to_vec());
        let hash = H256(blake2_256(&good));
        store.put_output(1, &good).unwrap();
        assert_eq!(store.output_matching(1, &hash), Some(good.clone()));
        // Remembered as verified; a different hash still does not match.
        assert_eq!(store.output_matching(1, &hash), Some(good));
        assert_eq!(store.output_matching(1, &H256(blake2_256(&other))), None);
        // Replaced by another output: the old verification no longer counts.
        store.put_output(1, &other).unwrap();
        assert_eq!(store.output_matching(1, &hash), None);
    }

    #[test]
    fn the_journal_survives_a_restart_and_is_pruned_by_job() {
        let dir = tempfile::tempdir().unwrap();
        let who = AccountId::new([7; 32]);
        let record = WorkRecord {
            outcome: Outcome::Result {
                hash: H256::repeat_byte(1),
                salt: H256::repeat_byte(2),
            },
            commit: Some(Sent {
                at: 5,
                tx: H256::repeat_byte(3),
            }),
            reveal: None,
        };
        {
            let store = open(dir.path(), 100);
            store.set_work(4, &who, &record).unwrap();
            store.set_work(9, &who, &record).unwrap();
        }
        let store = open(dir.path(), 100);
        assert_eq!(store.work(4, &who).unwrap(), Some(record.clone()));
        assert_eq!(store.prune_work(|job| job < 5, 100).unwrap(), 1);
        assert_eq!(store.work(4, &who).unwrap(), None);
        assert_eq!(store.work(9, &who).unwrap(), Some(record));
    }
}
