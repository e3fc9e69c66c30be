//! Weights of the Jobs pallet's calls and hooks, from the storage items each touches (worst
//! case) and its computation, in the support crate's measured units.

use crate::sampling::MAX_DRAWS_PER_PROVIDER;
use crate::types::MAX_ASSIGNMENTS;
use basalt_support::weight_v2::constants::{reads_writes, MICROS, NANOS};
use basalt_support::Weight;

/// Storage reads one stake-weighted draw makes: the tree walk (one read per level of a tree
/// of up to 2^16 slots) plus the eligibility checks (record, jobs, ledger, provider info).
const READS_PER_DRAW: u64 = 16 + 6;

/// `register_program`: the id counter, the hold (account and holds), the program, and the
/// model NFT's owner when it names one.
pub const fn register_program() -> Weight {
    reads_writes(4, 4).saturating_add(Weight::from_ref_time(20 * MICROS))
}

/// `submit_job` with `input_len` bytes: the program, counters, the hold, the job, its input
/// and its deadline bucket, the model NFT and its usage fee, plus the kernel input check and
/// hashing the input into the trie (about 2 ns per byte).
pub const fn submit_job(input_len: usize) -> Weight {
    reads_writes(9, 8)
        .saturating_add(Weight::from_ref_time(30 * MICROS))
        .saturating_add(Weight::from_parts(
            2 * NANOS * input_len as u64,
            input_len as u64,
        ))
}

/// `cancel_job`: the job, its bucket, the release, the counters.
pub const fn cancel_job() -> Weight {
    reads_writes(5, 6).saturating_add(Weight::from_ref_time(20 * MICROS))
}

/// `commit_result`: the job, and moving it to another bucket when the commits are complete.
pub const fn commit_result() -> Weight {
    reads_writes(3, 3).saturating_add(Weight::from_ref_time(15 * MICROS))
}

/// `reveal_result`: as a commit, plus hashing the commitment.
pub const fn reveal_result() -> Weight {
    reads_writes(3, 3).saturating_add(Weight::from_ref_time(20 * MICROS))
}

/// `dispute`: the job, the hold, two buckets.
pub const fn dispute() -> Weight {
    reads_writes(5, 5).saturating_add(Weight::from_ref_time(20 * MICROS))
}

/// `decline_job`: the job, the slash (ledger, lock, account, record), two buckets, and one
/// stake-weighted draw of a replacement with all its attempts.
pub const fn decline_job() -> Weight {
    let draws = MAX_DRAWS_PER_PROVIDER as u64;
    reads_writes(draws * READS_PER_DRAW + 10, 12).saturating_add(Weight::from_ref_time(40 * MICROS))
}

/// The queue's fixed cost per block: the cursor and one bucket.
pub const fn queue_overhead() -> Weight {
    reads_writes(2, 2)
}

/// One job's deadline, worst case: an assignment of up to `MAX_ASSIGNMENTS` providers with
/// all its draws, or a settlement that slashes and pays every assignment (each a ledger,
/// lock, account and record update) and pays the model's usage fee (the program, the item,
/// the owner's account and its earnings record).
pub const fn deadline() -> Weight {
    let draws = (MAX_ASSIGNMENTS * MAX_DRAWS_PER_PROVIDER) as u64;
    let assign = reads_writes(draws * READS_PER_DRAW, 2 * MAX_ASSIGNMENTS as u64 + 4);
    let settle = reads_writes(
        8 * MAX_ASSIGNMENTS as u64 + 14,
        8 * MAX_ASSIGNMENTS as u64 + 13,
    );
    let worst = if assign.ref_time > settle.ref_time {
        assign
    } else {
        settle
    };
    worst.saturating_add(Weight::from_ref_time(50 * MICROS))
}
