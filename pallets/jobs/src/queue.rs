//! The deadline queue: the chain, not a provider or the client, moves every job on.
//!
//! Each unsettled job is in exactly one bucket, `Deadlines[b]`, the block at which the chain
//! next acts on it (`Job::deadline`). A bucket holds at most [`BUCKET_SIZE`] jobs; a full one
//! sends the job to the next block with room. Full buckets remember where room was found after
//! them (`NextWithRoom`, compressed on every walk, as a union-find), so a job crowded out of its
//! block skips the run of full buckets instead of reading each one. A walk visits at most
//! [`MAX_PROBE`] full buckets; because every live job has one entry, the queue cannot overflow
//! while `MAX_LIVE_JOBS <= BUCKET_SIZE * MAX_PROBE` (checked by a test of the runtime's
//! values).
//!
//! `on_initialize` processes buckets from `DeadlineCursor` up to the current block, at most
//! `MAX_DEADLINES_PER_BLOCK` jobs per block; what is left waits for the next block, so work per
//! block is bounded and nothing is lost under load.

use crate::pallet::*;
use crate::types::*;
use crate::weights;
use basalt_support::{BlockNumber, DispatchError, Weight};

/// Blocks past the wanted one a job may be put in when buckets are full.
pub const MAX_PROBE: u32 = 1_000;

impl<T: Config> Pallet<T> {
    /// Puts `job` (id `id`) in the first bucket at or after block `at` with room, and records
    /// that block as its deadline. The caller stores the job.
    pub(crate) fn schedule(id: JobId, job: &mut Job, at: BlockNumber) -> Result<(), DispatchError> {
        let mut full: Vec<BlockNumber> = Vec::new();
        let mut block = at;
        for _ in 0..MAX_PROBE {
            let mut bucket = Deadlines::get(block);
            if bucket.try_push(id).is_ok() {
                Deadlines::insert(block, &bucket);
                // Every full bucket on the way now points here.
                for b in full {
                    NextWithRoom::insert(b, block);
                }
                job.deadline = block;
                return Ok(());
            }
            full.push(block);
            let next = block.saturating_add(1);
            block = NextWithRoom::get(block).map_or(next, |b| b.max(next));
        }
        Err(Error::<T>::QueueFull.into())
    }

    /// Takes `job` out of its bucket.
    pub(crate) fn unschedule(id: JobId, job: &Job) {
        Deadlines::mutate_exists(job.deadline, |bucket| {
            if let Some(b) = bucket {
                b.retain(|j| *j != id);
                if b.is_empty() {
                    *bucket = None;
                }
            }
        });
    }

    /// Acts on due jobs, oldest bucket first, within the per-block budget; returns the weight.
    pub(crate) fn process_deadlines(now: BlockNumber) -> Weight {
        let mut used = weights::queue_overhead();
        let mut budget = T::MAX_DEADLINES_PER_BLOCK;
        let mut cursor = DeadlineCursor::get();
        while cursor <= now && budget > 0 {
            let mut bucket = Deadlines::take(cursor);
            let take = bucket.len().min(budget as usize);
            let due: Vec<JobId> = bucket.iter().take(take).copied().collect();
            bucket.retain(|id| !due.contains(id));
            if !bucket.is_empty() {
                Deadlines::insert(cursor, &bucket);
            }
            for id in due {
                budget = budget.saturating_sub(1);
                used = used.saturating_add(weights::deadline());
                Self::on_deadline(id, now);
            }
            if Deadlines::get(cursor).is_empty() {
                NextWithRoom::remove(cursor);
                cursor = cursor.saturating_add(1);
            } else {
                break;
            }
        }
        DeadlineCursor::put(cursor);
        used
    }

    /// The chain acts on job `id`, whose deadline has come. A failure (which valid state
    /// cannot produce) leaves the job as it was, rescheduled for the next block.
    fn on_deadline(id: JobId, now: BlockNumber) {
        let Some(mut job) = Jobs::get(id) else {
            return;
        };
        let outcome = basalt_support::state::io::with_transaction(|| {
            let mut job = job.clone();
            Self::advance(id, &mut job, now)?;
            Jobs::insert(id, &job);
            Ok::<(), DispatchError>(())
        });
        if outcome.is_err() && Self::schedule(id, &mut job, now.saturating_add(1)).is_ok() {
            Jobs::insert(id, &job);
        }
    }
}
