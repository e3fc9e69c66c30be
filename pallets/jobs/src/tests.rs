//! Unit tests of the Jobs pallet, playing the providers by hand.
//!
//! Six CPU providers (1..=6) bond 1000 each; clients 10 and 11 hold 10 000; the treasury (99)
//! holds 1. Every test ends with [`check_invariants`]: issuance moved only by the protocol
//! fee's burn, the escrow held on each client is the sum of its live jobs' escrow, the pallet's
//! account holds exactly the ED, the verification pool and the live pots, every live job is in
//! exactly one deadline bucket, provider job lists match active assignments, and the sampling
//! tree matches the providers' stakes.

use crate::mock::*;
use crate::pallet::*;
use crate::types::*;
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::genesis::BuildGenesis;
use basalt_support::hooks::Hooks;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, Balance, BoundedVec, DispatchError, Origin, H256};
use codec::Encode;
use pallet_staking::Capabilities;

mod models;
mod simulation;

type JobsPallet<R> = Pallet<R>;
type Balances<R> = pallet_balances::Pallet<R>;
type System<R> = pallet_system::Pallet<R>;

const PRICE: Balance = 10;
const STAKE: Balance = 1_000;
const PROVIDERS: [u8; 6] = [1, 2, 3, 4, 5, 6];
const CLIENT: u8 = 10;

fn cpu() -> Capabilities {
    Capabilities {
        gpu_model: BoundedVec::new(b"cpu".to_vec()).unwrap(),
        memory_gb: 0,
        count: 0,
        price_per_unit: 1,
        region: BoundedVec::new(b"test".to_vec()).unwrap(),
    }
}

fn dispatch<R: Config>(call: Call, who: u8) -> Result<(), DispatchError> {
    io::with_transaction(|| Dispatchable::<R>::dispatch(call, Origin::Signed(acc(who))))
}

fn register_provider<R: Config>(who: u8, stake: Balance) {
    io::with_transaction(|| {
        Dispatchable::<R>::dispatch(
            pallet_staking::Call::register_provider {
                stake,
                capabilities: cpu(),
            },
            Origin::Signed(acc(who)),
        )
    })
    .expect("provider registers");
}

fn deregister_provider<R: Config>(who: u8) {
    io::with_transaction(|| {
        Dispatchable::<R>::dispatch(
            pallet_staking::Call::deregister_provider {},
            Origin::Signed(acc(who)),
        )
    })
    .expect("provider deregisters");
}

/// Genesis in block 0, providers registered, block 1 open; runs `f`; checks the invariants.
fn test_for<R: Config>(f: impl FnOnce()) {
    SEED.with(|s| s.set(0));
    MODELS.with(|m| m.borrow_mut().clear());
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let mut endow: Vec<(AccountId, Balance)> =
            PROVIDERS.iter().map(|n| (acc(*n), 2 * STAKE)).collect();
        endow.push((acc(CLIENT), 10_000));
        endow.push((acc(11), 10_000));
        endow.push((acc(7), 2 * STAKE));
        endow.push((acc(TREASURY), 1));
        Balances::<R>::genesis_endow(&endow).expect("endowed");
        JobsPallet::<R>::build_genesis(&()).expect("jobs genesis");
        for n in PROVIDERS {
            register_provider::<R>(n, STAKE);
        }
        open::<R>(1);
        let issuance = Balances::<R>::total_issuance();
        f();
        check_invariants::<R>(issuance);
    });
}

fn test(f: impl FnOnce()) {
    test_for::<Test>(f)
}

fn open<R: Config>(n: u32) {
    System::<R>::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
    JobsPallet::<R>::on_initialize(n);
}

fn now<R: Config>() -> u32 {
    System::<R>::block_number()
}

/// Runs blocks until block `n` is open.
fn run_to<R: Config>(n: u32) {
    while now::<R>() < n {
        let next = now::<R>() + 1;
        System::<R>::finalize();
        open::<R>(next);
    }
}

fn next_block<R: Config>() {
    run_to::<R>(now::<R>() + 1);
}

fn events<R: Config>() -> Vec<Event> {
    System::<R>::events_of::<Event>(<R as Config>::INDEX)
}

fn blake2_chain_input(seed: &[u8], rounds: u32) -> BoundedVec<u8, MAX_INPUT_LEN> {
    BoundedVec::new((seed.to_vec(), rounds).encode()).unwrap()
}

fn submit<R: Config>(client: u8, replicas: u8) -> JobId {
    let id = NextJobId::get();
    dispatch::<R>(
        Call::submit_job {
            program: 0,
            input: blake2_chain_input(b"basalt", 3),
            replicas,
            price: PRICE,
            timeout: 10,
        },
        client,
    )
    .expect("submitted");
    id
}

fn job(id: JobId) -> Job {
    Jobs::get(id).expect("job exists")
}

fn assigned(id: JobId) -> Vec<u8> {
    job(id)
        .assignments
        .iter()
        .filter(|a| a.active)
        .map(|a| AsRef::<[u8]>::as_ref(&a.provider)[0])
        .collect()
}

fn salt(who: u8) -> H256 {
    H256::repeat_byte(who)
}

const GOOD: H256 = H256::repeat_byte(0x60);
const BAD: H256 = H256::repeat_byte(0xBA);

fn commit<R: Config>(who: u8, id: JobId, result: H256) -> Result<(), DispatchError> {
    let commitment = JobsPallet::<R>::commitment_of(&result, &acc(who), &salt(who));
    dispatch::<R>(
        Call::commit_result {
            job: id,
            commitment,
        },
        who,
    )
}

fn reveal<R: Config>(who: u8, id: JobId, result: H256) -> Result<(), DispatchError> {
    dispatch::<R>(
        Call::reveal_result {
            job: id,
            result_hash: result,
            salt: salt(who),
        },
        who,
    )
}

/// Every active provider of `id` that has not yet done so commits and reveals
/// `result_of(provider)`.
fn play<R: Config>(id: JobId, result_of: impl Fn(u8) -> H256) {
    let who = assigned(id);
    for &p in &who {
        if job(id)
            .assignments
            .iter()
            .any(|a| a.provider == acc(p) && a.commitment.is_none())
        {
            commit::<R>(p, id, result_of(p)).expect("commit");
        }
    }
    for &p in &who {
        if job(id)
            .assignments
            .iter()
            .any(|a| a.provider == acc(p) && a.result.is_none())
        {
            reveal::<R>(p, id, result_of(p)).expect("reveal");
        }
    }
}

/// An optimistic job whose one provider revealed `result`, in its challenge window (no spot
/// check drawn); the job and the provider.
fn revealed_optimistic(result: H256) -> (JobId, u8) {
    let id = submit::<Test>(CLIENT, 1);
    next_block::<Test>();
    let provider = assigned(id)[0];
    play::<Test>(id, |_| result);
    next_block::<Test>();
    assert_eq!(job(id).state, JobState::Revealed);
    (id, provider)
}

fn err<R: Config>(e: Error<R>) -> Result<(), DispatchError> {
    Err(e.into())
}

fn free<R: Config>(n: u8) -> Balance {
    Balances::<R>::free_balance(&acc(n))
}

fn held(n: u8) -> Balance {
    pallet_balances::Pallet::<Test>::balance_on_hold(&ESCROW_HOLD, &acc(n))
}

fn bond<R: Config>(n: u8) -> Balance {
    pallet_staking::Pallet::<R>::provider_stake(&acc(n))
}

fn check_invariants<R: Config>(issuance_at_start: Balance) {
    // Issuance moved only by the protocol fee's burn.
    let mut burned: Balance = 0;
    let mut live = 0u32;
    let mut pots: Balance = 0;
    let mut escrow: std::collections::BTreeMap<AccountId, Balance> = Default::default();
    for (id, j) in Jobs::iter() {
        if let JobState::Completed(_) = j.state {
            burned += j.protocol_fee - <R as Config>::FEE_TREASURY_SHARE.mul_floor(j.protocol_fee);
        }
        if j.state.is_final() {
            assert_eq!(j.pot, 0, "a settled job keeps no pot");
            assert_eq!(j.escrow, 0, "a settled job holds nothing");
            assert!(JobInputs::get(id).is_none());
            continue;
        }
        live += 1;
        pots += j.pot;
        *escrow.entry(j.client.clone()).or_default() += j.escrow;
        assert!(
            Deadlines::get(j.deadline).contains(&id),
            "job {id} in its bucket"
        );
        for a in j.assignments.iter().filter(|a| a.active) {
            assert!(ProviderJobs::get(&a.provider).contains(&id));
        }
    }
    assert_eq!(LiveJobs::get(), live);
    let queued: usize = Deadlines::iter().map(|(_, b)| b.len()).sum();
    assert_eq!(queued as u32, live, "one queue entry per live job");
    assert_eq!(
        Balances::<R>::total_issuance() + burned,
        issuance_at_start,
        "issuance"
    );
    let sum: Balance = pallet_system::Account::iter()
        .map(|(_, a)| a.data.free + a.data.reserved)
        .sum();
    assert_eq!(
        Balances::<R>::total_issuance(),
        sum,
        "issuance equals all balances"
    );
    for (who, amount) in escrow {
        assert_eq!(
            Balances::<R>::balance_on_hold(&ESCROW_HOLD, &who),
            amount,
            "escrow of {who:?}"
        );
    }
    assert_eq!(
        Balances::<R>::total_balance(&JobsPallet::<R>::account_id()),
        1 + VerificationPool::get() + pots,
        "the pallet's account holds the ED, the pool and the pots"
    );
    for (who, list) in ProviderJobs::iter() {
        for id in list.iter() {
            let j = job(*id);
            assert!(!j.state.is_final());
            assert!(j.assignments.iter().any(|a| a.active && a.provider == who));
        }
    }
    let mut total: Balance = 0;
    for (who, (_, weight)) in SamplingSlots::iter() {
        let jailed = ProviderRecords::get(&who).jailed_since.is_some();
        let expected = if jailed || !pallet_staking::Pallet::<R>::is_active_provider(&who) {
            0
        } else {
            pallet_staking::Pallet::<R>::provider_stake(&who)
        };
        assert_eq!(weight, expected, "sampling weight of {who:?}");
        total += weight;
    }
    assert_eq!(SamplingTotal::get(), total);
}

// ----------------------------------------------------------------------------------------------
// Programs and submission
// ----------------------------------------------------------------------------------------------

#[test]
fn genesis_registers_the_builtin_kernels() {
    test(|| {
        assert_eq!(
            Programs::get(0).unwrap().name.to_vec(),
            b"blake2-chain".to_vec()
        );
        assert_eq!(Programs::get(0).unwrap().kind, ProgramKind::Kernel(0));
        assert_eq!(
            Programs::get(1).unwrap().name.to_vec(),
            b"matmul-i8".to_vec()
        );
        assert_eq!(NextProgramId::get(), 2);
        assert_eq!(SamplingTotal::get(), 6 * STAKE);
    });
}

#[test]
fn register_program_holds_a_deposit_and_refuses_kernels() {
    test(|| {
        let kind = ProgramKind::Container {
            digest: H256::repeat_byte(1),
            deterministic: true,
        };
        let needs = Requirements {
            gpu_memory_gb: 80,
            gpu_count: 1,
            time_limit: 10,
        };
        let name = BoundedVec::new(b"llama".to_vec()).unwrap();
        MockModels::set((0, 7), acc(CLIENT), 0);
        dispatch::<Test>(
            Call::register_program {
                name: name.clone(),
                kind: kind.clone(),
                requirements: needs,
                model: Some((0, 7)),
            },
            CLIENT,
        )
        .unwrap();
        assert_eq!(Programs::get(2).unwrap().owner, Some(acc(CLIENT)));
        assert_eq!(
            Balances::<Test>::balance_on_hold(&PROGRAM_HOLD, &acc(CLIENT)),
            50
        );
        assert_eq!(
            dispatch::<Test>(
                Call::register_program {
                    name: name.clone(),
                    kind: ProgramKind::Kernel(0),
                    requirements: needs,
                    model: None
                },
                CLIENT
            ),
            err(Error::<Test>::KernelsAreBuiltIn)
        );
        let bad = Requirements {
            gpu_memory_gb: 80,
            gpu_count: 0,
            time_limit: 10,
        };
        assert_eq!(
            dispatch::<Test>(
                Call::register_program {
                    name,
                    kind,
                    requirements: bad,
                    model: None
                },
                CLIENT
            ),
            err(Error::<Test>::InvalidRequirements)
        );
    });
}

#[test]
fn attack_crowding_one_deadline_block_does_not_make_scheduling_walk_every_bucket() {
    test(|| {
        // 600 jobs all due in block 2: buckets 2..=5 fill up (128 each), the rest go to 6.
        for _ in 0..600 {
            submit::<Test>(CLIENT, 1);
        }
        assert_eq!(Deadlines::get(2).len(), 128);
        assert_eq!(Deadlines::get(6).len(), 600 - 4 * 128);
        // The crowded block points at the bucket with room: the next job reads 2 buckets, not
        // 5; the others point forward, never past room.
        assert_eq!(NextWithRoom::get(2), Some(6));
        for b in 3..=5 {
            assert!(
                NextWithRoom::get(b).is_some_and(|n| n > b && n <= 6),
                "bucket {b}"
            );
        }
        assert_eq!(NextWithRoom::get(6), None);
        let id = submit::<Test>(CLIENT, 1);
        assert_eq!(job(id).deadline, 6);
        // A bucket that frees up is used again (the pointer only skips, it never loses room).
        let first = Deadlines::get(3).as_slice()[0];
        dispatch::<Test>(Call::cancel_job { job: first }, CLIENT).unwrap();
        let id = submit::<Test>(CLIENT, 1);
        assert!(job(id).deadline >= 3);
    });
}

#[test]
fn attack_program_flood_costs_a_deposit_each() {
    test(|| {
        let kind = ProgramKind::Executable {
            digest: H256::repeat_byte(2),
            deterministic: false,
        };
        let needs = Requirements {
            gpu_memory_gb: 0,
            gpu_count: 0,
            time_limit: 10,
        };
        let mut registered = 0;
        while dispatch::<Test>(
            Call::register_program {
                name: BoundedVec::default(),
                kind: kind.clone(),
                requirements: needs,
                model: None,
            },
            11,
        )
        .is_ok()
        {
            registered += 1;
        }
        // 10 000 buys exactly 200 deposits of 50: held funds keep the account alive, as in FRAME.
        assert_eq!(registered, 200);
        assert_eq!(
            Balances::<Test>::balance_on_hold(&PROGRAM_HOLD, &acc(11)),
            200 * 50
        );
    });
}

#[test]
fn submit_holds_price_fee_and_verification_fee() {
    test(|| {
        let id = submit::<Test>(CLIENT, 3);
        // 3 x 10, protocol fee 10% = 3, no verification fee (redundant).
        assert_eq!(held(CLIENT), 33);
        assert_eq!(job(id).escrow, 33);
        assert_eq!(
            job(id).state,
            JobState::Pending(PendingReason::AwaitingRandomness)
        );
        assert!(JobInputs::get(id).is_some());
        let single = submit::<Test>(CLIENT, 1);
        // 10 + 1 fee + 0% verification (spot checks off in `Test`).
        assert_eq!(job(single).escrow, 11);
        assert_eq!(held(CLIENT), 44);
    });
}

#[test]
fn bad_inputs_are_refused_with_typed_errors_and_nothing_held() {
    test(|| {
        let submit_raw = |program: ProgramId, input: Vec<u8>| {
            dispatch::<Test>(
                Call::submit_job {
                    program,
                    input: BoundedVec::new(input).unwrap(),
                    replicas: 1,
                    price: PRICE,
                    timeout: 10,
                },
                CLIENT,
            )
        };
        assert_eq!(
            submit_raw(0, vec![1, 2]),
            err(Error::<Test>::InputUndecodable)
        );
        assert_eq!(
            submit_raw(0, (b"x".to_vec(), 0u32).encode()),
            err(Error::<Test>::ZeroRounds)
        );
        let mut trailing = (b"x".to_vec(), 1u32).encode();
        trailing.push(0);
        assert_eq!(
            submit_raw(0, trailing),
            err(Error::<Test>::InputTrailingBytes)
        );
        assert_eq!(
            submit_raw(0, (b"x".to_vec(), u32::MAX).encode()),
            err(Error::<Test>::TooManyRounds)
        );
        assert_eq!(
            submit_raw(1, (0u32, 2u32, 2u32, [0u8; 32]).encode()),
            err(Error::<Test>::ZeroDimension)
        );
        assert_eq!(
            submit_raw(1, (4097u32, 2u32, 2u32, [0u8; 32]).encode()),
            err(Error::<Test>::DimensionTooLarge)
        );
        assert_eq!(submit_raw(9, vec![]), err(Error::<Test>::ProgramNotFound));
        let call = |replicas, price, timeout| Call::submit_job {
            program: 0,
            input: blake2_chain_input(b"x", 1),
            replicas,
            price,
            timeout,
        };
        assert_eq!(
            dispatch::<Test>(call(0, PRICE, 10), CLIENT),
            err(Error::<Test>::BadReplicas)
        );
        assert_eq!(
            dispatch::<Test>(call(6, PRICE, 10), CLIENT),
            err(Error::<Test>::BadReplicas)
        );
        assert_eq!(
            dispatch::<Test>(call(1, 0, 10), CLIENT),
            err(Error::<Test>::PriceTooLow)
        );
        assert_eq!(
            dispatch::<Test>(call(1, PRICE, 0), CLIENT),
            err(Error::<Test>::BadTimeout)
        );
        assert_eq!(
            dispatch::<Test>(call(1, PRICE, 101), CLIENT),
            err(Error::<Test>::BadTimeout)
        );
        assert_eq!(
            dispatch::<Test>(call(1, Balance::MAX, 10), CLIENT),
            err(Error::<Test>::Overflow)
        );
        assert!(
            dispatch::<Test>(call(1, 20_000, 10), CLIENT).is_err(),
            "cannot hold more than it has"
        );
        assert_eq!(held(CLIENT), 0);
        assert_eq!(NextJobId::get(), 0);
    });
}

#[test]
fn nondeterministic_programs_run_on_one_replica() {
    test(|| {
        let kind = ProgramKind::Container {
            digest: H256::repeat_byte(3),
            deterministic: false,
        };
        let needs = Requirements {
            gpu_memory_gb: 0,
            gpu_count: 0,
            time_limit: 10,
        };
        dispatch::<Test>(
            Call::register_program {
                name: BoundedVec::default(),
                kind,
                requirements: needs,
                model: None,
            },
            11,
        )
        .unwrap();
        let call = |replicas| Call::submit_job {
            program: 2,
            input: BoundedVec::default(),
            replicas,
            price: PRICE,
            timeout: 10,
        };
        assert_eq!(
            dispatch::<Test>(call(2), CLIENT),
            err(Error::<Test>::NondeterministicRedundant)
        );
        dispatch::<Test>(call(1), CLIENT).unwrap();
    });
}

// ----------------------------------------------------------------------------------------------
// Assignment
// ----------------------------------------------------------------------------------------------

#[test]
fn assignment_uses_a_later_blocks_randomness() {
    test(|| {
        let id = submit::<Test>(CLIENT, 3);
        assert!(
            assigned(id).is_empty(),
            "nothing is assigned in the submission block"
        );
        next_block::<Test>();
        let who = assigned(id);
        assert_eq!(who.len(), 3);
        let mut distinct = who.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 3, "distinct providers");
        assert_eq!(job(id).state, JobState::Assigned);
        for p in &who {
            assert_eq!(
                JobsPallet::<Test>::pending_work(&acc(*p))[0].phase,
                Phase::Commit
            );
        }
        assert!(events::<Test>().iter().any(
            |e| matches!(e, Event::JobAssigned { job, role: Role::Replica, .. } if *job == id)
        ));
    });
}

#[test]
fn cancel_before_assignment_refunds_everything_and_after_is_refused() {
    test(|| {
        let before = free::<Test>(CLIENT);
        let id = submit::<Test>(CLIENT, 2);
        assert_eq!(
            dispatch::<Test>(Call::cancel_job { job: id }, 11),
            err(Error::<Test>::NotClient)
        );
        dispatch::<Test>(Call::cancel_job { job: id }, CLIENT).unwrap();
        assert_eq!(free::<Test>(CLIENT), before);
        assert_eq!(job(id).state, JobState::Refunded(RefundReason::Cancelled));
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        assert_eq!(
            dispatch::<Test>(Call::cancel_job { job: id }, CLIENT),
            err(Error::<Test>::NotPending)
        );
    });
}

#[test]
fn too_few_providers_waits_pending_then_expires_with_a_refund() {
    test(|| {
        let before = free::<Test>(CLIENT);
        dispatch::<Test>(
            Call::submit_job {
                program: 0,
                input: blake2_chain_input(b"x", 1),
                replicas: 5,
                price: 60,
                timeout: 7,
            },
            CLIENT,
        )
        .unwrap();
        // A price of 60 needs 20 x 60 = 1200 of stake: no provider qualifies.
        next_block::<Test>();
        assert_eq!(
            job(0).state,
            JobState::Pending(PendingReason::TooFewProviders)
        );
        run_to::<Test>(8);
        assert_eq!(job(0).state, JobState::Expired);
        assert_eq!(free::<Test>(CLIENT), before);
        assert!(events::<Test>().iter().any(|e| matches!(
            e,
            Event::JobRefunded {
                reason: RefundReason::Expired,
                amount: 330,
                ..
            }
        )));
    });
}

#[test]
fn attack_client_is_never_assigned_its_own_job() {
    test(|| {
        // Provider 1 submits many jobs; it must never be given one of its own.
        for round in 0..20u64 {
            SEED.with(|s| s.set(round));
            let id = submit::<Test>(1, 3);
            next_block::<Test>();
            assert!(!assigned(id).contains(&1));
            dispatch::<Test>(Call::cancel_job { job: id }, 1).unwrap_err();
            play::<Test>(id, |_| GOOD);
            next_block::<Test>();
            assert!(matches!(job(id).state, JobState::Completed(_)));
        }
    });
}

#[test]
fn assignment_is_stake_weighted() {
    // Providers 1..=6 with stakes 1000, 2000, ..., 6000 (two more accounts' worth of funds):
    // over many seeded single draws, the counts fit the stakes (chi-square, 5 degrees of
    // freedom, below the 0.1% critical value 20.5).
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let endow: Vec<(AccountId, Balance)> =
            PROVIDERS.iter().map(|n| (acc(*n), 10_000)).collect();
        Balances::<Test>::genesis_endow(&endow).unwrap();
        JobsPallet::<Test>::build_genesis(&()).unwrap();
        for n in PROVIDERS {
            register_provider::<Test>(n, STAKE * Balance::from(n));
        }
        let draws = 21_000u32;
        let mut counts = [0u32; 6];
        let seed = H256::repeat_byte(7);
        for i in 0..draws {
            let who = JobsPallet::<Test>::draw(&seed, i).unwrap();
            counts[usize::from(AsRef::<[u8]>::as_ref(&who)[0]) - 1] += 1;
        }
        let total_stake: u32 = 21;
        let mut chi2_x1000: u64 = 0;
        for (i, c) in counts.iter().enumerate() {
            let expected = u64::from(draws) * (i as u64 + 1) / u64::from(total_stake);
            let d = (i64::from(*c) - expected as i64).unsigned_abs();
            chi2_x1000 += d * d * 1000 / expected;
        }
        assert!(
            chi2_x1000 < 20_500,
            "chi-square {chi2_x1000}/1000 for {counts:?}"
        );
    });
}

// ----------------------------------------------------------------------------------------------
// Redundant verification
// ----------------------------------------------------------------------------------------------

#[test]
fn redundant_job_completes_and_every_amount_adds_up() {
    test(|| {
        let client_before = free::<Test>(CLIENT);
        let treasury_before = free::<Test>(TREASURY);
        let id = submit::<Test>(CLIENT, 3);
        next_block::<Test>();
        let who = assigned(id);
        let before: Vec<Balance> = who.iter().map(|p| free::<Test>(*p)).collect();
        play::<Test>(id, |_| GOOD);
        assert_eq!(job(id).state, JobState::Committed);
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        for (p, b) in who.iter().zip(before) {
            assert_eq!(free::<Test>(*p), b + PRICE);
            assert_eq!(ProviderRecords::get(acc(*p)).jobs_done, 1);
        }
        // The client paid 3 x 10 and the fee of 3: 2 to the treasury (80%, floor), 1 burned.
        assert_eq!(free::<Test>(CLIENT), client_before - 33);
        assert_eq!(free::<Test>(TREASURY), treasury_before + 2);
        assert_eq!(held(CLIENT), 0);
        assert!(events::<Test>().iter().any(|e| matches!(
            e,
            Event::JobCompleted {
                paid: 30,
                refunded: 0,
                ..
            }
        )));
    });
}

#[test]
fn colluding_minority_is_slashed_and_the_majority_paid() {
    test(|| {
        let id = submit::<Test>(CLIENT, 3);
        next_block::<Test>();
        let who = assigned(id);
        let cheat = who[0];
        let treasury_before = free::<Test>(TREASURY);
        play::<Test>(id, |p| if p == cheat { BAD } else { GOOD });
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        // Slashed 20 x 10 = 200: half to the two exposers (50 each), half to the treasury.
        assert_eq!(bond::<Test>(cheat), STAKE - 200);
        for p in &who[1..] {
            assert_eq!(ProviderRecords::get(acc(*p)).earned, PRICE + 50);
        }
        assert_eq!(free::<Test>(TREASURY), treasury_before + 100 + 2);
        assert_eq!(ProviderRecords::get(acc(cheat)).offences, 1);
        assert_eq!(ProviderRecords::get(acc(cheat)).slashed, 200);
        // The cheater's unpaid price goes back to the client.
        assert!(events::<Test>()
            .iter()
            .any(|e| matches!(e, Event::JobCompleted { refunded: 10, .. })));
    });
}

#[test]
fn a_tie_escalates_and_the_majority_decides() {
    test(|| {
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        let who = assigned(id);
        let cheat = who[1];
        play::<Test>(id, |p| if p == cheat { BAD } else { GOOD });
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Escalated(Phase::Commit));
        let fresh: Vec<u8> = assigned(id)
            .into_iter()
            .filter(|p| !who.contains(p))
            .collect();
        assert_eq!(fresh.len(), 2);
        for p in &fresh {
            commit::<Test>(*p, id, GOOD).unwrap();
        }
        for p in &fresh {
            reveal::<Test>(*p, id, GOOD).unwrap();
        }
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert_eq!(bond::<Test>(cheat), STAKE - 200);
        // Escalation providers are paid their price from the slash.
        for p in &fresh {
            assert!(ProviderRecords::get(acc(*p)).earned >= PRICE);
        }
    });
}

#[test]
fn no_majority_with_the_most_providers_refunds_the_client() {
    test_for::<Test>(|| {
        // Seven providers are needed to reach the cap of 9 assignments: add three more.
        for n in [7u8, 8, 20] {
            if n != 7 {
                Balances::<Test>::transfer(&acc(11), &acc(n), 2 * STAKE, true).unwrap();
            }
            register_provider::<Test>(n, STAKE);
        }
        let issuance = Balances::<Test>::total_issuance();
        let before = free::<Test>(CLIENT);
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        // Everyone reveals a different result: no majority ever.
        // 2 + 2 + 2 + 2 + 1 assignments, then nobody is left to ask.
        for _ in 0..12 {
            if job(id).state.is_final() {
                break;
            }
            play::<Test>(id, H256::repeat_byte);
            next_block::<Test>();
        }
        assert_eq!(job(id).state, JobState::Refunded(RefundReason::NoMajority));
        assert_eq!(free::<Test>(CLIENT), before);
        assert_eq!(Balances::<Test>::total_issuance(), issuance);
    });
}

// ----------------------------------------------------------------------------------------------
// Commit and reveal
// ----------------------------------------------------------------------------------------------

#[test]
fn a_reveal_must_match_its_commitment() {
    test(|| {
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        let who = assigned(id);
        for p in &who {
            commit::<Test>(*p, id, GOOD).unwrap();
        }
        let before = job(id);
        assert_eq!(
            reveal::<Test>(who[0], id, BAD),
            err(Error::<Test>::CommitmentMismatch)
        );
        assert_eq!(
            dispatch::<Test>(
                Call::reveal_result {
                    job: id,
                    result_hash: GOOD,
                    salt: H256::zero()
                },
                who[0]
            ),
            err(Error::<Test>::CommitmentMismatch)
        );
        assert_eq!(job(id), before, "a refused reveal changes nothing");
        reveal::<Test>(who[0], id, GOOD).unwrap();
    });
}

#[test]
fn attack_replayed_commit_and_reveal_are_refused() {
    test(|| {
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        let who = assigned(id);
        commit::<Test>(who[0], id, GOOD).unwrap();
        assert_eq!(
            commit::<Test>(who[0], id, BAD),
            err(Error::<Test>::AlreadyCommitted)
        );
        commit::<Test>(who[1], id, GOOD).unwrap();
        reveal::<Test>(who[0], id, GOOD).unwrap();
        assert_eq!(
            reveal::<Test>(who[0], id, GOOD),
            err(Error::<Test>::AlreadyRevealed)
        );
        // A stranger cannot commit or reveal, nor replay a provider's commitment as its own.
        let stranger = PROVIDERS
            .iter()
            .copied()
            .find(|p| !who.contains(p))
            .unwrap();
        assert_eq!(
            reveal::<Test>(stranger, id, GOOD),
            err(Error::<Test>::NotAssigned)
        );
        // A commitment copied to another job does not open for a provider not assigned there.
        let other = submit::<Test>(11, 2);
        next_block::<Test>();
        let copied = JobsPallet::<Test>::commitment_of(&GOOD, &acc(who[1]), &salt(who[1]));
        let r = dispatch::<Test>(
            Call::commit_result {
                job: other,
                commitment: copied,
            },
            who[1],
        );
        if assigned(other).contains(&who[1]) {
            r.unwrap();
        } else {
            assert_eq!(r, err(Error::<Test>::NotAssigned));
        }
    });
}

#[test]
fn a_reveal_before_commits_close_is_refused() {
    test(|| {
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        let who = assigned(id);
        commit::<Test>(who[0], id, GOOD).unwrap();
        assert_eq!(
            reveal::<Test>(who[0], id, GOOD),
            err(Error::<Test>::NotRevealPhase)
        );
    });
}

#[test]
fn attack_copying_a_revealed_hash_needs_a_commitment_made_before() {
    test(|| {
        // A lazy provider waits for the honest one's reveal to copy it: it cannot, because
        // reveals open only when every commitment is fixed (or its window closes, and then it
        // has missed its commit).
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        let who = assigned(id);
        commit::<Test>(who[0], id, GOOD).unwrap();
        assert_eq!(
            reveal::<Test>(who[0], id, GOOD),
            err(Error::<Test>::NotRevealPhase)
        );
        run_to::<Test>(now::<Test>() + 5);
        // Its window closed: it was slashed and replaced, and cannot commit any more.
        assert_eq!(
            commit::<Test>(who[1], id, GOOD),
            err(Error::<Test>::NotAssigned)
        );
        assert_eq!(bond::<Test>(who[1]), STAKE - 20);
    });
}

#[test]
fn a_missed_commit_pays_the_liveness_penalty_and_is_replaced() {
    test(|| {
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        let who = assigned(id);
        let lazy = who[1];
        commit::<Test>(who[0], id, GOOD).unwrap();
        run_to::<Test>(now::<Test>() + 5);
        // Window closed: 2 x 10 slashed, and a replacement assigned.
        assert_eq!(bond::<Test>(lazy), STAKE - 20);
        assert!(events::<Test>().iter().any(|e| matches!(
            e,
            Event::ProviderSlashed {
                offence: Offence::MissedCommit,
                amount: 20,
                ..
            }
        )));
        let fresh: Vec<u8> = assigned(id)
            .into_iter()
            .filter(|p| !who.contains(p))
            .collect();
        assert_eq!(fresh.len(), 1);
        // The replacement is a replica of the same round: still in its commit phase.
        assert_eq!(job(id).state, JobState::Assigned);
        commit::<Test>(fresh[0], id, GOOD).unwrap();
        reveal::<Test>(who[0], id, GOOD).unwrap();
        reveal::<Test>(fresh[0], id, GOOD).unwrap();
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert!(!assigned(id).contains(&lazy));
    });
}

fn decline<R: Config>(who: u8, id: JobId) -> Result<(), DispatchError> {
    dispatch::<R>(Call::decline_job { job: id }, who)
}

#[test]
fn a_decline_costs_less_than_a_missed_commit_and_is_replaced_at_once() {
    test(|| {
        let id = submit::<Test>(CLIENT, 2);
        next_block::<Test>();
        let who = assigned(id);
        decline::<Test>(who[1], id).unwrap();
        // 1 x price, not 2, and no offence toward the jail.
        assert_eq!(bond::<Test>(who[1]), STAKE - PRICE);
        let record = ProviderRecords::get(acc(who[1]));
        assert_eq!((record.offences, record.declined), (0, 1));
        assert!(events::<Test>().iter().any(|e| matches!(
            e,
            Event::ProviderSlashed {
                offence: Offence::Declined,
                amount: PRICE,
                ..
            }
        )));
        // A fresh replica in this very block, with a new commit window.
        let now_assigned = assigned(id);
        assert_eq!(now_assigned.len(), 2);
        let fresh = now_assigned.iter().find(|p| !who.contains(p)).copied();
        let fresh = fresh.expect("a replacement");
        assert_eq!(job(id).deadline, now::<Test>() + 5);
        assert_eq!(job(id).state, JobState::Assigned);
        // The decliner is out; the others finish and are paid.
        assert_eq!(decline::<Test>(who[1], id), err::<Test>(Error::NotAssigned));
        play::<Test>(id, |_| GOOD);
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert!(!ProviderJobs::get(acc(who[1])).contains(&id));
        assert_eq!(ProviderRecords::get(acc(fresh)).jobs_done, 1);
    });
}

#[test]
fn attack_declining_after_committing_is_refused() {
    // A cheater that committed and then learns its result will be checked must not escape
    // the withheld-result slash (20 x price here) for the price of a decline.
    test(|| {
        let id = submit::<Test>(CLIENT, 3);
        next_block::<Test>();
        let who = assigned(id);
        commit::<Test>(who[0], id, BAD).unwrap();
        assert_eq!(
            decline::<Test>(who[0], id),
            err::<Test>(Error::AlreadyCommitted)
        );
        // Once reveals are open, nobody may decline.
        commit::<Test>(who[1], id, GOOD).unwrap();
        commit::<Test>(who[2], id, GOOD).unwrap();
        assert_eq!(
            decline::<Test>(who[1], id),
            err::<Test>(Error::NotCommitPhase)
        );
        // Strangers may not decline someone else's job.
        let stranger = PROVIDERS
            .iter()
            .find(|p| !who.contains(p))
            .copied()
            .unwrap();
        assert_eq!(
            decline::<Test>(stranger, id),
            err::<Test>(Error::NotCommitPhase)
        );
        play::<Test>(id, |p| if p == who[0] { BAD } else { GOOD });
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert_eq!(bond::<Test>(who[0]), STAKE - 20 * PRICE);
    });
}

#[test]
fn attack_declines_cannot_dodge_work_for_free_or_strand_a_job() {
    // Every provider declines in turn: each pays, none is jailed, and when no fresh provider
    // is left the job keeps its deadline and is refunded as having no result.
    test(|| {
        let id = submit::<Test>(CLIENT, 1);
        next_block::<Test>();
        let mut declined = Vec::new();
        while let Some(p) = assigned(id).first().copied() {
            decline::<Test>(p, id).unwrap();
            declined.push(p);
        }
        assert_eq!(declined.len(), PROVIDERS.len());
        for p in &declined {
            assert_eq!(bond::<Test>(*p), STAKE - PRICE);
            assert_eq!(ProviderRecords::get(acc(*p)).jailed_since, None);
        }
        run_to::<Test>(now::<Test>() + 5);
        assert_eq!(job(id).state, JobState::Refunded(RefundReason::NoResult));
        assert_eq!(held(CLIENT), 0);
    });
}

#[test]
fn a_provider_that_commits_and_never_reveals_is_slashed_as_a_cheat() {
    test(|| {
        let id = submit::<Test>(CLIENT, 3);
        next_block::<Test>();
        let who = assigned(id);
        let silent = who[2];
        for p in &who {
            commit::<Test>(*p, id, GOOD).unwrap();
        }
        reveal::<Test>(who[0], id, GOOD).unwrap();
        reveal::<Test>(who[1], id, GOOD).unwrap();
        run_to::<Test>(now::<Test>() + 5);
        assert_eq!(bond::<Test>(silent), STAKE - 200);
        assert!(events::<Test>().iter().any(|e| matches!(
            e,
            Event::ProviderSlashed {
                offence: Offence::WithheldResult,
                ..
            }
        )));
        assert_eq!(job(id).state, JobState::Completed(GOOD));
    });
}

#[test]
fn nobody_committing_replaces_everyone_then_refunds() {
    test(|| {
        let before = free::<Test>(CLIENT);
        let id = submit::<Test>(CLIENT, 3);
        next_block::<Test>();
        run_to::<Test>(now::<Test>() + 5);
        // The first three missed their commits; the other three are assigned and miss too.
        assert_eq!(assigned(id).len(), 3);
        run_to::<Test>(now::<Test>() + 6);
        assert_eq!(job(id).state, JobState::Refunded(RefundReason::NoResult));
        assert_eq!(free::<Test>(CLIENT), before);
        for p in PROVIDERS {
            assert_eq!(bond::<Test>(p), STAKE - 20);
        }
    });
}

// ----------------------------------------------------------------------------------------------
// Optimistic verification
// ----------------------------------------------------------------------------------------------

#[test]
fn an_unchecked_optimistic_job_completes_after_its_challenge_window() {
    test(|| {
        let (id, p) = revealed_optimistic(GOOD);
        run_to::<Test>(now::<Test>() + 5);
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert_eq!(ProviderRecords::get(acc(p)).earned, PRICE);
    });
}

#[test]
fn a_spot_check_confirms_an_honest_result() {
    test_for::<Checked>(|| {
        let id = submit::<Checked>(CLIENT, 1);
        // 10 + 1 fee + 100% of 10 verification fee.
        assert_eq!(job(id).escrow, 21);
        next_block::<Checked>();
        let original = assigned(id)[0];
        play::<Checked>(id, |_| GOOD);
        next_block::<Checked>();
        assert_eq!(job(id).state, JobState::SpotCheck(Phase::Commit));
        assert!(events::<Checked>()
            .iter()
            .any(|e| matches!(e, Event::SpotCheckStarted { .. })));
        let checker = assigned(id).into_iter().find(|p| *p != original).unwrap();
        commit::<Checked>(checker, id, GOOD).unwrap();
        reveal::<Checked>(checker, id, GOOD).unwrap();
        next_block::<Checked>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        // The checker is paid its price from the verification fee.
        assert_eq!(ProviderRecords::get(acc(checker)).earned, PRICE);
        assert_eq!(ProviderRecords::get(acc(original)).earned, PRICE);
    });
}

#[test]
fn a_spot_check_catches_a_cheat() {
    test_for::<Checked>(|| {
        let id = submit::<Checked>(CLIENT, 1);
        next_block::<Checked>();
        let cheat = assigned(id)[0];
        play::<Checked>(id, |_| BAD);
        next_block::<Checked>();
        let checker = assigned(id).into_iter().find(|p| *p != cheat).unwrap();
        commit::<Checked>(checker, id, GOOD).unwrap();
        reveal::<Checked>(checker, id, GOOD).unwrap();
        next_block::<Checked>();
        // Mismatch: two more providers decide.
        assert_eq!(job(id).state, JobState::Escalated(Phase::Commit));
        play::<Checked>(id, |p| if p == cheat { BAD } else { GOOD });
        next_block::<Checked>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert_eq!(bond::<Checked>(cheat), STAKE - 200);
        assert_eq!(ProviderRecords::get(acc(cheat)).earned, 0);
    });
}

#[test]
fn attack_withholding_the_reveal_once_a_spot_check_is_known_does_not_pay() {
    // The draw happens after the reveal, so a cheater cannot first learn it is checked and then
    // stay silent; staying silent from the start is slashed as a withheld result.
    test_for::<Checked>(|| {
        let id = submit::<Checked>(CLIENT, 1);
        next_block::<Checked>();
        let cheat = assigned(id)[0];
        commit::<Checked>(cheat, id, BAD).unwrap();
        assert_eq!(
            job(id).state,
            JobState::Committed,
            "no draw yet: it happens after the reveal"
        );
        run_to::<Checked>(now::<Checked>() + 5);
        assert_eq!(bond::<Checked>(cheat), STAKE - 200);
    });
}

#[test]
fn a_dispute_won_slashes_the_provider_and_refunds_the_client() {
    test(|| {
        let before = free::<Test>(CLIENT);
        let (id, cheat) = revealed_optimistic(BAD);
        assert_eq!(
            dispatch::<Test>(Call::dispute { job: id }, 11),
            err(Error::<Test>::NotClient)
        );
        dispatch::<Test>(Call::dispute { job: id }, CLIENT).unwrap();
        assert_eq!(job(id).dispute_bond, 30);
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Disputed(Phase::Commit));
        play::<Test>(id, |p| if p == cheat { BAD } else { GOOD });
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert!(events::<Test>().iter().any(|e| matches!(
            e,
            Event::DisputeResolved {
                client_won: true,
                ..
            }
        )));
        assert_eq!(bond::<Test>(cheat), STAKE - 200);
        // The client paid only the protocol fee: price and bond came back.
        assert_eq!(free::<Test>(CLIENT), before - 1);
    });
}

#[test]
fn attack_a_dispute_waits_for_re_executors_instead_of_failing_when_providers_are_busy() {
    // A cheater (or a loaded network) must not win a dispute because no fresh provider is free
    // at the block it is opened: the dispute waits, as a pending job does.
    test(|| {
        let (id, cheat) = revealed_optimistic(BAD);
        for p in PROVIDERS.iter().filter(|p| **p != cheat) {
            deregister_provider::<Test>(*p);
        }
        dispatch::<Test>(Call::dispute { job: id }, CLIENT).unwrap();
        run_to::<Test>(now::<Test>() + 4);
        // Nobody could be assigned yet; the cheater's result has not been accepted.
        assert_eq!(job(id).state, JobState::Disputed(Phase::Commit));
        assert_eq!(assigned(id), vec![cheat]);
        // Fresh providers come: the dispute goes ahead and the cheat is caught.
        for p in PROVIDERS.iter().filter(|p| **p != cheat) {
            register_provider::<Test>(*p, STAKE);
        }
        run_to::<Test>(now::<Test>() + 3);
        assert_eq!(assigned(id).len(), 4);
        play::<Test>(id, |p| if p == cheat { BAD } else { GOOD });
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert_eq!(bond::<Test>(cheat), STAKE - 200);
    });
}

#[test]
fn a_dispute_lost_pays_the_re_executions_from_the_bond() {
    test(|| {
        let before = free::<Test>(CLIENT);
        let id = submit::<Test>(CLIENT, 1);
        next_block::<Test>();
        let honest = assigned(id)[0];
        play::<Test>(id, |_| GOOD);
        next_block::<Test>();
        dispatch::<Test>(Call::dispute { job: id }, CLIENT).unwrap();
        next_block::<Test>();
        play::<Test>(id, |_| GOOD);
        next_block::<Test>();
        assert_eq!(job(id).state, JobState::Completed(GOOD));
        assert!(events::<Test>().iter().any(|e| matches!(
            e,
            Event::DisputeResolved {
                client_won: false,
                ..
            }
        )));
        assert_eq!(
            bond::<Test>(honest),
            STAKE,
            "an honest provider is never slashed"
        );
        // Price 10, fee 1, and the bond of 30 paid to the three re-executors.
        assert_eq!(free::<Test>(CLIENT), before - 41);
        assert_eq!(
            dispatch::<Test>(Call::dispute { job: id }, CLIENT),
            err(Error::<Test>::NotDisputable)
        );
    });
}

// ----------------------------------------------------------------------------------------------
// Jail, load and bounds
// ----------------------------------------------------------------------------------------------

#[test]
fn repeated_offences_jail_until_the_provider_registers_again() {
    test(|| {
        let mut jailed = None;
        for round in 0..10u64 {
            SEED.with(|s| s.set(round));
            let id = submit::<Test>(CLIENT, 3);
            next_block::<Test>();
            let who = assigned(id);
            let cheat = *jailed.get_or_insert(who[0]);
            if !who.contains(&cheat) {
                play::<Test>(id, |_| GOOD);
                next_block::<Test>();
                continue;
            }
            play::<Test>(id, |p| if p == cheat { BAD } else { GOOD });
            next_block::<Test>();
            if ProviderRecords::get(acc(cheat)).jailed_since.is_some() {
                break;
            }
        }
        let cheat = jailed.unwrap();
        assert!(ProviderRecords::get(acc(cheat)).jailed_since.is_some());
        for round in 0..20u64 {
            SEED.with(|s| s.set(100 + round));
            let id = submit::<Test>(CLIENT, 3);
            next_block::<Test>();
            assert!(
                !assigned(id).contains(&cheat),
                "a jailed provider is never assigned"
            );
            play::<Test>(id, |_| GOOD);
            next_block::<Test>();
        }
        // Registering again (topping its stake back up) lifts the jail.
        next_block::<Test>();
        register_provider::<Test>(cheat, STAKE);
        assert_eq!(ProviderRecords::get(acc(cheat)).jailed_since, None);
        assert_eq!(ProviderRecords::get(acc(cheat)).offences, 0);
    });
}

#[test]
fn deadlines_are_processed_in_bounded_batches_and_none_is_lost() {
    test(|| {
        let n = 20u64;
        for _ in 0..n {
            dispatch::<Test>(
                Call::submit_job {
                    program: 0,
                    input: blake2_chain_input(b"x", 1),
                    replicas: 1,
                    price: PRICE,
                    timeout: 50,
                },
                11,
            )
            .unwrap();
        }
        next_block::<Test>();
        // 8 per block: after one block 8 jobs are assigned, the rest still wait.
        let assigned_now = (0..n)
            .filter(|id| job(*id).state == JobState::Assigned)
            .count();
        assert_eq!(assigned_now, 8);
        run_to::<Test>(now::<Test>() + 2);
        let assigned_now = (0..n)
            .filter(|id| !matches!(job(*id).state, JobState::Pending(_)))
            .count();
        assert_eq!(assigned_now as u64, n);
    });
}

#[test]
fn a_provider_busy_with_its_limit_gets_no_more_jobs() {
    test(|| {
        for _ in 0..10 {
            submit::<Test>(11, 3);
        }
        next_block::<Test>();
        for p in PROVIDERS {
            assert!(ProviderJobs::get(acc(p)).len() <= 4);
        }
    });
}

#[test]
fn deregistered_providers_leave_the_sampling_tree() {
    test(|| {
        io::with_transaction(|| {
            Dispatchable::<Test>::dispatch(
                pallet_staking::Call::deregister_provider {},
                Origin::Signed(acc(1)),
            )
        })
        .unwrap();
        assert_eq!(SamplingTotal::get(), 5 * STAKE);
        assert!(SamplingSlots::get(acc(1)).is_none());
        register_provider::<Test>(1, STAKE);
        assert_eq!(SamplingTotal::get(), 6 * STAKE);
    });
}
