//! What the scheduler's service and the treasury's calls cost in compute, in the real runtime
//! over the dev genesis: `cargo bench -p basalt-runtime --bench governance`. The service is
//! measured at its worst per-block shape (a full agenda of 50 tasks, each a signed transfer);
//! state lives in the externalities' overlay, so storage costs memory, not RocksDB, and the
//! declared weights add their reads and writes on top. Results are in docs/BENCHMARKS.md.

mod common;

use basalt_runtime::{Balances, Runtime, RuntimeCall, Scheduler, Treasury};
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::hooks::Hooks;
use basalt_support::primitives::UNIT;
use basalt_support::{AccountId, Origin, H256};
use common::dev_state;
use criterion::{criterion_group, criterion_main, Criterion};
use pallet_scheduler::MAX_SCHEDULED_PER_BLOCK;
use std::time::{Duration, Instant};

fn acc(n: u32) -> AccountId {
    let mut raw = [9u8; 32];
    raw[..4].copy_from_slice(&n.to_le_bytes());
    AccountId::new(raw)
}

fn init(n: u32) {
    pallet_system::Pallet::<Runtime>::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
}

fn transfer_to(n: u32) -> RuntimeCall {
    RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: acc(n).into(),
        value: UNIT,
    })
}

fn root(call: RuntimeCall) {
    call.clone()
        .dispatch(Origin::Root)
        .unwrap_or_else(|e| panic!("{call:?}: {e:?}"));
}

fn governance(c: &mut Criterion) {
    let mut g = c.benchmark_group("governance");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let payer = acc(1);
    g.bench_function(
        "scheduler: one task of a full agenda (a signed transfer)",
        |b| {
            b.iter_custom(|iters| {
                let mut ext = dev_state();
                ext.execute_with(|| {
                    init(1);
                    Balances::deposit_creating(&payer, 1_000_000 * UNIT).expect("funded");
                    let mut spent = Duration::ZERO;
                    let mut tasks = 0u64;
                    let mut block = 1;
                    while tasks < iters {
                        block += 1;
                        for i in 0..MAX_SCHEDULED_PER_BLOCK {
                            let id = [(block % 251) as u8, i as u8, 1, 2].repeat(8);
                            let id: [u8; 32] = id.try_into().expect("32 bytes");
                            Scheduler::schedule_named_task(
                                id,
                                block,
                                None,
                                0,
                                Origin::Signed(payer.clone()),
                                &transfer_to(100 + i),
                            )
                            .expect("room");
                        }
                        init(block);
                        let started = Instant::now();
                        let _ = <Scheduler as Hooks>::on_initialize(block);
                        spent += started.elapsed();
                        tasks += MAX_SCHEDULED_PER_BLOCK as u64;
                    }
                    Duration::from_nanos((spent.as_nanos() as u64).saturating_mul(iters) / tasks)
                })
            })
        },
    );
    g.bench_function("scheduler: schedule_named (a transfer)", |b| {
        b.iter_custom(|iters| {
            let mut ext = dev_state();
            ext.execute_with(|| {
                init(1);
                let started = Instant::now();
                for i in 0..iters {
                    let mut id = [0u8; 32];
                    id[..8].copy_from_slice(&i.to_le_bytes());
                    root(RuntimeCall::Scheduler(
                        pallet_scheduler::Call::schedule_named {
                            id,
                            when: 10 + (i / MAX_SCHEDULED_PER_BLOCK as u64) as u32,
                            maybe_periodic: None,
                            priority: 0,
                            call: Box::new(transfer_to(7)),
                        },
                    ));
                }
                started.elapsed()
            })
        })
    });
    g.bench_function("treasury: spend then payout", |b| {
        b.iter_custom(|iters| {
            let mut ext = dev_state();
            ext.execute_with(|| {
                init(1);
                Balances::deposit_creating(&Treasury::account_id(), 1_000_000 * UNIT)
                    .expect("funded");
                let started = Instant::now();
                for i in 0..iters {
                    root(RuntimeCall::Treasury(pallet_treasury::Call::spend {
                        amount: UNIT,
                        beneficiary: acc(200 + (i % 50) as u32).into(),
                        valid_from: None,
                    }));
                    RuntimeCall::Treasury(pallet_treasury::Call::payout { index: i as u32 })
                        .dispatch(Origin::Signed(payer.clone()))
                        .expect("paid");
                }
                started.elapsed()
            })
        })
    });
    g.bench_function("treasury: end of a spend period (burn and rollover)", |b| {
        b.iter_custom(|iters| {
            let mut ext = dev_state();
            ext.execute_with(|| {
                Balances::deposit_creating(&Treasury::account_id(), 1_000_000 * UNIT)
                    .expect("funded");
                let period = <Runtime as pallet_treasury::Config>::SPEND_PERIOD;
                let mut spent = Duration::ZERO;
                for i in 1..=iters as u32 {
                    init(i * period);
                    let started = Instant::now();
                    let _ = <Treasury as Hooks>::on_initialize(i * period);
                    spent += started.elapsed();
                }
                spent
            })
        })
    });
    g.finish();
}

criterion_group!(benches, governance);
criterion_main!(benches);
