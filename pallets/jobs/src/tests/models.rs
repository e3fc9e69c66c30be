//! Model NFTs' usage fees through settlement: held at submission, paid to the model's owner
//! at the time of settlement, refunded when the job has no result.

use super::*;

const MODEL: (u32, u32) = (0, 1);
const CREATOR: u8 = 7;
const FEE: Balance = 7;

/// Registers a deterministic CPU container program naming `MODEL`, by `CREATOR`.
fn model_program() -> ProgramId {
    MockModels::set(MODEL, acc(CREATOR), FEE);
    let id = NextProgramId::get();
    dispatch::<Test>(
        Call::register_program {
            name: BoundedVec::new(b"model".to_vec()).unwrap(),
            kind: ProgramKind::Container {
                digest: H256::repeat_byte(3),
                deterministic: true,
            },
            requirements: Requirements {
                gpu_memory_gb: 0,
                gpu_count: 0,
                time_limit: 5,
            },
            model: Some(MODEL),
        },
        CREATOR,
    )
    .expect("registered");
    id
}

fn submit_to(program: ProgramId, replicas: u8) -> JobId {
    let id = NextJobId::get();
    dispatch::<Test>(
        Call::submit_job {
            program,
            input: BoundedVec::new(b"weights and prompt".to_vec()).unwrap(),
            replicas,
            price: PRICE,
            timeout: 10,
        },
        CLIENT,
    )
    .expect("submitted");
    id
}

fn settle(id: JobId) {
    next_block::<Test>();
    play::<Test>(id, |_| GOOD);
    next_block::<Test>();
    assert_eq!(job(id).state, JobState::Completed(GOOD));
}

#[test]
fn attack_naming_someone_elses_model() {
    // A program that names a famous model it does not own would pass itself off as that
    // model's official runner.
    test(|| {
        MockModels::set(MODEL, acc(CREATOR), FEE);
        let call = Call::register_program {
            name: BoundedVec::new(b"fake".to_vec()).unwrap(),
            kind: ProgramKind::Executable {
                digest: H256::repeat_byte(4),
                deterministic: true,
            },
            requirements: Requirements {
                gpu_memory_gb: 0,
                gpu_count: 0,
                time_limit: 5,
            },
            model: Some(MODEL),
        };
        assert_eq!(
            dispatch::<Test>(call.clone(), CLIENT),
            err(Error::<Test>::NotModelOwner)
        );
        MockModels::remove(MODEL);
        assert_eq!(
            dispatch::<Test>(call, CREATOR),
            err(Error::<Test>::NotModelOwner),
            "a model that does not exist cannot be named"
        );
    });
}

#[test]
fn the_model_fee_is_held_at_submission_and_paid_to_the_owner_at_settlement() {
    test(|| {
        let program = model_program();
        let creator_before = free::<Test>(CREATOR);
        let client_before = free::<Test>(CLIENT);
        let id = submit_to(program, 2);
        // 2 x 10, protocol fee 2, model fee 7.
        assert_eq!(job(id).model_fee, FEE);
        assert_eq!(held(CLIENT), 29);
        // The owner raising its fee after submission changes nothing for this job.
        MockModels::set(MODEL, acc(CREATOR), 500);
        settle(id);
        assert_eq!(free::<Test>(CREATOR), creator_before + FEE);
        assert_eq!(free::<Test>(CLIENT), client_before - 29);
        assert_eq!(MockModels::earned(MODEL), FEE);
        assert_eq!(held(CLIENT), 0);
    });
}

#[test]
fn a_sold_model_pays_its_new_owner() {
    test(|| {
        let program = model_program();
        let id = submit_to(program, 2);
        // Sold while the job runs: the owner at settlement is paid.
        MockModels::set(MODEL, acc(11), FEE);
        let (old, new) = (free::<Test>(CREATOR), free::<Test>(11));
        settle(id);
        assert_eq!(free::<Test>(CREATOR), old);
        assert_eq!(free::<Test>(11), new + FEE);
    });
}

#[test]
fn refunded_jobs_pay_no_model_fee() {
    test(|| {
        let program = model_program();
        let before = free::<Test>(CLIENT);
        let id = submit_to(program, 2);
        dispatch::<Test>(Call::cancel_job { job: id }, CLIENT).unwrap();
        assert_eq!(free::<Test>(CLIENT), before);
        // No provider commits: the job is refunded without a result.
        let id = submit_to(program, 2);
        run_to::<Test>(now::<Test>() + 40);
        assert!(matches!(job(id).state, JobState::Refunded(_)));
        assert_eq!(free::<Test>(CLIENT), before, "everything refunded");
        assert_eq!(MockModels::earned(MODEL), 0);
    });
}

#[test]
fn attack_model_owner_cannot_stall_settlement() {
    // The model NFT is burned (or its owner unpayable) before settlement: the job still
    // settles, and the fee returns to the client.
    test(|| {
        let program = model_program();
        let before = free::<Test>(CLIENT);
        let id = submit_to(program, 2);
        MockModels::remove(MODEL);
        settle(id);
        assert_eq!(
            free::<Test>(CLIENT),
            before - 22,
            "prices and fee, no model fee"
        );
        // An owner whose account does not exist is opened by the fee (the NFT pallet keeps
        // fees at or above the existential deposit).
        MockModels::set(MODEL, acc(77), FEE);
        let id = submit_to(program, 2);
        settle(id);
        assert_eq!(free::<Test>(77), FEE);
    });
}
