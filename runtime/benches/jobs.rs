//! What the Jobs pallet's calls and its deadline hook cost in compute, in the real runtime over
//! the dev genesis (Alice, Bob and Charlie are providers): `cargo bench -p basalt-runtime
//! --bench jobs`. State lives in the externalities' overlay, so storage reads and writes cost
//! memory, not RocksDB; the declared weights add their reads and writes on top of the compute
//! measured here. Results are in docs/BENCHMARKS.md.

mod common;

use basalt_runtime::{genesis, Jobs, Runtime, RuntimeCall};
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::hooks::Hooks;
use basalt_support::{AccountId, BoundedVec, Origin, H256};
use codec::Encode;
use common::dev_state;
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

/// Jobs per measured block: what the three dev providers hold at once (16 each).
const PER_BLOCK: u64 = 48;

/// The result every provider reports, and its salt.
const RESULT: H256 = H256([9; 32]);
const SALT: H256 = H256([3; 32]);

fn open(n: u32) -> u64 {
    pallet_system::Pallet::<Runtime>::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
    let started = Instant::now();
    let _ = <Jobs as Hooks>::on_initialize(n);
    started.elapsed().as_nanos() as u64
}

/// Dave, the client (derived once: deriving a dev key costs about 0.8 ms of PBKDF2).
fn dave() -> AccountId {
    static DAVE: std::sync::OnceLock<AccountId> = std::sync::OnceLock::new();
    DAVE.get_or_init(|| genesis::dev_account("Dave")).clone()
}

fn submit(client: &AccountId) -> u64 {
    let id = pallet_jobs::NextJobId::get();
    let input = BoundedVec::new((b"basalt".to_vec(), 1000u32).encode()).expect("small");
    let call = RuntimeCall::Jobs(pallet_jobs::Call::submit_job {
        program: 0,
        input,
        replicas: 1,
        price: basalt_support::primitives::UNIT / 100,
        timeout: 100,
    });
    call.dispatch(Origin::Signed(client.clone()))
        .expect("submitted");
    id
}

/// The provider `id` was assigned to, if it was (a job waits when every provider is busy).
fn provider_of(id: u64) -> Option<AccountId> {
    let job = pallet_jobs::Jobs::get(id)?;
    job.assignments
        .as_slice()
        .first()
        .map(|a| a.provider.clone())
}

/// The jobs of `ids` that have a provider, with it.
fn assigned(ids: &[u64]) -> Vec<(u64, AccountId)> {
    ids.iter()
        .filter_map(|&id| provider_of(id).map(|p| (id, p)))
        .collect()
}

fn origin_of(who: &AccountId) -> Origin {
    Origin::Signed(who.clone())
}

/// Every dev provider does what `pending_work` asks, honestly (so nobody is slashed or jailed
/// and the providers have room for the next round).
fn play_honestly() {
    static PROVIDERS: std::sync::OnceLock<Vec<AccountId>> = std::sync::OnceLock::new();
    let providers = PROVIDERS.get_or_init(|| {
        genesis::DEV_PROVIDERS
            .iter()
            .map(|n| genesis::dev_account(n))
            .collect()
    });
    for who in providers {
        for work in Jobs::pending_work(who) {
            let call = match work.phase {
                pallet_jobs::Phase::Commit => pallet_jobs::Call::commit_result {
                    job: work.job,
                    commitment: Jobs::commitment_of(&RESULT, who, &SALT),
                },
                pallet_jobs::Phase::Reveal => pallet_jobs::Call::reveal_result {
                    job: work.job,
                    result_hash: RESULT,
                    salt: SALT,
                },
            };
            RuntimeCall::Jobs(call)
                .dispatch(origin_of(who))
                .expect("honest provider");
        }
    }
}

/// Times `f` over rounds of `PER_BLOCK` fresh jobs (`f` returns the nanoseconds of its timed
/// part and how many jobs it covered); returns the time for `iters` jobs.
fn per_job(iters: u64, mut f: impl FnMut(&mut u32, &[u64]) -> (u64, u64)) -> Duration {
    let mut ext = dev_state();
    let rounds = iters.div_ceil(PER_BLOCK);
    let mut total = 0u64;
    let mut counted = 0u64;
    ext.execute_with(|| {
        let mut block = 1u32;
        open(block);
        for _ in 0..rounds {
            let ids: Vec<u64> = (0..PER_BLOCK).map(|_| submit(&dave())).collect();
            let (nanos, jobs) = f(&mut block, &ids);
            total += nanos;
            counted += jobs;
            // Let every job settle.
            for _ in 0..40 {
                play_honestly();
                block += 1;
                open(block);
            }
        }
    });
    Duration::from_nanos(total.saturating_mul(iters) / counted.max(1))
}

fn jobs(c: &mut Criterion) {
    let mut g = c.benchmark_group("jobs");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("submit_job (blake2-chain)", |b| {
        b.iter_custom(|iters| {
            let mut ext = dev_state();
            ext.execute_with(|| {
                let mut spent = Duration::ZERO;
                for i in 0..iters {
                    // A new block every 100 jobs: each lands in a bucket with room.
                    if i % 100 == 0 {
                        open(1 + (i / 100) as u32 * 200);
                    }
                    let started = Instant::now();
                    submit(&dave());
                    spent += started.elapsed();
                }
                spent
            })
        })
    });
    // Crowding: 10,000 jobs already due in the same block; a new one skips the 78 full
    // buckets through their `NextWithRoom` pointers.
    g.bench_function("submit_job behind 10,000 queued", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            let mut left = iters;
            // Fresh state every 5,000 jobs, so the live-job cap is never reached.
            while left > 0 {
                let n = left.min(5_000);
                left -= n;
                let mut ext = dev_state();
                spent += ext.execute_with(|| {
                    open(1);
                    for _ in 0..10_000 {
                        submit(&dave());
                    }
                    let started = Instant::now();
                    for _ in 0..n {
                        submit(&dave());
                    }
                    started.elapsed()
                });
            }
            spent
        })
    });
    g.bench_function("deadline: assign one job", |b| {
        b.iter_custom(|iters| {
            per_job(iters, |block, ids| {
                *block += 1;
                let nanos = open(*block);
                (nanos, assigned(ids).len() as u64)
            })
        })
    });
    g.bench_function("commit_result", |b| {
        b.iter_custom(|iters| {
            per_job(iters, |block, ids| {
                *block += 1;
                open(*block);
                let jobs = assigned(ids);
                let started = Instant::now();
                for (id, who) in &jobs {
                    let commitment = Jobs::commitment_of(&RESULT, who, &SALT);
                    let call = pallet_jobs::Call::commit_result {
                        job: *id,
                        commitment,
                    };
                    RuntimeCall::Jobs(call)
                        .dispatch(origin_of(who))
                        .expect("commit");
                }
                (started.elapsed().as_nanos() as u64, jobs.len() as u64)
            })
        })
    });
    g.bench_function("reveal_result", |b| {
        b.iter_custom(|iters| {
            per_job(iters, |block, ids| {
                *block += 1;
                open(*block);
                let jobs = assigned(ids);
                for (id, who) in &jobs {
                    let commitment = Jobs::commitment_of(&RESULT, who, &SALT);
                    let call = pallet_jobs::Call::commit_result {
                        job: *id,
                        commitment,
                    };
                    RuntimeCall::Jobs(call)
                        .dispatch(origin_of(who))
                        .expect("commit");
                }
                let started = Instant::now();
                for (id, who) in &jobs {
                    let call = pallet_jobs::Call::reveal_result {
                        job: *id,
                        result_hash: RESULT,
                        salt: SALT,
                    };
                    RuntimeCall::Jobs(call)
                        .dispatch(origin_of(who))
                        .expect("reveal");
                }
                (started.elapsed().as_nanos() as u64, jobs.len() as u64)
            })
        })
    });
    g.finish();
}

criterion_group!(benches, jobs);
criterion_main!(benches);
