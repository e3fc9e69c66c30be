//! Unit tests of the referenda: every call and error; referenda that pass, fail, time out,
//! are cancelled and are killed; the queue for deciding slots; confirmation aborted and
//! resumed; enactment with the proposal's origin after the delay; and the attacks a proposer
//! would try (proposing as someone else, an undecodable proposal, refunding twice, voting
//! after the end, flooding a track's queue).
//!
//! Accounts 1..=6 hold 1 000 each, the treasury (99) 1: total issuance 6 001. Tallies are set
//! by hand. Every test ends with [`check_invariants`]: total issuance is unchanged and is the
//! sum of all accounts, each account's held deposit is what the referenda records say it is
//! owed, and the deciding counts match the deciding referenda.

use crate::mock::*;
use crate::pallet::*;
use crate::types::*;
use crate::MAX_QUEUED;
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::genesis::BuildGenesis;
use basalt_support::governance::{PollStatus, Polling, Tally};
use basalt_support::hooks::Hooks;
use basalt_support::origin::GovernanceOrigin;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, Balance, BlockNumber, BoundedVec, DispatchError, Origin, H256};
use codec::Encode;

type Balances = pallet_balances::Pallet<Test>;
type System = pallet_system::Pallet<Test>;
type Scheduler = pallet_scheduler::Pallet<Test>;
type Referenda = Pallet<Test>;

const ENDOWMENT: Balance = 1_000;
/// Account 7 floods tracks; it holds far more than the others.
const FLOODER: u8 = 7;
const FLOOD_FUNDS: Balance = 1_000_000;
const ISSUANCE: Balance = 6 * ENDOWMENT + FLOOD_FUNDS + 1;

fn test(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let mut endow: Vec<(AccountId, Balance)> = (1..=6).map(|n| (acc(n), ENDOWMENT)).collect();
        endow.push((acc(TREASURY), 1));
        endow.push((acc(FLOODER), FLOOD_FUNDS));
        Balances::genesis_endow(&endow).expect("endowed");
        System::initialize(1, H256::repeat_byte(1), &Digest::default());
        f();
        check_invariants();
    });
}

fn check_invariants() {
    assert_eq!(
        Balances::total_issuance(),
        ISSUANCE,
        "referenda mint and burn nothing"
    );
    let mut accounts: Vec<AccountId> = (1..=FLOODER).map(acc).collect();
    accounts.push(acc(TREASURY));
    let sum: Balance = accounts.iter().map(Balances::total_balance).sum();
    assert_eq!(sum, ISSUANCE, "issuance is the sum of accounts");
    let mut owed = std::collections::BTreeMap::<AccountId, Balance>::new();
    let mut deciding = std::collections::BTreeMap::<TrackId, u32>::new();
    let mut add = |d: &Option<Deposit>| {
        if let Some(d) = d {
            *owed.entry(d.who.clone()).or_default() += d.amount;
        }
    };
    for (_, info) in ReferendumInfoFor::iter() {
        match info {
            ReferendumInfo::Ongoing(s) => {
                add(&Some(s.submission_deposit.clone()));
                add(&s.decision_deposit);
                if s.deciding.is_some() {
                    *deciding.entry(s.track).or_default() += 1;
                }
            }
            ReferendumInfo::Approved(_, a, b)
            | ReferendumInfo::Rejected(_, a, b)
            | ReferendumInfo::Cancelled(_, a, b)
            | ReferendumInfo::TimedOut(_, a, b) => {
                add(&a);
                add(&b);
            }
            ReferendumInfo::Killed(_) => {}
        }
    }
    for who in accounts {
        let held = Balances::balance_on_hold(&crate::DEPOSIT_HOLD, &who);
        assert_eq!(
            held,
            owed.get(&who).copied().unwrap_or(0),
            "held deposit of {who:?}"
        );
    }
    for track in [0u16, 11] {
        assert_eq!(
            DecidingCount::get(track),
            deciding.get(&track).copied().unwrap_or(0),
            "deciding count of track {track}"
        );
    }
}

/// Runs blocks up to `n`, with the scheduler's hook (alarms and enactments).
fn run_to(n: BlockNumber) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::finalize();
        System::initialize(next, H256::repeat_byte(next as u8), &Digest::default());
        Scheduler::on_initialize(next);
    }
}

fn dispatch(c: Call, origin: Origin) -> Result<(), DispatchError> {
    io::with_transaction(|| Dispatchable::<Test>::dispatch_with_post_info(c, origin))
        .map(|_| ())
        .map_err(|e| e.error)
}

fn signed(c: Call, who: u8) -> Result<(), DispatchError> {
    dispatch(c, Origin::Signed(acc(who)))
}

fn err(e: Error<Test>) -> Result<(), DispatchError> {
    Err(e.into())
}

fn inline(call: &TestCall) -> Bounded {
    Bounded::Inline(BoundedVec::new(call.encode()).expect("short"))
}

fn submit_as(
    who: u8,
    origin: Origin,
    call: TestCall,
    enactment: DispatchTime,
) -> Result<(), DispatchError> {
    signed(
        Call::submit {
            proposal_origin: Box::new(origin),
            proposal: inline(&call),
            enactment_moment: enactment,
        },
        who,
    )
}

/// Submits `Remark(n)` on the Root track by account 1, enacted 1 block after approval.
fn submit_remark(n: u32) -> ReferendumIndex {
    let index = ReferendumCount::get();
    submit_as(1, Origin::Root, TestCall::Remark(n), DispatchTime::After(1)).expect("submitted");
    index
}

fn deposit(index: ReferendumIndex, who: u8) -> Result<(), DispatchError> {
    signed(Call::place_decision_deposit { index }, who)
}

fn set_tally(index: ReferendumIndex, ayes: Balance, nays: Balance, support: Balance) {
    Referenda::update_tally(index, |t| {
        *t = Tally {
            ayes,
            nays,
            support,
        }
    })
    .expect("ongoing");
}

fn info(index: ReferendumIndex) -> ReferendumInfo {
    ReferendumInfoFor::get(index).expect("exists")
}

fn status(index: ReferendumIndex) -> ReferendumStatus {
    match info(index) {
        ReferendumInfo::Ongoing(s) => s,
        other => panic!("referendum {index} is not ongoing: {other:?}"),
    }
}

fn events() -> Vec<Event> {
    System::events_of::<Event>(12)
}

fn logged() -> Vec<(u32, Origin)> {
    Logged::get()
}

fn held(n: u8) -> Balance {
    Balances::balance_on_hold(&crate::DEPOSIT_HOLD, &acc(n))
}

/// A referendum that passes at once: all ayes, 60% support.
const PASSING: (Balance, Balance, Balance) = (ISSUANCE * 6 / 10, 0, ISSUANCE * 6 / 10);

#[test]
fn a_referendum_passes_and_is_enacted_as_its_origin_after_the_delay() {
    test(|| {
        let i = submit_remark(7);
        assert_eq!(held(1), SUBMISSION_DEPOSIT);
        deposit(i, 2).unwrap();
        assert_eq!(held(2), ROOT_DECISION_DEPOSIT);
        let (a, n, s) = PASSING;
        set_tally(i, a, n, s);
        run_to(2);
        assert!(status(i).deciding.is_none(), "still preparing");
        run_to(3);
        let deciding = status(i)
            .deciding
            .expect("deciding after the prepare period");
        assert_eq!(deciding.since, 3);
        assert_eq!(
            deciding.confirming,
            Some(5),
            "passing at once: confirming for 2 blocks"
        );
        run_to(5);
        assert!(matches!(
            info(i),
            ReferendumInfo::Approved(5, Some(_), Some(_))
        ));
        assert!(events().contains(&Event::Confirmed {
            index: i,
            tally: Tally {
                ayes: a,
                nays: n,
                support: s
            }
        }));
        assert!(events().contains(&Event::Approved { index: i }));
        // Enactment: After(1), but never before the track's minimum of 3 blocks.
        run_to(7);
        assert!(
            logged().is_empty(),
            "not before the minimum enactment period"
        );
        run_to(8);
        assert_eq!(logged(), vec![(7, Origin::Root)]);
        assert_eq!(DecidingCount::get(0), 0);
        signed(Call::refund_submission_deposit { index: i }, 5).unwrap();
        signed(Call::refund_decision_deposit { index: i }, 5).unwrap();
        assert_eq!((held(1), held(2)), (0, 0));
        assert_eq!(Balances::free_balance(&acc(1)), ENDOWMENT);
    });
}

#[test]
fn a_treasurer_proposal_is_enacted_with_the_treasurer_origin() {
    test(|| {
        let treasurer = Origin::Origins(GovernanceOrigin::Treasurer);
        submit_as(
            1,
            treasurer.clone(),
            TestCall::Remark(1),
            DispatchTime::At(0),
        )
        .unwrap();
        assert_eq!(status(0).track, 11);
        deposit(0, 1).unwrap();
        let (a, n, s) = PASSING;
        set_tally(0, a, n, s);
        run_to(12);
        assert_eq!(logged(), vec![(1, treasurer)]);
    });
}

#[test]
fn a_proposal_the_origin_may_not_make_fails_in_its_enactment_event() {
    test(|| {
        let treasurer = Origin::Origins(GovernanceOrigin::Treasurer);
        submit_as(
            1,
            treasurer,
            TestCall::RootRemark(1),
            DispatchTime::After(0),
        )
        .unwrap();
        deposit(0, 1).unwrap();
        let (a, n, s) = PASSING;
        set_tally(0, a, n, s);
        // Approved at block 5; enacted at the minimum enactment period, block 8.
        run_to(8);
        assert!(logged().is_empty());
        let failed = System::events_of::<pallet_scheduler::Event>(9).into_iter().any(|e| {
            matches!(e, pallet_scheduler::Event::Dispatched { id: Some(id), result: Err(DispatchError::BadOrigin), .. } if id == Referenda::enactment_name(0))
        });
        assert!(
            failed,
            "the enactment's BadOrigin is in the scheduler's event"
        );
    });
}

#[test]
fn a_referendum_without_enough_votes_is_rejected_at_the_end_of_its_decision_period() {
    test(|| {
        let i = submit_remark(1);
        deposit(i, 2).unwrap();
        set_tally(i, 100, 900, 100);
        run_to(3);
        assert!(status(i).deciding.is_some());
        run_to(12);
        assert!(matches!(info(i), ReferendumInfo::Ongoing(_)));
        run_to(13);
        assert!(matches!(
            info(i),
            ReferendumInfo::Rejected(13, Some(_), Some(_))
        ));
        assert_eq!(
            signed(Call::refund_submission_deposit { index: i }, 1),
            err(Error::BadStatus),
            "a rejected proposal's submission deposit stays held"
        );
        signed(Call::refund_decision_deposit { index: i }, 1).unwrap();
        assert_eq!(
            Referenda::poll_status(i),
            PollStatus::Completed {
                end: 13,
                approved: false
            }
        );
        run_to(20);
        assert!(logged().is_empty());
    });
}

#[test]
fn falling_curves_let_a_referendum_pass_later_without_new_votes() {
    test(|| {
        let i = submit_remark(1);
        deposit(i, 2).unwrap();
        // 80% approval meets the approval curve (100% -> 50% over 10 blocks) at 40% of the
        // period; just over 30% support meets the support curve (50% -> 0%) just before.
        set_tally(i, 800, 200, ISSUANCE * 3 / 10 + 1);
        run_to(3);
        let since = status(i).deciding.expect("deciding").since;
        assert_eq!(status(i).deciding.unwrap().confirming, None);
        assert_eq!(
            status(i).alarm.map(|(at, _)| at),
            Some(since + 4),
            "the alarm is when the curves are met"
        );
        run_to(since + 4);
        assert_eq!(status(i).deciding.unwrap().confirming, Some(since + 6));
        run_to(since + 6);
        assert!(matches!(info(i), ReferendumInfo::Approved(..)));
    });
}

#[test]
fn confirmation_aborts_when_votes_turn_and_resumes_when_they_return() {
    test(|| {
        let i = submit_remark(1);
        deposit(i, 2).unwrap();
        let (a, n, s) = PASSING;
        set_tally(i, a, n, s);
        run_to(4);
        assert_eq!(status(i).deciding.unwrap().confirming, Some(5));
        set_tally(i, a, a * 2, s);
        run_to(5);
        assert_eq!(status(i).deciding.unwrap().confirming, None);
        assert!(events().contains(&Event::ConfirmAborted { index: i }));
        set_tally(i, a, n, s);
        run_to(6);
        assert_eq!(status(i).deciding.unwrap().confirming, Some(8));
        run_to(8);
        assert!(matches!(info(i), ReferendumInfo::Approved(8, ..)));
    });
}

#[test]
fn a_referendum_without_a_decision_deposit_times_out() {
    test(|| {
        let i = submit_remark(1);
        let (a, n, s) = PASSING;
        set_tally(i, a, n, s);
        run_to(TIMEOUT);
        assert!(matches!(info(i), ReferendumInfo::Ongoing(_)));
        run_to(TIMEOUT + 1);
        assert!(matches!(
            info(i),
            ReferendumInfo::TimedOut(21, Some(_), None)
        ));
        assert_eq!(
            signed(Call::refund_decision_deposit { index: i }, 1),
            err(Error::NoDeposit)
        );
        assert_eq!(
            signed(Call::refund_submission_deposit { index: i }, 1),
            err(Error::BadStatus)
        );
        assert_eq!(deposit(i, 2), err(Error::NotOngoing));
    });
}

#[test]
fn a_cancelled_referendum_refunds_both_deposits() {
    test(|| {
        let i = submit_remark(1);
        deposit(i, 2).unwrap();
        run_to(3);
        assert_eq!(
            dispatch(Call::cancel { index: i }, Origin::Signed(acc(1))),
            Err(DispatchError::BadOrigin)
        );
        dispatch(Call::cancel { index: i }, Origin::Root).unwrap();
        assert!(matches!(
            info(i),
            ReferendumInfo::Cancelled(3, Some(_), Some(_))
        ));
        assert_eq!(DecidingCount::get(0), 0);
        signed(Call::refund_submission_deposit { index: i }, 3).unwrap();
        signed(Call::refund_decision_deposit { index: i }, 3).unwrap();
        assert_eq!(
            signed(Call::refund_decision_deposit { index: i }, 3),
            err(Error::NoDeposit)
        );
        assert_eq!(
            signed(Call::refund_submission_deposit { index: i }, 3),
            err(Error::NoDeposit)
        );
        assert_eq!((held(1), held(2)), (0, 0));
        assert_eq!(Scheduler::cancel_named_task([0; 32]).is_err(), true);
        run_to(30);
        assert!(
            matches!(info(i), ReferendumInfo::Cancelled(..)),
            "its alarm was cancelled"
        );
    });
}

#[test]
fn a_killed_referendum_slashes_both_deposits_to_the_treasury() {
    test(|| {
        let i = submit_remark(1);
        deposit(i, 2).unwrap();
        dispatch(Call::kill { index: i }, Origin::Root).unwrap();
        assert_eq!(info(i), ReferendumInfo::Killed(1));
        assert_eq!(
            Balances::free_balance(&acc(TREASURY)),
            1 + SUBMISSION_DEPOSIT + ROOT_DECISION_DEPOSIT
        );
        assert_eq!(
            Balances::total_balance(&acc(1)),
            ENDOWMENT - SUBMISSION_DEPOSIT
        );
        assert_eq!(
            Balances::total_balance(&acc(2)),
            ENDOWMENT - ROOT_DECISION_DEPOSIT
        );
        assert!(events().contains(&Event::DepositSlashed {
            who: acc(2),
            amount: ROOT_DECISION_DEPOSIT
        }));
        assert_eq!(
            signed(Call::refund_decision_deposit { index: i }, 2),
            err(Error::NoDeposit)
        );
        assert_eq!(Referenda::poll_status(i), PollStatus::None);
        assert_eq!(
            dispatch(Call::kill { index: i }, Origin::Root),
            err(Error::NotOngoing)
        );
    });
}

#[test]
fn a_full_track_queues_by_ayes_and_the_next_decides_when_a_slot_frees() {
    test(|| {
        let first = submit_remark(1);
        let low = submit_remark(2);
        let high = submit_remark(3);
        for i in [first, low, high] {
            deposit(i, 2).unwrap();
        }
        set_tally(low, 10, 0, 10);
        set_tally(high, 20, 0, 20);
        run_to(3);
        assert!(status(first).deciding.is_some());
        assert!(
            status(low).in_queue && status(high).in_queue,
            "one slot on the root track"
        );
        assert_eq!(TrackQueue::get(0).into_inner(), vec![(low, 10), (high, 20)]);
        dispatch(Call::cancel { index: first }, Origin::Root).unwrap();
        assert!(
            status(high).deciding.is_some(),
            "the most ayes decide first"
        );
        assert_eq!(TrackQueue::get(0).into_inner(), vec![(low, 10)]);
        set_tally(low, 30, 0, 30);
        run_to(4);
        assert_eq!(
            TrackQueue::get(0).into_inner(),
            vec![(low, 30)],
            "votes move a queued referendum"
        );
        assert_eq!(DecidingCount::get(0), 1);
    });
}

#[test]
fn preimage_proposals_are_requested_until_the_referendum_ends() {
    test(|| {
        let call = TestCall::Remark(42);
        let (hash, len) = note(&call);
        let submit = |len| {
            signed(
                Call::submit {
                    proposal_origin: Box::new(Origin::Root),
                    proposal: Bounded::Lookup { hash, len },
                    enactment_moment: DispatchTime::After(0),
                },
                1,
            )
        };
        assert_eq!(
            submit(len + 1),
            err(Error::PreimageNotExist),
            "the length must match"
        );
        submit(len).unwrap();
        assert_eq!(Preimages::get(hash).map(|p| p.1), Some(1), "requested");
        deposit(0, 1).unwrap();
        let (a, n, s) = PASSING;
        set_tally(0, a, n, s);
        run_to(12);
        assert_eq!(logged(), vec![(42, Origin::Root)]);
        assert_eq!(
            Preimages::get(hash).map(|p| p.1),
            Some(0),
            "released at the end"
        );
    });
}

#[test]
fn set_metadata_by_the_proposer_only() {
    test(|| {
        let i = submit_remark(1);
        let hash = H256::repeat_byte(5);
        let set = |who, h| {
            signed(
                Call::set_metadata {
                    index: i,
                    maybe_hash: h,
                },
                who,
            )
        };
        assert_eq!(set(2, Some(hash)), err(Error::NoPermission));
        set(1, Some(hash)).unwrap();
        assert_eq!(MetadataOf::get(i), Some(hash));
        assert_eq!(set(2, None), err(Error::NoPermission));
        dispatch(Call::cancel { index: i }, Origin::Root).unwrap();
        set(2, None).unwrap();
        assert_eq!(MetadataOf::get(i), None);
        assert_eq!(
            signed(
                Call::set_metadata {
                    index: 9,
                    maybe_hash: None
                },
                1
            ),
            err(Error::BadReferendum)
        );
    });
}

#[test]
fn call_errors() {
    test(|| {
        assert_eq!(deposit(0, 1), err(Error::NotOngoing));
        assert_eq!(
            signed(Call::refund_decision_deposit { index: 0 }, 1),
            err(Error::BadReferendum)
        );
        assert_eq!(
            dispatch(Call::nudge_referendum { index: 0 }, Origin::Root),
            err(Error::NotOngoing)
        );
        let i = submit_remark(1);
        assert_eq!(
            signed(Call::refund_decision_deposit { index: i }, 1),
            err(Error::Unfinished)
        );
        assert_eq!(
            signed(Call::refund_submission_deposit { index: i }, 1),
            err(Error::BadStatus)
        );
        assert_eq!(
            dispatch(Call::nudge_referendum { index: i }, Origin::Signed(acc(1))),
            Err(DispatchError::BadOrigin)
        );
        deposit(i, 2).unwrap();
        assert_eq!(deposit(i, 3), err(Error::HasDeposit));
        let poor = submit_as(6, Origin::Root, TestCall::Remark(1), DispatchTime::After(0));
        assert!(poor.is_ok());
        Balances::transfer(&acc(6), &acc(5), ENDOWMENT - SUBMISSION_DEPOSIT - 1, true).unwrap();
        assert!(
            submit_as(6, Origin::Root, TestCall::Remark(1), DispatchTime::After(0)).is_err(),
            "the deposit must be held"
        );
        assert_eq!(
            ReferendumCount::get(),
            2,
            "a refused submission takes no index"
        );
    });
}

#[test]
fn attack_propose_as_another_account_or_an_untracked_origin() {
    test(|| {
        for origin in [Origin::Signed(acc(2)), Origin::None] {
            assert_eq!(
                submit_as(1, origin, TestCall::Remark(1), DispatchTime::After(0)),
                err(Error::NoTrack)
            );
        }
        assert_eq!(ReferendumCount::get(), 0);
        assert_eq!(held(1), 0);
    });
}

#[test]
fn attack_submit_an_undecodable_proposal() {
    test(|| {
        let garbage = Bounded::Inline(BoundedVec::new(vec![0xff, 0x00, 0x01]).unwrap());
        let trailing = Bounded::Inline(
            BoundedVec::new([TestCall::Remark(1).encode(), vec![0]].concat()).unwrap(),
        );
        for proposal in [garbage, trailing] {
            let r = signed(
                Call::submit {
                    proposal_origin: Box::new(Origin::Root),
                    proposal,
                    enactment_moment: DispatchTime::After(0),
                },
                1,
            );
            assert_eq!(r, err(Error::UndecodableProposal));
        }
        assert_eq!(held(1), 0);
    });
}

#[test]
fn attack_vote_on_an_ended_referendum() {
    test(|| {
        let i = submit_remark(1);
        dispatch(Call::cancel { index: i }, Origin::Root).unwrap();
        assert_eq!(
            Referenda::update_tally(i, |t| t.ayes = 1_000_000),
            err(Error::NotOngoing)
        );
    });
}

#[test]
fn attack_flood_a_track_queue() {
    test(|| {
        let first = submit_remark(0);
        deposit(first, 1).unwrap();
        // The flooder fills the root track's queue (and more) with referenda nobody backs.
        for _ in 0..MAX_QUEUED + 5 {
            let i = ReferendumCount::get();
            submit_as(
                FLOODER,
                Origin::Root,
                TestCall::Remark(0),
                DispatchTime::After(0),
            )
            .unwrap();
            deposit(i, FLOODER).unwrap();
        }
        let honest = submit_remark(9);
        deposit(honest, 2).unwrap();
        set_tally(honest, 500, 0, 500);
        // 107 alarms for block 3 overflow (50 per block) into blocks 4 and 5.
        run_to(6);
        let queue = TrackQueue::get(0);
        assert_eq!(queue.len(), MAX_QUEUED as usize, "the queue stays bounded");
        assert_eq!(
            queue.last().map(|(i, _)| *i),
            Some(honest),
            "votes put it first in line"
        );
        dispatch(Call::cancel { index: first }, Origin::Root).unwrap();
        assert!(
            status(honest).deciding.is_some(),
            "the backed referendum decides next"
        );
    });
}

#[test]
fn genesis_shortens_periods_and_refuses_unknown_tracks() {
    test(|| {
        let periods = TrackPeriods {
            prepare_period: 1,
            decision_period: 4,
            confirm_period: 1,
            min_enactment_period: 1,
        };
        assert_eq!(
            Referenda::build_genesis(&GenesisConfig {
                track_periods: vec![(5, periods)],
                undeciding_timeout: None
            }),
            err(Error::BadTrack)
        );
        Referenda::build_genesis(&GenesisConfig {
            track_periods: vec![(0, periods)],
            undeciding_timeout: Some(7),
        })
        .unwrap();
        assert_eq!(Referenda::track(0).map(|t| t.decision_period), Some(4));
        assert_eq!(Referenda::track(11).map(|t| t.decision_period), Some(10));
        assert_eq!(Referenda::undeciding_timeout(), 7);
    });
}
