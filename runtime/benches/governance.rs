//! What the scheduler's service, the treasury's calls, the referenda and conviction voting cost
//! in compute, in the real runtime over the dev genesis (its short governance periods):
//! `cargo bench -p basalt-runtime --bench governance`. The service is measured at its worst
//! per-block shape (a full agenda of 50 tasks, each a signed transfer); a vote with the
//! account's full `MaxVotes` records;
//! state lives in the externalities' overlay, so storage costs memory, not RocksDB, and the
//! declared weights add their reads and writes on top. Results are in docs/BENCHMARKS.md.

mod common;

use basalt_runtime::{Balances, Runtime, RuntimeCall, Scheduler, Treasury};
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::hooks::Hooks;
use basalt_support::origin::GovernanceOrigin;
use basalt_support::primitives::UNIT;
use basalt_support::{AccountId, BoundedVec, Origin, H256};
use codec::Encode;
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
    g.bench_function("referenda: submit (an inline treasury spend)", |b| {
        b.iter_custom(|iters| {
            let mut ext = dev_state();
            ext.execute_with(|| {
                init(1);
                Balances::deposit_creating(&payer, 1_000_000_000 * UNIT).expect("funded");
                let started = Instant::now();
                for _ in 0..iters {
                    submit_spend(&payer);
                }
                started.elapsed()
            })
        })
    });
    g.bench_function(
        "conviction-voting: vote (replacing one of MaxVotes = 100 standing votes)",
        |b| {
            b.iter_custom(|iters| {
                let mut ext = dev_state();
                ext.execute_with(|| {
                    let voter = acc(2);
                    let max = full_voting_record(&payer, &voter);
                    let started = Instant::now();
                    for i in 0..iters {
                        vote(&voter, (i % u64::from(max)) as u32, 2 * UNIT + i as u128);
                    }
                    started.elapsed()
                })
            })
        },
    );
    g.bench_function(
        "conviction-voting: delegate then undelegate, to a target with MaxVotes = 100 standing votes",
        |b| {
            b.iter_custom(|iters| {
                let mut ext = dev_state();
                ext.execute_with(|| {
                    let target = acc(2);
                    full_voting_record(&payer, &target);
                    let delegator = acc(3);
                    Balances::deposit_creating(&delegator, 1_000 * UNIT).expect("funded");
                    let track = basalt_runtime::tracks::TREASURER_TRACK;
                    let started = Instant::now();
                    for _ in 0..iters {
                        RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::delegate {
                            class: track,
                            to: target.clone().into(),
                            conviction: pallet_conviction_voting::Conviction::Locked1x,
                            balance: 10 * UNIT,
                        })
                        .dispatch(Origin::Signed(delegator.clone()))
                        .expect("delegated");
                        RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::undelegate {
                            class: track,
                        })
                        .dispatch(Origin::Signed(delegator.clone()))
                        .expect("undelegated");
                    }
                    started.elapsed()
                })
            })
        },
    );
    g.bench_function(
        "referenda: alarm service of a deciding referendum (nudge)",
        |b| {
            b.iter_custom(|iters| {
                let mut ext = dev_state();
                ext.execute_with(|| {
                    init(1);
                    Balances::deposit_creating(&payer, 1_000_000_000 * UNIT).expect("funded");
                    let slots = 10u32;
                    for index in 0..slots {
                        submit_spend(&payer);
                        RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit {
                            index,
                        })
                        .dispatch(Origin::Signed(payer.clone()))
                        .expect("deposit");
                        vote(&payer, index, UNIT);
                    }
                    for n in 2..=4 {
                        init(n);
                        let _ = <Scheduler as Hooks>::on_initialize(n);
                    }
                    let started = Instant::now();
                    for i in 0..iters {
                        root(RuntimeCall::Referenda(pallet_referenda::Call::nudge_referendum {
                            index: (i % u64::from(slots)) as u32,
                        }));
                    }
                    let elapsed = started.elapsed();
                    assert!(matches!(
                        pallet_referenda::ReferendumInfoFor::get(0),
                        Some(pallet_referenda::ReferendumInfo::Ongoing(ref s)) if s.deciding.is_some()
                    ));
                    elapsed
                })
            })
        },
    );
    g.finish();
}

/// At block 1, `payer` submits `MaxVotes` Treasurer referenda and `voter` (funded here) votes
/// on every one: the largest voting record one account can have in a track. Returns `MaxVotes`.
fn full_voting_record(payer: &AccountId, voter: &AccountId) -> u32 {
    init(1);
    Balances::deposit_creating(payer, 1_000_000_000 * UNIT).expect("funded");
    Balances::deposit_creating(voter, 1_000 * UNIT).expect("funded");
    let max = pallet_conviction_voting::MAX_VOTES;
    for index in 0..max {
        submit_spend(payer);
        vote(voter, index, UNIT);
    }
    max
}

/// Submits a Treasurer referendum on a 1 BSLT spend, signed by `who`.
fn submit_spend(who: &AccountId) {
    let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
        amount: UNIT,
        beneficiary: acc(300).into(),
        valid_from: None,
    });
    RuntimeCall::Referenda(pallet_referenda::Call::submit {
        proposal_origin: Box::new(Origin::Origins(GovernanceOrigin::Treasurer)),
        proposal: pallet_referenda::Bounded::Inline(
            BoundedVec::new(spend.encode()).expect("inline"),
        ),
        enactment_moment: pallet_referenda::DispatchTime::After(0),
    })
    .dispatch(Origin::Signed(who.clone()))
    .expect("submitted");
}

/// `who` votes aye with `balance` at 1x on referendum `index`.
fn vote(who: &AccountId, index: u32, balance: u128) {
    RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
        poll_index: index,
        vote: pallet_conviction_voting::AccountVote::Standard {
            vote: pallet_conviction_voting::Vote {
                aye: true,
                conviction: pallet_conviction_voting::Conviction::Locked1x,
            },
            balance,
        },
    })
    .dispatch(Origin::Signed(who.clone()))
    .expect("voted");
}

criterion_group!(benches, governance);
criterion_main!(benches);
